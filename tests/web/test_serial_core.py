#!/usr/bin/env python3
"""The core built with its serial path (LOYALSIM_SERIAL=1, no oneTBB; the
path the WebAssembly page uses) gives exactly the counts of the oneTBB
build's `loyalsim run` for the same scenario and seed: every summary count,
each firm's customers per month, and the star's customers' choices.

    test_serial_core.py LOYALSIM_SERIAL_MARKET LOYALSIM SCENARIOS_CLASSROOM_DIR
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_counts import differences, read_counts, run_cli  # noqa: E402

# (case, seed, --set overrides): a plain case, and one with two stars, a
# tied override and a smaller market, as the page's sliders make them.
CASES = [
    ("complex_solution", 3, []),
    ("small_vs_big", 11, ["firms.*.non_solicit=0.3", "segments.*.rep_weight=2.5", "market.customers=4000"]),
]


def main():
    serial, loyalsim, folder = sys.argv[1:4]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case, seed, overrides in CASES:
            path = os.path.join(folder, case + ".toml")
            answer = subprocess.run([serial, path, str(seed), *overrides], check=True, capture_output=True,
                                    text=True).stdout
            page = json.loads(answer)
            engine = read_counts(run_cli(loyalsim, path, seed, tmp, overrides))
            problems = differences(page, engine)
            label = f"{case} seed {seed} {' '.join(overrides)}".strip()
            if problems:
                failures += 1
                print(f"FAIL {label}:")
                for p in problems:
                    print("   ", p)
            else:
                stars = ", ".join(f"{s['firm']}: {s['stayed']}/{s['followed']}/{s['defected']}" for s in engine["stars"])
                print(f"ok   {label}: serial = oneTBB (star stayed/followed/defected {stars})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
