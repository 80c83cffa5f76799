"""Acceptance check of the README's "The results file": a results file opens in xarray
(h5netcdf engine) with named dimensions, and pandas reads runs/.

Usage: /usr/bin/python3 check_xarray.py PATH_TO_loyalsim PATH_TO_SCENARIO.toml

Runs `loyalsim run SCENARIO -o TMPDIR/x.h5 --events --quiet`, then opens every group
on its own, as users do, and checks dimensions, coordinates, attributes and
that the values were written. Exits non-zero with a message on failure.
"""

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

TIMESERIES_BY_SEGMENT = [
    "customers", "orphaned", "could_follow", "stayed", "followed", "defected", "followers_gained",
    "churned", "acquired", "revenue", "brand_loyalty_mean", "rep_loyalty_mean",
]
TIMESERIES_BY_FIRM = ["reps_active", "rep_departures", "rep_departures_to_competitor"]
SUMMARY = [
    "orphaned", "stayed", "followed", "defected", "could_follow", "stayed_when_contested",
    "churned", "customer_months", "book_months_before", "book_months_after",
    "all_months_before", "all_months_after",
    "firm_retention_rate", "follow_rate", "follow_rate_when_possible", "retention_when_contested",
    "rep_ownership_share", "retained_12m_after_stay",
    "customer_churn_realised", "departure_triggered_share", "book_revenue_change_did",
]
SUMMARY_BY_FIRM = ["rep_departures", "rep_months", "rep_turnover_realised"]
RUNS_COLUMNS = ["point", "replicate", "seed", "seed_text", "status", "wall_seconds"]


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def run_loyalsim(exe, scenario, output):
    command = [exe, "run", str(scenario), "-o", str(output), "--events", "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    require(done.returncode == 0,
            f"`{' '.join(command)}` exited with {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    require(output.is_file(), f"`{' '.join(command)}` succeeded but wrote no {output}")


def open_group(path, group):
    try:
        return xr.open_dataset(path, group=group, engine="h5netcdf")
    except Exception as error:  # the message of any failure is the finding
        raise CheckFailed(f"xarray cannot open group {group}/ of {path}: "
                          f"{type(error).__name__}: {error}") from error


def check_described(ds, group):
    for name, variable in ds.variables.items():
        for attribute in ("units", "description"):
            require(attribute in variable.attrs,
                    f"{group}/{name} has no '{attribute}' attribute")


def check_names(ds, group, dim, expected):
    require(dim in ds.coords, f"{group}/: dimension '{dim}' has no coordinate")
    actual = [v for v in ds[dim].values]
    require(all(isinstance(v, str) and v for v in actual),
            f"{group}/{dim} coordinate is {actual}, expected names (strings)")
    # A scenario that leaves the list to its default has no names to compare.
    require(not expected or actual == expected,
            f"{group}/{dim} coordinate is {actual}, expected the scenario's names {expected}")


def check_variables(ds, group, names, dims):
    for name in names:
        require(name in ds.data_vars, f"{group}/{name} missing")
        variable = ds[name]
        require(variable.dims == dims, f"{group}/{name} has dims {variable.dims}, expected {dims}")
        # Counts are int64 on disk with the HDF5 fill value -1: a -1 is a run
        # that was never written. (Rates and means may be NaN legitimately.)
        if np.issubdtype(variable.dtype, np.integer):
            require(not bool((variable == -1).any()),
                    f"{group}/{name} has unwritten (fill value) entries after a finished run")


def check_integers_stay_integers(path, ds, group):
    """Every variable stored as an integer loads as that integer type.

    A netCDF _FillValue (or missing_value) on an integer makes xarray mask it
    and so load it as float64: counts would read 1234.0, and -1 as NaN.
    """
    with h5py.File(path, "r") as f:
        stored = {name: f[group][name].dtype for name in f[group]
                  if isinstance(f[group][name], h5py.Dataset)}
    integers = [name for name, dtype in stored.items() if np.issubdtype(dtype, np.integer)]
    require(integers, f"{group}/ has no integer variable to check")
    for name in integers:
        require(name in ds.variables, f"{group}/{name} is in the file but not in xarray's dataset")
        loaded = ds[name].dtype
        require(loaded == stored[name],
                f"{group}/{name} is {stored[name]} in the file but xarray loads it as {loaded} "
                f"(masked by {[k for k in ('_FillValue', 'missing_value') if k in ds[name].encoding]})")


def check_file(path, scenario):
    firms = [f["name"] for f in scenario.get("firms", [])]
    segments = [s["name"] for s in scenario.get("segments", [])]

    with h5py.File(path, "r") as f:
        require(f.attrs.get("format") == "loyalsim-results",
                f"root attribute format is {f.attrs.get('format')!r}")
        require(int(f.attrs.get("format_version", -1)) == 1,
                "root attribute format_version is not 1")
        for attribute in ("software_version", "command_line", "scenario_path", "scenario",
                          "scenario_seed", "created_utc"):
            require(attribute in f.attrs, f"root attribute '{attribute}' missing")

    # timeseries/: (run, month, firm, segment) and (run, month, firm)
    with open_group(path, "timeseries") as ts:
        require(set(ts.dims) == {"run", "month", "firm", "segment"},
                f"timeseries/ dimensions are {dict(ts.sizes)}, expected run, month, firm, segment")
        runs = ts.sizes["run"]
        require(list(ts["run"].values) == list(range(runs)), "timeseries/run is not 0..runs-1")
        require(list(ts["month"].values) == list(range(1, ts.sizes["month"] + 1)),
                "timeseries/month is not 1..months")
        check_names(ts, "timeseries", "firm", firms)
        check_names(ts, "timeseries", "segment", segments)
        check_variables(ts, "timeseries", TIMESERIES_BY_SEGMENT,
                        ("run", "month", "firm", "segment"))
        check_variables(ts, "timeseries", TIMESERIES_BY_FIRM, ("run", "month", "firm"))
        check_described(ts, "timeseries")
        check_integers_stay_integers(path, ts, "timeseries")

    # summary/: (run, firm, segment), and (run, firm) for the per-firm metrics
    with open_group(path, "summary") as summary:
        require(set(summary.dims) == {"run", "firm", "segment"},
                f"summary/ dimensions are {dict(summary.sizes)}, expected run, firm, segment")
        require(summary.sizes["run"] == runs, "summary/ and timeseries/ disagree on runs")
        check_names(summary, "summary", "firm", firms)
        check_names(summary, "summary", "segment", segments)
        check_variables(summary, "summary", SUMMARY, ("run", "firm", "segment"))
        check_variables(summary, "summary", SUMMARY_BY_FIRM, ("run", "firm"))
        check_described(summary, "summary")
        check_integers_stay_integers(path, summary, "summary")

    # runs/: one row per run, readable as a pandas table indexed by run
    with open_group(path, "runs") as table:
        require(set(table.dims) == {"run"}, f"runs/ dimensions are {dict(table.sizes)}")
        check_described(table, "runs")
        check_integers_stay_integers(path, table, "runs")
        frame = table.to_dataframe()
    require(isinstance(frame, pd.DataFrame) and frame.index.name == "run",
            "runs/ does not read as a pandas table indexed by run")
    require(len(frame) == runs, f"runs/ has {len(frame)} rows for {runs} runs")
    for column in RUNS_COLUMNS:
        require(column in frame.columns, f"runs/ has no column '{column}' ({list(frame.columns)})")
    require(bool((frame["status"] == 1).all()),
            f"runs/status is not all done (1): {frame['status'].tolist()}")
    require(bool((frame["wall_seconds"] >= 0).all()), "runs/wall_seconds has unwritten rows")
    require(bool((frame["scripted_shortfall"] >= 0).all()), "runs/scripted_shortfall has unwritten rows")
    # R reads seed_text (decimal) where it cannot hold an unsigned 64-bit seed.
    require(frame["seed"].dtype == np.uint64, f"runs/seed loads as {frame['seed'].dtype}, not uint64")
    require([str(v) for v in frame["seed_text"]] == [str(int(v)) for v in frame["seed"]],
            f"runs/seed_text {list(frame['seed_text'])} is not runs/seed {list(frame['seed'])} in decimal")

    # events/ is opt-in; when present it must open too.
    with h5py.File(path, "r") as f:
        has_events = "events" in f
    if has_events:
        with open_group(path, "events") as events:
            require(set(events.dims) == {"event"}, f"events/ dimensions are {dict(events.sizes)}")
            check_described(events, "events")
            check_integers_stay_integers(path, events, "events")


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, scenario_path = argv[1], Path(argv[2])
    try:
        with open(scenario_path, "rb") as f:
            scenario = tomllib.load(f)
        with tempfile.TemporaryDirectory(prefix="loyalsim-xarray-") as folder:
            output = Path(folder) / "x.h5"
            run_loyalsim(exe, scenario_path, output)
            check_file(output, scenario)
    except CheckFailed as failure:
        print(f"check_xarray: FAILED: {failure}", file=sys.stderr)
        return 1
    except (OSError, tomllib.TOMLDecodeError, subprocess.TimeoutExpired) as error:
        print(f"check_xarray: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"check_xarray: {scenario_path.name}: every group opens with named dimensions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
