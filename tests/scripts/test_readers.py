"""The plot scripts read results through scripts/loyalsim_results.py and take
what they know from the file itself.

Usage: /usr/bin/python3 test_readers.py PATH_TO_loyalsim SCRIPTS_DIR TEST_DATA_DIR

Writes a single run (tiny.toml, --events) and a sweep (sweeps/lhs.toml),
then a doctored copy of each that a reader relying on constants copied from
the C++, or on the `scenario` text rather than `scenario_resolved`, reads
differently:

- the root attribute `scenario` is replaced by text that is not TOML;
- runs/status and events/choice are recoded (every code +10), with their
  flag_values saying so.

Each script's reading function must give the same result for the original
and the doctored file. Exits non-zero with a message on failure.
"""

import importlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def run_loyalsim(exe, scenario, output, *options):
    command = [exe, "run", str(scenario), "-o", str(output), "--quiet", *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    require(done.returncode == 0, f"`{' '.join(command)}` exited with {done.returncode}:\n{done.stderr}")


def recode(dataset, shift):
    """Adds shift to every code of a coded dataset and to its flag_values."""
    values = dataset[()]
    dataset[...] = (values + shift).astype(values.dtype)
    flags = dataset.attrs["flag_values"]
    dataset.attrs.modify("flag_values", (flags + shift).astype(flags.dtype))


def doctor(original, copy):
    shutil.copyfile(original, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs.modify("scenario", "this is [[[ not the scenario in force")
        recode(f["runs/status"], 10)
        if "events" in f:
            recode(f["events/choice"], 10)
    return copy


def same(a, b, where="result"):
    """Deep equality of the scripts' results (dicts, lists, numpy arrays, NaN = NaN)."""
    if isinstance(a, dict):
        require(isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {list(a)} != {list(b)}")
        for k in a:
            same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        require(isinstance(b, (list, tuple)) and len(a) == len(b), f"{where}: {a!r} != {b!r}")
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        require(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True), f"{where}: {a!r} != {b!r}")
    elif isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        pass
    else:
        require(a == b, f"{where}: {a!r} != {b!r}")


def check_single_run(folder, exe, data):
    import plot_classroom
    import plot_retention

    original = folder / "tiny.h5"
    run_loyalsim(exe, data / "tiny.toml", original, "--events")
    doctored = doctor(original, folder / "tiny_doctored.h5")

    retention = plot_retention.load(str(original), 0)
    require(retention["departures"], "plot_retention finds no scripted departure in tiny.toml's run")
    # The paths differ by name only; everything read must be equal.
    same(retention, plot_retention.load(str(doctored), 0), "plot_retention.load")

    records, segments, params = plot_classroom.read_file(str(original))
    require(records and segments and not params, "plot_classroom.read_file found no star departure")
    require(records[0]["stay"] + records[0]["follow"] + records[0]["defect"] > 0.999,
            f"the star's choices do not add up: {records[0]}")
    again = plot_classroom.read_file(str(doctored))
    for r in again[0]:
        r["file"] = str(original)
    same((records, segments, params), again, "plot_classroom.read_file")


def check_sweep(folder, exe, data):
    import loyalsim_results
    import plot_classroom
    import plot_sweep

    original = folder / "lhs.h5"
    run_loyalsim(exe, data / "sweeps" / "lhs.toml", original)
    doctored = doctor(original, folder / "lhs_doctored.h5")
    for rate in ("follow_rate", "orphaned"):
        loaded = plot_sweep.load(str(original), rate)
        require(loaded["runs_done"] == loaded["runs_total"] > 0, f"plot_sweep: {loaded['runs_done']} runs done")
        same(loaded, plot_sweep.load(str(doctored), rate), f"plot_sweep.load(rate={rate})")
    # The what-if marker: the value in force (3.0 in lhs.toml), from scenario_resolved.
    require(plot_classroom.base_value(str(doctored), "segments.complex.rep_weight") == 3.0,
            "plot_classroom.base_value does not read scenario_resolved")
    with loyalsim_results.open_file(str(doctored)) as f:
        codes = loyalsim_results.flags(f["runs/status"], str(doctored))
        require(codes == {"pending": 10, "done": 11, "failed": 12}, f"runs/status codes read as {codes}")
        require(bool(loyalsim_results.done_runs(f, str(doctored)).all()), "done_runs misses recoded runs")


def check_one_reader(scripts):
    """No script opens files or parses the scenario on its own."""
    for script in sorted(scripts.glob("plot_*.py")):
        text = script.read_text(encoding="utf-8")
        for pattern in ("h5py.File(", 'attrs["scenario"]', "attrs['scenario']", "tomllib"):
            require(pattern not in text, f"{script.name} uses {pattern} itself: read through loyalsim_results")


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    exe, scripts, data = argv[1], Path(argv[2]), Path(argv[3])
    sys.path.insert(0, str(scripts))
    importlib.invalidate_caches()
    try:
        check_one_reader(scripts)
        with tempfile.TemporaryDirectory(prefix="loyalsim-readers-") as folder:
            check_single_run(Path(folder), exe, data)
            check_sweep(Path(folder), exe, data)
    except CheckFailed as failure:
        print(f"test_readers: FAILED: {failure}", file=sys.stderr)
        return 1
    print("test_readers: the plot scripts read the file's own names, codes and scenario_resolved")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
