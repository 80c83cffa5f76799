#!/usr/bin/python3
"""Compare the engine with an independent reference implementation of SPEC
section 3 (tests/reference/reference_model.py), in distribution.

Usage: /usr/bin/python3 test_against_reference.py PATH_TO_loyalsim
           [--replicates R] [--engine-set PATH=VALUE ...] [--only NAME]

For each scenario in this directory the engine runs R times (`--seed 1..R`)
and the reference R times (its own fixed numpy seeds). For each compared
quantity X (a per-run number) the test computes the replicate means and their
standard errors se = sd/sqrt(R) on each side and requires

    |mean_engine - mean_ref| <= 4 * sqrt(se_engine^2 + se_ref^2)

with R = 200 by default (a two-sample z test at 4 sigma: about 6e-5 per
comparison, about 1% for the ~200 comparisons together, from sampling alone). Quantities where both sides have zero
spread must agree exactly. Everything is seeded, so the outcome is
reproducible. `--engine-set` perturbs the engine only (to show that the test
can fail).
"""
import concurrent.futures as cf
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import reference_model as ref  # noqa: E402

SCENARIOS = ["two_firms.toml", "three_firms.toml", "unserved.toml"]
TOL_SIGMAS = 4.0


def engine_runs(exe, scenario, R, tmp, engine_set):
    def one(k):
        out = os.path.join(tmp, f"{os.path.basename(scenario)}.{k}.h5")
        cmd = [exe, "run", scenario, "--seed", str(k), "-q", "--threads", "1",
               "-o", out, "--force"]
        for s in engine_set:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            d = {k2: f["timeseries/" + k2][0] for k2 in f["timeseries"]
                 if k2 not in ("run", "month", "firm", "segment")}
            d["summary"] = {k2: f["summary/" + k2][0] for k2 in
                            ("orphaned", "stayed", "followed", "defected")}
            d["firms"] = [x.decode() if isinstance(x, bytes) else str(x) for x in f["summary/firm"][:]]
            d["segments"] = [x.decode() if isinstance(x, bytes) else str(x) for x in f["summary/segment"][:]]
        os.remove(out)
        return d
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(one, range(1, R + 1)))


def reference_runs(scenario, R):
    sc = ref.Scenario.load(scenario)
    out = []
    for k in range(R):
        rng = np.random.default_rng([20240601, SCENARIOS.index(os.path.basename(scenario)), k])
        out.append(ref.simulate(sc, rng))
    return out


def quantities(d, firms, segs):
    """Per-run scalar outcomes keyed by a readable name."""
    q = {}
    F, S = len(firms), len(segs)
    for k in ("orphaned", "stayed", "followed", "defected"):
        tot = np.asarray(d["summary"][k])
        for f in range(F):
            for s in range(S):
                q[f"summary.{k}[{firms[f]},{segs[s]}]"] = tot[f, s]
            q[f"summary.{k}[{firms[f]},*]"] = tot[f].sum()
    for k in ("churned", "acquired", "followers_gained"):
        tot = np.asarray(d[k]).sum(axis=0)
        for f in range(F):
            for s in range(S):
                q[f"total.{k}[{firms[f]},{segs[s]}]"] = tot[f, s]
    for k in ("rep_departures", "rep_departures_to_competitor"):
        tot = np.asarray(d[k]).sum(axis=0)
        for f in range(F):
            q[f"total.{k}[{firms[f]}]"] = tot[f]
    last = np.asarray(d["reps_active"])[-1]
    for f in range(F):
        q[f"last.reps_active[{firms[f]}]"] = last[f]
    cust = np.asarray(d["customers"])
    for f in range(F):
        for s in range(S):
            q[f"last.customers[{firms[f]},{segs[s]}]"] = cust[-1, f, s]
            q[f"month12.customers[{firms[f]},{segs[s]}]"] = cust[11, f, s]
    for k in ("brand_loyalty_mean", "rep_loyalty_mean"):
        v = np.asarray(d[k])[-1]
        for f in range(F):
            for s in range(S):
                q[f"last.{k}[{firms[f]},{segs[s]}]"] = v[f, s]
    return q


def compare(name, eng, rfs):
    e = np.array(eng, dtype=float)
    r = np.array(rfs, dtype=float)
    e = e[~np.isnan(e)]
    r = r[~np.isnan(r)]
    if len(e) < 3 or len(r) < 3:
        return True, f"SKIP {name}: too few defined values (engine {len(e)}, reference {len(r)})"
    me, mr = e.mean(), r.mean()
    se_e = e.std(ddof=1) / np.sqrt(len(e))
    se_r = r.std(ddof=1) / np.sqrt(len(r))
    tol = TOL_SIGMAS * np.hypot(se_e, se_r)
    diff = abs(me - mr)
    ok = diff <= tol if tol > 0 else diff <= 1e-9 * max(1.0, abs(mr))
    z = diff / np.hypot(se_e, se_r) if tol > 0 else (0.0 if ok else np.inf)
    line = (f"{'ok  ' if ok else 'FAIL'} {name:58s} engine {me:10.4f} +- {se_e:7.4f}   "
            f"ref {mr:10.4f} +- {se_r:7.4f}   |z| = {z:5.2f}")
    return ok, line


