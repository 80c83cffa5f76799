"""Checks of results files for tests/cli/test_sweep_ux.cpp (h5py):

    sweep_ux_check.py same-run A RUN_A B RUN_B   run RUN_A of A has the same seed,
        parameter values, summary/ and timeseries/ as run RUN_B of B
    sweep_ux_check.py same-run-data A RUN_A B RUN_B   the same seed, summary/ and
        timeseries/ (the varied parameters may be named differently)
    sweep_ux_check.py column FILE NAME         prints runs/NAME, one value a line

Exit 0 when the check holds, 1 (with the reason) otherwise.
"""
import sys

import h5py
import numpy as np


def same_run(a_path, run_a, b_path, run_b, parameters=True):
    run_a, run_b = int(run_a), int(run_b)
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        for name in ("seed", "point", "replicate"):
            if a["runs"][name][run_a] != b["runs"][name][run_b]:
                return f"runs/{name}: {a['runs'][name][run_a]} != {b['runs'][name][run_b]}"
        varied = a["design/parameter"][()] if parameters and "design" in a else []
        for name in [n.decode() if isinstance(n, bytes) else n for n in varied]:
            if a["runs"][name][run_a] != b["runs"][name][run_b]:
                return f"runs/{name}: {a['runs'][name][run_a]} != {b['runs'][name][run_b]}"
        compared = 0
        for group in ("summary", "timeseries"):
            for name, ds in a[group].items():
                if name in ("run", "month", "firm", "segment"):
                    continue
                x, y = np.asarray(ds[run_a]), np.asarray(b[group][name][run_b])
                if x.shape != y.shape or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                    return f"{group}/{name} differs"
                compared += 1
        if compared == 0:
            return "nothing compared"
    return None


def same_run_data(a_path, run_a, b_path, run_b):
    return same_run(a_path, run_a, b_path, run_b, parameters=False)


def column(path, name):
    with h5py.File(path, "r") as f:
        for value in f["runs"][name][()]:
            print(value)
    return None


def main(argv):
    commands = {"same-run": (same_run, 4), "same-run-data": (same_run_data, 4), "column": (column, 2)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__)
        return 2
    function, _ = commands[argv[1]]
    problem = function(*argv[2:])
    if problem:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
