#!/usr/bin/env python3
"""Makes the targets of example.toml: the data a researcher would have.

Runs market.toml with the true values (segments.relationship.rep_weight 2.5,
firms.Incumbent.non_solicit 0.4) 20 times under the seed 2026 (not the
calibration's seed, so the fit does not see the data's own random numbers),
and prints, for each target of example.toml, the value in replicate 0 (the
one market "observed") and the standard deviation over the 20 replicates
(the standard error of a moment observed in one market of this size).

    python3 scenarios/calibration/make_targets.py [build/src/loyalsim]
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRUTH = {"segments.relationship.rep_weight": 2.5, "firms.Incumbent.non_solicit": 0.4}
REPLICATES = 20
SEED = 2026
# (metric, numerator, denominator, firm, segment); None = pooled over all.
TARGETS = [
    ("follow_rate_when_possible", "followed", "could_follow", "Incumbent", "relationship"),
    ("follow_rate_when_possible", "followed", "could_follow", "Rival", "relationship"),
    ("firm_retention_rate", "stayed", "orphaned", "Incumbent", None),
]


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "src", "loyalsim")
    with open(os.path.join(HERE, "market.toml")) as f:
        text = f.read().replace("seed = 1\n", f"seed = {SEED}\n", 1)
    # A one-point list design: the true values, REPLICATES runs.
    text += f'\n[sweep]\ndesign = "list"\nreplicates = {REPLICATES}\n[sweep.parameters]\n'
    text += "".join(f'"{path}" = [{value}]\n' for path, value in TRUTH.items())
    with tempfile.TemporaryDirectory() as folder:
        scenario = os.path.join(folder, "truth.toml")
        with open(scenario, "w") as f:
            f.write(text)
        results = os.path.join(folder, "truth.h5")
        subprocess.run([exe, "run", scenario, "-o", results, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(results, "r") as h5:
            firms = [n.decode() if isinstance(n, bytes) else n for n in h5["summary/firm"][:]]
            segments = [n.decode() if isinstance(n, bytes) else n for n in h5["summary/segment"][:]]
            for metric, numerator, denominator, firm, segment in TARGETS:
                f = slice(None) if firm is None else [firms.index(firm)]
                s = slice(None) if segment is None else [segments.index(segment)]
                top = h5["summary/" + numerator][:][:, f][:, :, s].sum(axis=(1, 2))
                bottom = h5["summary/" + denominator][:][:, f][:, :, s].sum(axis=(1, 2))
                per_run = top / bottom
                print(f"{metric}[{firm or '*'}, {segment or '*'}]: value = {per_run[0]:.4f}, "
                      f"se = {per_run.std(ddof=1):.4f}  (mean over {REPLICATES} runs {per_run.mean():.4f})")


if __name__ == "__main__":
    main()
