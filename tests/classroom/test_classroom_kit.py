#!/usr/bin/env python3
"""Tests of the classroom kit (scenarios/classroom/).

    /usr/bin/python3 tests/classroom/test_classroom_kit.py PATH/TO/loyalsim SCENARIO_DIR

SCENARIO_DIR is scenarios/classroom. The test
  - checks that every scenario of the directory parses (--dry-run), and that
    each case file has the kit's shape: a header comment saying what to
    expect, a scripted departure of the largest book to another firm that
    leaves 12 recorded months after it, no non-solicit at the star's firm;
  - runs every case REPLICATES times (--seed 1..REPLICATES, --events) and the
    what-if sweep once (its own replicates), and checks that each case runs
    in a few seconds;
  - checks the direction of the headline results that the headers promise,
    on intervals over the replicates: a difference of means must exceed
    3 standard errors of the difference (replicates are independent runs,
    so SE_diff = sqrt(SE_a^2 + SE_b^2)), a level must hold for the mean
    minus (or plus) 3 standard errors.

The star's customers are read from events/: of the reps who left the
departure's firm in the departure's month, the one with the most decisions
(the scripted departure takes the largest book). This file reads the HDF5
itself (h5py, numpy), independently of scripts/plot_classroom.py.

Prints one line per check and a final "N passed, M failed"; exit status 0
when all pass, 1 when one fails, 2 on bad arguments.
"""

import concurrent.futures
import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib

import h5py
import numpy as np

REPLICATES = 10
MAX_SECONDS_PER_RUN = 5.0    # "a few seconds at most" for one case run
Z = 3.0                       # standard errors
CASES = ["complex_solution", "simple_product", "personal_service", "company_owns",
         "routed_through_rep", "small_vs_big", "rep_retires", "pay_that_keeps_reps", "responsibility_not_ownership"]
RETIRES = {"rep_retires"}   # the star leaves the industry: nobody can follow
WHAT_IF = "what_if_substitutability"
STAY, FOLLOW, DEFECT = 0, 1, 2

passed, failed = [], []


def check(ok, name, detail=""):
    (passed if ok else failed).append(name)
    print(f"{'ok  ' if ok else 'FAIL'}  {name}" + (f"  [{detail}]" if detail else ""), flush=True)
    return ok


def mean_se(samples):
    a = np.asarray([x for x in samples if math.isfinite(x)], dtype=np.float64)
    if a.size < 2:
        return (float(a.mean()) if a.size else math.nan), math.nan
    return float(a.mean()), float(a.std(ddof=1) / math.sqrt(a.size))


def fmt(ms):
    return f"{ms[0]:.3f}±{ms[1]:.3f}"


def greater(name, a, b, label_a, label_b):
    """a > b by more than Z standard errors of the difference."""
    (ma, sa), (mb, sb) = mean_se(a), mean_se(b)
    se = math.sqrt(sa ** 2 + sb ** 2)
    ok = math.isfinite(se) and ma - mb > Z * se
    return check(ok, name, f"{label_a} {ma:.3f}±{sa:.3f} vs {label_b} {mb:.3f}±{sb:.3f}; "
                           f"difference {ma - mb:.3f}, {Z:g} SE = {Z * se:.3f}")


def above(name, a, level, label):
    m, s = mean_se(a)
    return check(math.isfinite(s) and m - Z * s > level, name, f"{label} {m:.3f}±{s:.3f} (SE) > {level}")


def below(name, a, level, label):
    m, s = mean_se(a)
    return check(math.isfinite(s) and m + Z * s < level, name, f"{label} {m:.3f}±{s:.3f} (SE) < {level}")


# ------------------------------------------------------------ running