def check_defaults(exe):
    """The reference's default table equals what `loyalsim params` prints."""
    txt = subprocess.run([exe, "params"], check=True, capture_output=True, text=True).stdout
    found = {}
    for m in re.finditer(r"^\s+(market|firms|segments)\.(?:FIRM\.|SEGMENT\.)?(\w+)\s+default\s+(\S+)", txt, re.M):
        found[(m.group(1), m.group(2))] = float(m.group(3))
    tables = {"market": ref.MARKET_DEFAULTS, "firms": ref.FIRM_DEFAULTS, "segments": ref.SEGMENT_DEFAULTS}
    bad = []
    n = 0
    for t, d in tables.items():
        for key, val in d.items():
            n += 1
            if (t, key) not in found or abs(found[(t, key)] - float(val)) > 1e-12:
                bad.append(f"{t}.{key}: reference {val}, engine {found.get((t, key))}")
    extra = [k for k in found if k[1] not in tables[k[0]]]
    bad += [f"{t}.{key}: printed by the engine, missing in the reference" for t, key in extra]
    return not bad, ("ok   defaults: %d parameters agree with `loyalsim params`" % n
                     if not bad else "FAIL defaults: " + "; ".join(bad))


def check_reference_closed_form():
    """Self-check of the reference: without churn, departures and acquisition
    (and kappa = 0) B and R follow x_t = x* + (x_0 - x*)(1 - a - d)^t."""
    text = """
[market]
customers = 50
months = 10
burn_in_months = 3
acquisition_rate = 0
initial_attached_share = 1
rep_skill_sd = 0
[[firms]]
name = "F"
reps = 3
rep_turnover_annual = 0
relationship_transfer = 0
brand_strength = 0.7
service_touchpoints = 0.4
[[segments]]
name = "s"
churn_annual = 0
brand_growth = 0.06
service_growth = 0.03
rep_growth = 0.12
"""
    d = ref.simulate(ref.Scenario(text), np.random.default_rng(1))
    t = np.arange(1, 11) + 3
    aR, dR, R0 = 0.12, 0.03, 0.1
    aB, dB, B0 = 0.06 * 0.7 + 0.03 * 0.4, 0.02, 0.2
    R = aR / (aR + dR) + (R0 - aR / (aR + dR)) * (1 - aR - dR) ** t
    B = aB / (aB + dB) + (B0 - aB / (aB + dB)) * (1 - aB - dB) ** t
    err = max(np.abs(d["rep_loyalty_mean"][:, 0, 0] - R).max(),
              np.abs(d["brand_loyalty_mean"][:, 0, 0] - B).max())
    ok = err < 1e-12 and (d["customers"][:, 0, 0] == 50).all()
    return ok, f"{'ok  ' if ok else 'FAIL'} reference self-check: closed-form B and R, max error {err:.1e}"


def main(argv):
    args = argv[1:]
    if not args:
        print(__doc__)
        return 2
    exe = os.path.abspath(args.pop(0))
    R = 200
    engine_set, only = [], None
    while args:
        a = args.pop(0)
        if a == "--replicates":
            R = int(args.pop(0))
        elif a == "--engine-set":
            engine_set.append(args.pop(0))
        elif a == "--only":
            only = args.pop(0)
        else:
            print("unknown argument", a)
            return 2
    passed = failed = 0
    for ok, line in (check_defaults(exe), check_reference_closed_form()):
        print(line)
        passed, failed = passed + ok, failed + (not ok)
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            if only and only not in name:
                continue
            path = os.path.join(HERE, name)
            print(f"\n== {name}: {R} engine runs vs {R} reference runs; "
                  f"pass if |mean_e - mean_r| <= {TOL_SIGMAS:g}*sqrt(se_e^2 + se_r^2)"
                  + (f"; engine --set {' '.join(engine_set)}" if engine_set else ""))
            er = engine_runs(exe, path, R, tmp, engine_set)
            firms, segs = er[0]["firms"], er[0]["segments"]
            sc = ref.Scenario.load(path)
            assert firms == [f["name"] for f in sc.firms] and segs == [s["name"] for s in sc.segments], (firms, segs)
            rr = reference_runs(path, R)
            qe = [quantities(d, firms, segs) for d in er]
            qr = [quantities(d, firms, segs) for d in rr]
            for key in qe[0]:
                ok, line = compare(key, [q[key] for q in qe], [q[key] for q in qr])
                print(line)
                passed, failed = passed + ok, failed + (not ok)
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
