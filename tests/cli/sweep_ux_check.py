"""Checks of results files for tests/cli/test_sweep_ux.cpp (h5py):

    sweep_ux_check.py same-run A RUN_A B RUN_B   run RUN_A of A has the same seed,
        parameter values, summary/ and timeseries/ as run RUN_B of B
    sweep_ux_check.py same-run-data A RUN_A B RUN_B   the same seed, summary/ and
        timeseries/ (the varied parameters may be named differently)
    sweep_ux_check.py same-runs-data A B       the same for every run of A and B
    sweep_ux_check.py column FILE NAME         prints runs/NAME, one value a line
    sweep_ux_check.py csv FILE DIR             DIR's runs.csv, summary.csv and
        timeseries.csv hold exactly FILE's runs/, summary/ and timeseries/

Exit 0 when the check holds, 1 (with the reason) otherwise.
"""
import csv
import math
import os
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


def same_runs_data(a_path, b_path):
    """Every run of A has the data of the same run of B (and they have as many)."""
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        runs = len(a["runs/run"])
        if runs != len(b["runs/run"]):
            return f"{runs} runs against {len(b['runs/run'])}"
    for run in range(runs):
        problem = same_run(a_path, run, b_path, run, parameters=False)
        if problem:
            return f"run {run}: {problem}"
    return None


def column(path, name):
    with h5py.File(path, "r") as f:
        for value in f["runs"][name][()]:
            print(value)
    return None


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def same_number(cell, value):
    """A CSV cell against a stored value: empty for NaN, else the same number exactly."""
    value = float(value)
    if math.isnan(value):
        return cell == ""
    return cell != "" and float(cell) == value


def check_csv(path, folder):
    with h5py.File(path, "r") as f:
        runs = f["runs"]
        params = [text(p) for p in f["design/parameter"][()]] if "design" in f else []
        status = runs["status"][()]
        done = [r for r in range(len(status)) if status[r] == 1]
        with open(os.path.join(folder, "runs.csv"), newline="", encoding="utf-8") as table:
            rows = list(csv.DictReader(table))
        if len(rows) != len(status):
            return f"runs.csv has {len(rows)} rows, runs/ {len(status)}"
        for r, row in enumerate(rows):
            if int(row["seed"]) != int(runs["seed"][r]) or int(row["point"]) != int(runs["point"][r]):
                return f"runs.csv row {r}: seed or point differs"
            for p in params:
                if not same_number(row[p], runs[p][r]):
                    return f"runs.csv row {r}: {p} = {row[p]}, runs/ has {runs[p][r]}"
        firms = [text(x) for x in f["summary/firm"][()]]
        segments = [text(x) for x in f["summary/segment"][()]]
        stored = [n for n in f["summary"] if n not in ("run", "firm", "segment")]
        metrics = [n for n in stored if f["summary"][n].ndim == 3]
        firm_metrics = [n for n in stored if f["summary"][n].ndim == 2]
        with open(os.path.join(folder, "firm_summary.csv"), newline="", encoding="utf-8") as table:
            firm_rows = list(csv.DictReader(table))
        if len(firm_rows) != len(done) * len(firms) or not firm_metrics:
            return f"firm_summary.csv has {len(firm_rows)} rows, expected {len(done) * len(firms)}"
        for row in firm_rows:
            r, fi = int(row["run"]), firms.index(row["firm"])
            if "segment" in row:
                return "firm_summary.csv has a segment column"
            for m in firm_metrics:
                if not same_number(row[m], f["summary"][m][r, fi]):
                    return f"firm_summary.csv run {r} {row['firm']}: {m} = {row[m]}, file has {f['summary'][m][r, fi]}"
        with open(os.path.join(folder, "summary.csv"), newline="", encoding="utf-8") as table:
            rows = list(csv.DictReader(table))
        if any(m in rows[0] for m in firm_metrics) if rows else False:
            return "summary.csv repeats a per-firm metric on every segment's row"
        if len(rows) != len(done) * len(firms) * len(segments):
            return f"summary.csv has {len(rows)} rows, expected {len(done) * len(firms) * len(segments)}"
        summary = {m: f["summary"][m][()] for m in metrics}
        for row in rows:
            r, fi, si = int(row["run"]), firms.index(row["firm"]), segments.index(row["segment"])
            for p in params:
                if not same_number(row[p], runs[p][r]):
                    return f"summary.csv run {r}: {p} differs"
            for m in metrics:
                if not same_number(row[m], summary[m][r, fi, si]):
                    return f"summary.csv run {r} {row['firm']} {row['segment']}: {m} = {row[m]}, file has {summary[m][r, fi, si]}"
        series = os.path.join(folder, "timeseries.csv")
        if os.path.exists(series):
            count = 0
            stored = {n: ds[()] for n, ds in f["timeseries"].items() if n not in ("run", "month", "firm", "segment")}
            with open(series, newline="", encoding="utf-8") as table:
                for row in csv.DictReader(table):
                    ds = stored[row["metric"]]
                    r, month, fi = int(row["run"]), int(row["month"]) - 1, firms.index(row["firm"])
                    value = ds[r, month, fi, segments.index(row["segment"])] if row["segment"] else ds[r, month, fi]
                    if not same_number(row["value"], value):
                        return f"timeseries.csv {row}: file has {value}"
                    count += 1
            expected = sum(len(done) * ds.shape[1] * int(np.prod(ds.shape[2:]))
                           for n, ds in f["timeseries"].items() if n not in ("run", "month", "firm", "segment"))
            if count != expected:
                return f"timeseries.csv has {count} rows, expected {expected}"
    return None


def main(argv):
    commands = {"same-run": (same_run, 4), "same-run-data": (same_run_data, 4), "same-runs-data": (same_runs_data, 2), "column": (column, 2), "csv": (check_csv, 2)}
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
