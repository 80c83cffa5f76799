#!/usr/bin/env python3
"""The page's runs equal `loyalsim run`'s: for each run the page made (its
JSON, as the page holds it), runs the CLI on the TOML the page shows with
the same seed and compares every summary count, each firm's customers per
month and the star's customers' choices (engine_counts.py).

    compare_page_runs.py LOYALSIM PAGE.toml RUNS.json
Prints one line per seed; exit status 1 if any differs.
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_counts import differences, read_counts, run_cli  # noqa: E402


def main():
    loyalsim, toml_path, runs_path = sys.argv[1:4]
    with open(runs_path) as f:
        runs = json.load(f)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for page in runs:
            engine = read_counts(run_cli(loyalsim, toml_path, page["seed"], tmp))
            problems = differences(page, engine)
            stars = ", ".join(f"{s['firm']} {s['stayed']}/{s['followed']}/{s['defected']}" for s in engine["stars"])
            if problems:
                failures += 1
                print(f"FAIL seed {page['seed']}: " + "; ".join(problems[:5]))
            else:
                print(f"ok   seed {page['seed']}: page = loyalsim run (star stayed/followed/stopped: {stars})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
