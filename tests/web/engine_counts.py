"""The engine's counts for one run, read from a `loyalsim run` results file,
in the shape of the web page's JSON (src/wasm/market_json.hpp), and the
comparison of the two. Used by test_serial_core.py and test_page.py: both
sides are always computed from the current source, never from stored numbers.
"""

import os
import subprocess

import h5py
import numpy as np


def run_cli(loyalsim, toml_path, seed, out_dir, overrides=()):
    """Runs `loyalsim run TOML --seed SEED --events [--set ...]`; returns the results file's path."""
    out = os.path.join(out_dir, f"cli_seed{seed}.h5")
    if os.path.exists(out):
        os.remove(out)
    cmd = [loyalsim, "run", toml_path, "--seed", str(seed), "--events", "-o", out]
    for o in overrides:
        cmd += ["--set", o]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def read_counts(h5_path):
    """The page's JSON fields from a results file of one run."""
    with h5py.File(h5_path, "r") as f:
        firms = [x.decode() if isinstance(x, bytes) else str(x) for x in f["summary/firm"][()]]
        summary = {}
        for name, ds in f["summary"].items():
            if name in ("firm", "segment", "run") or not np.issubdtype(ds.dtype, np.integer):
                continue
            summary[name] = np.asarray(ds[0]).tolist()
        customers = np.asarray(f["timeseries/customers"][0]).sum(axis=2).tolist()  # month x firm
        ev = f["events"]
        meanings = ev["choice"].attrs["flag_meanings"]
        meanings = meanings.decode() if isinstance(meanings, bytes) else str(meanings)
        values = ev["choice"].attrs["flag_values"]
        code = dict(zip(meanings.split(), (int(v) for v in values)))
        events = {k: np.asarray(ev[k][()]) for k in ("month", "rep", "from_firm", "choice")}
        import tomllib
        scenario = tomllib.loads(f.attrs["scenario_resolved"].decode()
                                 if isinstance(f.attrs["scenario_resolved"], bytes) else f.attrs["scenario_resolved"])
    stars = []
    for d in scenario.get("departures", []):
        fi = firms.index(d["firm"])
        sel = (events["month"] == d["month"]) & (events["from_firm"] == fi)
        reps, books = np.unique(events["rep"][sel], return_counts=True)
        top = reps[np.lexsort((reps, -books))[: int(d["count"])]]
        star = sel & np.isin(events["rep"], top)
        choice = events["choice"][star]
        stars.append({"firm": d["firm"], "month": int(d["month"]), "book": int(star.sum()),
                      "stayed": int(np.sum(choice == code["stay"])),
                      "followed": int(np.sum(choice == code["follow"])),
                      "defected": int(np.sum(choice == code["defect"]))})
    return {"firms": firms, "summary": summary, "customers": customers, "stars": stars}


def differences(page, engine):
    """What differs between the page's run (its JSON) and the engine's (read_counts); empty when equal."""
    problems = []
    if page.get("firms") != engine["firms"]:
        problems.append(f"firms {page.get('firms')} != {engine['firms']}")
    for name, values in engine["summary"].items():
        if name not in page.get("summary", {}):
            problems.append(f"summary/{name} missing from the page's answer")
        elif page["summary"][name] != values:
            problems.append(f"summary/{name}: page {page['summary'][name]} != engine {values}")
    if page.get("customers") != engine["customers"]:
        problems.append("timeseries/customers differ")
    for p, e in zip(page.get("stars", []), engine["stars"]):
        for k in ("book", "stayed", "followed", "defected"):
            if p[k] != e[k]:
                problems.append(f"star of {e['firm']}: {k} page {p[k]} != engine {e[k]}")
    if len(page.get("stars", [])) != len(engine["stars"]):
        problems.append("different numbers of stars")
    return problems
