"""Runs the README's R recipe for one library on a fresh results file.

Usage: /usr/bin/python3 run_recipe.py RSCRIPT PATH_TO_loyalsim README.md SCENARIO.toml LIBRARY

Writes TMP/results/classroom.h5 (`loyalsim run SCENARIO --events`), and in
TMP/expected/ what an exact reader gets from it (h5py, one value per line in
R's order: HDF5's C order read back reversed), then runs
`RSCRIPT tests/r/read_results.R README.md TMP LIBRARY`. The file must hold a
seed of 2^63 or more (one R cannot hold as a number) so the check means
something. Exit status: that of read_results.R, or 1 on a set-up failure.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np


def write_lines(path, values):
    path.write_text("".join(f"{v}\n" for v in values), encoding="utf-8")


def number(v):
    return "NaN" if np.isnan(v) else repr(float(v))


def write_expected(results, folder):
    folder.mkdir()
    with h5py.File(results, "r") as f:
        customers = f["timeseries/customers"][()]          # run, month, firm, segment
        follow = f["summary/follow_rate"][()]               # run, firm, segment
        seeds = f["runs/seed"][()]
        choice = f["events/choice"]
        codes = [int(v) for v in choice.attrs["flag_values"]]
        meanings = choice.attrs["flag_meanings"].split()
        counts = [int((choice[()] == code).sum()) for code in codes]
        names = lambda d: [v.decode() if isinstance(v, bytes) else str(v) for v in f[d][()]]
        write_lines(folder / "segments.txt", names("timeseries/segment"))
        write_lines(folder / "firms.txt", names("timeseries/firm"))
    if not (seeds >= np.uint64(2**63)).any():
        raise RuntimeError(f"no seed of 2^63 or more in {list(seeds)}: pick another scenario seed")
    # C order flattened is R's column-major order of the reversed dimensions.
    write_lines(folder / "customers_dims.txt", reversed(customers.shape))
    write_lines(folder / "customers.txt", (int(v) for v in customers.ravel()))
    write_lines(folder / "follow_rate.txt", (number(v) for v in follow.ravel()))
    write_lines(folder / "seeds.txt", (str(int(s)) for s in seeds))
    write_lines(folder / "choice_counts.txt", (f"{m} {n}" for m, n in zip(meanings, counts)))


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    rscript, exe, readme, scenario, library = argv[1:]
    checker = Path(__file__).with_name("read_results.R")
    with tempfile.TemporaryDirectory(prefix="loyalsim-r-") as folder:
        work = Path(folder)
        (work / "results").mkdir()
        results = work / "results" / "classroom.h5"
        done = subprocess.run([exe, "run", scenario, "-o", str(results), "--events", "--quiet"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            print(f"run_recipe.py: FAILED: loyalsim exited with {done.returncode}:\n{done.stderr}", file=sys.stderr)
            return 1
        try:
            write_expected(results, work / "expected")
        except (OSError, KeyError, RuntimeError) as error:
            print(f"run_recipe.py: FAILED: {error}", file=sys.stderr)
            return 1
        return subprocess.run([rscript, "--vanilla", str(checker), readme, str(work), library],
                              timeout=300).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