def run(exe, args, timeout=120):
    start = time.monotonic()
    proc = subprocess.run([exe, "run", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)
    return proc, time.monotonic() - start


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def stars(path):
    """Per run and scripted departure: the star's decisions and its firm's numbers."""
    out = []
    with h5py.File(path, "r") as f:
        scenario = tomllib.loads(text(f.attrs["scenario_resolved"]))
        firms = [text(v) for v in f["timeseries/firm"][()]]
        segments = [text(v) for v in f["timeseries/segment"][()]]
        months = f["timeseries/month"][()]
        customers = f["timeseries/customers"][()].sum(axis=3)          # run x month x firm
        stayed = f["summary/stayed"][()].sum(axis=2)                   # run x firm
        orphaned = f["summary/orphaned"][()].sum(axis=2)
        kept = f["summary/stays_12m_retained"][()].sum(axis=2)                # run x firm
        eligible = f["summary/stays_12m_eligible"][()].sum(axis=2)
        status = f["runs/status"][()]
        shortfall = f["runs/scripted_shortfall"][()] if "scripted_shortfall" in f["runs"] else np.zeros_like(status)
        params = {text(k): f["runs"][k][()] for k in f["runs"] if "." in k}
        ev = {k: f["events"][k][()] for k in ("run", "month", "rep", "from_firm", "to_firm", "segment", "choice")}
    for r in range(status.size):
        in_run = ev["run"] == r
        for d in scenario["departures"]:
            fi, m = firms.index(d["firm"]), d["month"]
            ti = firms.index(d["to"]) if d["to"] in firms else -1
            sel = in_run & (ev["month"] == m) & (ev["from_firm"] == fi)
            reps, counts = np.unique(ev["rep"][sel], return_counts=True)
            rec = {"run": r, "status": int(status[r]), "shortfall": int(shortfall[r]), "firm": d["firm"],
                   "book": 0, "stay": math.nan, "follow": math.nan, "defect": math.nan,
                   "follow_to_right_firm": False, "follow_by_segment": {},
                   "retention_all": stayed[r, fi] / orphaned[r, fi] if orphaned[r, fi] else math.nan,
                   "kept_12m": kept[r, fi] / eligible[r, fi] if eligible[r, fi] else math.nan,
                   "params": {k: float(v[r]) for k, v in params.items()}}
            if reps.size:
                star = reps[np.lexsort((reps, -counts))[0]]
                mask = sel & (ev["rep"] == star)
                ch, seg, to = ev["choice"][mask], ev["segment"][mask], ev["to_firm"][mask]
                rec.update(book=int(ch.size), stay=float(np.mean(ch == STAY)), follow=float(np.mean(ch == FOLLOW)),
                           defect=float(np.mean(ch == DEFECT)),
                           follow_to_right_firm=bool(np.all(to[ch == FOLLOW] == ti)),
                           follow_by_segment={s: float(np.mean(ch[seg == i] == FOLLOW))
                                              for i, s in enumerate(segments) if np.any(seg == i)})
            base = np.flatnonzero(months == m - 1)
            after = np.flatnonzero(months == m + 12)
            rec["index_12"] = (customers[r, after[0], fi] / customers[r, base[0], fi] * 100
                               if base.size and after.size and customers[r, base[0], fi] > 0 else math.nan)
            out.append(rec)
    return out


# ------------------------------------------------------------ checks

def check_files(exe, folder):
    tomls = sorted(n for n in os.listdir(folder) if n.endswith(".toml"))
    for name in CASES + [WHAT_IF]:
        check(f"{name}.toml" in tomls, f"{name}.toml exists in {folder}")
    with tempfile.TemporaryDirectory(prefix="loyalsim_classroom_dry_") as scratch:
        for name in tomls:
            proc, _ = run(exe, [os.path.join(folder, name), "--dry-run", "-o", os.path.join(scratch, "x.h5")])
            check(proc.returncode == 0, f"{name} parses (--dry-run)", proc.stderr.strip()[:300])
    for name in CASES + [WHAT_IF]:
        path = os.path.join(folder, f"{name}.toml")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        scenario = tomllib.loads(source)
        header = [l for l in source.splitlines() if l.startswith("#")]
        check(source.startswith("#") and any("What to expect" in l for l in header),
              f"{name}: header comment says what to expect")
        check(any(l.startswith("# Discussion question:") for l in header),
              f"{name}: header comment states its discussion question")
        deps = scenario.get("departures", [])
        firms = {f["name"]: f for f in scenario.get("firms", [])}
        months = scenario.get("market", {}).get("months", 120)
        ok = bool(deps)
        for d in deps:
            to_ok = d.get("to") == "industry" if name in RETIRES else d.get("to") in firms
            ok &= d.get("which") == "largest_book" and to_ok and d.get("to") != d.get("firm")
            ok &= d.get("count", 1) == 1 and d.get("month", 0) + 12 == months and d.get("month", 0) >= 13
            ok &= firms.get(d.get("firm"), {}).get("non_solicit", 0.0) == 0.0
        check(ok, f"{name}: the star (largest book) " + ("retires" if name in RETIRES else "leaves for a competitor") +
                  ", 12 months recorded before and "
                  f"after, no non-solicit", str(deps))
        customers = scenario.get("market", {}).get("customers", 10000)
        check(5000 <= customers <= 20000, f"{name}: 5,000-20,000 customers", str(customers))
        check((name == WHAT_IF) == ("sweep" in scenario), f"{name}: " +
              ("a [sweep] with replicates" if name == WHAT_IF else "a single run (no [sweep])"))


def run_cases(exe, folder, out):
    jobs = [(c, s) for c in CASES for s in range(1, REPLICATES + 1)]

    def one(job):
        case, seed = job
        path = os.path.join(out, f"{case}_seed{seed}.h5")
        proc, seconds = run(exe, [os.path.join(folder, f"{case}.toml"), "-o", path, "--seed", str(seed),
                                  "--events", "--force", "--quiet", "--threads", "1"])
        return case, seed, path, proc, seconds

    results = {c: [] for c in CASES}
    slowest = {c: 0.0 for c in CASES}
    errors = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for case, seed, path, proc, seconds in pool.map(one, jobs):
            slowest[case] = max(slowest[case], seconds)
            if proc.returncode != 0:
                errors.setdefault(case, proc.stderr.strip()[:300])
                continue
            results[case].extend(stars(path))
    for case in CASES:
        recs = results[case]
        check(case not in errors and len(recs) >= REPLICATES, f"{case}: {REPLICATES} runs succeed",
              errors.get(case, ""))
        check(slowest[case] < MAX_SECONDS_PER_RUN, f"{case}: a run takes a few seconds at most",
              f"slowest {slowest[case]:.2f} s")
        check(all(r["status"] == 1 and r["shortfall"] == 0 and r["book"] > 0 for r in recs),
              f"{case}: every scripted departure happened and the star had customers",
              f"books {sorted({r['book'] for r in recs})[:3]}...")
        check(all(r["follow_to_right_firm"] for r in recs), f"{case}: the star's followers joined the star's new firm")
    return results


def star(results, case, firm=None):
    return [r for r in results[case] if firm is None or r["firm"] == firm]


def values(recs, key):
    return [r[key] for r in recs]


def check_cases(results):
    cs, sp, ps = star(results, "complex_solution"), star(results, "simple_product"), star(results, "personal_service")
    co, rr = star(results, "company_owns"), star(results, "routed_through_rep")
    small, big = star(results, "small_vs_big", "SmallFirm"), star(results, "small_vs_big", "BigBrand")

    # complex_solution vs simple_product: what is sold
    greater("complex solution: more of the star's customers follow than for a simple product",
            values(cs, "follow"), values(sp, "follow"), "complex", "simple")
    above("complex solution: most of the star's customers follow the star", values(cs, "follow"), 0.5, "follow")
    above("simple product: most of the star's customers stay with the firm", values(sp, "stay"), 0.75, "stay")
    greater("simple product: the firm keeps more over all departures than with a complex solution",
            values(sp, "retention_all"), values(cs, "retention_all"), "simple", "complex")
    greater("complex solution: the firm loses more customers within 12 months than with a simple product",
            values(sp, "index_12"), values(cs, "index_12"), "simple", "complex")

    # company_owns vs routed_through_rep: the firm's policy
    greater("company owns the relationship: higher firm retention over all departures than routed through the rep",
            values(co, "retention_all"), values(rr, "retention_all"), "company_owns", "routed")
    greater("company owns the relationship: more of the star's customers stay than routed through the rep",
            values(co, "stay"), values(rr, "stay"), "company_owns", "routed")
    above("company owns the relationship: most of the star's customers stay", values(co, "stay"), 0.5, "stay")
    greater("routed through the rep: more of the star's customers follow than stay",
            values(rr, "follow"), values(rr, "stay"), "follow", "stay")
    greater("routed through the rep: more of the star's customers stop buying than when the company owns it",
            values(rr, "defect"), values(co, "defect"), "routed", "company_owns")

    # personal_service: the highest follow rate of all
    for other, recs in [("complex_solution", cs), ("simple_product", sp), ("company_owns", co),
                        ("routed_through_rep", rr), ("small_vs_big SmallFirm", small), ("small_vs_big BigBrand", big)]:
        greater(f"personal service: more of the star's clients follow than in {other}",
                values(ps, "follow"), values(recs, "follow"), "personal", other)
    above("personal service: at least 85% of the star's clients follow", values(ps, "follow"), 0.85, "follow")

    # small_vs_big: the small firm leans on the rep bond
    greater("small vs big: more of the small firm's star's customers follow than of the big brand's star's",
            values(small, "follow"), values(big, "follow"), "small", "big")
    greater("small vs big: the big brand keeps more over all departures than the small firm",
            values(big, "retention_all"), values(small, "retention_all"), "big", "small")
    greater("small vs big: 12 months after the trade the big brand has kept more of its customers",
            values(big, "index_12"), values(small, "index_12"), "big", "small")
    above("small vs big: most of the big brand's star's customers stay", values(big, "stay"), 0.5, "stay")

    # rep_retires: the handoff does not change the day's choice, it changes who is still there a year on
    careful, hasty = star(results, "rep_retires", "CarefulFirm"), star(results, "rep_retires", "HastyFirm")
    check(all(r["follow"] == 0.0 for r in careful + hasty), "rep retires: nobody follows a retired rep")
    for firm, recs in (("CarefulFirm", careful), ("HastyFirm", hasty)):
        above(f"rep retires: most of the {firm} star's customers stay", values(recs, "stay"), 0.75, "stay")
    greater("rep retires: more of the careful firm's stayers are still customers 12 months later",
            values(careful, "kept_12m"), values(hasty, "kept_12m"), "careful", "hasty")

    # pay_that_keeps_reps: fewer departures keep customers, but its leavers find vacancies at the other firm
    keeps, door = star(results, "pay_that_keeps_reps", "RetainingFirm"), star(results, "pay_that_keeps_reps", "RevolvingDoor")
    greater("pay that keeps reps: 12 months after the trade the retaining firm has kept more of its customers",
            values(keeps, "index_12"), values(door, "index_12"), "retaining", "revolving")
    greater("pay that keeps reps: over all departures the revolving door keeps more of the orphaned customers",
            values(door, "retention_all"), values(keeps, "retention_all"), "revolving", "retaining")

    # responsibility_not_ownership: servicing the account keeps more of the star's customers; the rep still counts
    serv, owns = (star(results, "responsibility_not_ownership", "FirmServices"),
                  star(results, "responsibility_not_ownership", "RepOwns"))
    greater("responsibility, not ownership: more of the star's customers stay where the firm services the account",
            values(serv, "stay"), values(owns, "stay"), "firm services", "rep owns")
    greater("responsibility, not ownership: more of the star's customers follow where the rep owns the account",
            values(owns, "follow"), values(serv, "follow"), "rep owns", "firm services")
    above("responsibility, not ownership: most of the servicing firm's star's customers still follow",
          values(serv, "follow"), 0.5, "follow")


def check_what_if(exe, folder, out):
    path = os.path.join(out, f"{WHAT_IF}.h5")
    proc, seconds = run(exe, [os.path.join(folder, f"{WHAT_IF}.toml"), "-o", path, "--events", "--force", "--quiet"],
                        timeout=300)
    if not check(proc.returncode == 0, f"{WHAT_IF}: the sweep runs", proc.stderr.strip()[:300] or f"{seconds:.1f} s"):
        return
    recs = stars(path)
    check(all(r["status"] == 1 and r["book"] > 0 for r in recs), f"{WHAT_IF}: every run has the star's decisions")
    key = "market.substitutability"
    xs = sorted({r["params"].get(key, math.nan) for r in recs})
    check(len(xs) >= 5 and xs[0] == 0.0 and xs[-1] == 1.0, f"{WHAT_IF}: substitutability from 0 to 1", str(xs))
    at = lambda x, seg: [r["follow_by_segment"].get(seg, math.nan) for r in recs if r["params"].get(key) == x]
    greater(f"{WHAT_IF}: complex-solution customers follow more when the products are the same (1) than "
            f"different (0)", at(xs[-1], "complex_solution"), at(xs[0], "complex_solution"), "s=1", "s=0")
    greater(f"{WHAT_IF}: simple-product customers follow more when the products are the same (1) than "
            f"different (0)", at(xs[-1], "simple_product"), at(xs[0], "simple_product"), "s=1", "s=0")
    for x in (xs[0], xs[-1]):
        greater(f"{WHAT_IF}: at substitutability {x:g}, complex-solution customers follow more than "
                f"simple-product ones", at(x, "complex_solution"), at(x, "simple_product"), "complex", "simple")
    below(f"{WHAT_IF}: simple-product customers seldom follow, even at substitutability 1",
          at(xs[-1], "simple_product"), 0.12, "follow")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    exe, folder = argv[1], argv[2]
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)) or not os.path.isdir(folder):
        print(f"test_classroom_kit.py: not an executable '{exe}' or not a folder '{folder}'", file=sys.stderr)
        return 2
    start = time.monotonic()
    check_files(exe, folder)
    with tempfile.TemporaryDirectory(prefix="loyalsim_classroom_") as out:
        results = run_cases(exe, folder, out)
        if all(results[c] for c in CASES):
            check_cases(results)
        check_what_if(exe, folder, out)
    print(f"{len(passed)} passed, {len(failed)} failed ({time.monotonic() - start:.1f} s)")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
