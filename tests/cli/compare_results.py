"""Checks of loyalsim sweep results files for tests/cli/test_sweep_cli.cpp.

    compare_results.py same A.h5 B.h5
        Every dataset of A equals the one of B (same groups, names, shapes,
        types and values, NaN equal to NaN), and so do the attributes of every
        group and dataset, except runs/wall_seconds (timing) and the root
        attributes created_utc, command_line and scenario_path.

    compare_results.py same-runs A.h5 B.h5
        The runs both files hold, matched by (point, replicate) rather than
        run number, have equal seeds, parameter values, timeseries/ and
        summary/ (A is the sweep with fewer replicates). The design points of
        A must be those of B.

    compare_results.py partial FILE.h5.partial
        A file of an unfinished sweep is readable and consistent: some runs
        are done (status 1) and some are not; every done run has its runs/ row
        and complete timeseries/ and summary/ data (no fill value: -1 for
        counts, NaN for revenue); runs that are not done hold only fill values.

    compare_results.py design FILE.h5
        runs/ has one column per varied parameter, named by its full path
        (design/parameter), whose values are design/points[runs/point]; runs
        are numbered point-major (run = point x replicates + replicate); the
        root attribute scenario_hash is a non-empty string; grid designs are
        the Cartesian product of design/values, first parameter slowest; lhs
        and sobol points lie inside [design/low, design/high].

    compare_results.py events FILE.h5
        events/ is in (run, month, customer) order with one row per
        customer and month at most, its ids (events/event) are 0..n-1 in
        that order, and every done run (runs/status 1) has as many rows as
        its summary/orphaned total; runs not done have none (so a partial
        file passes too).

Prints what differs and exits 1 on a failed check, 0 otherwise.
"""

import itertools
import sys

import h5py
import numpy as np

IGNORED_DATASETS = {"/runs/wall_seconds"}
IGNORED_ROOT_ATTRIBUTES = {"created_utc", "command_line", "scenario_path"}  # how and when it was invoked
# HDF5 dimension-scale bookkeeping: object references, meaningful only inside one file.
REFERENCE_ATTRIBUTES = {"DIMENSION_LIST", "REFERENCE_LIST"}

problems = []


def problem(text):
    problems.append(text)
    if len(problems) <= 30:
        print(text)


def open_file(path):
    try:
        return h5py.File(path, "r", locking=False)
    except TypeError:
        return h5py.File(path, "r")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def equal_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    if a.dtype.kind == "O" or b.dtype.kind == "O":
        return [text(x) for x in a.ravel()] == [text(x) for x in b.ravel()]
    return bool(np.array_equal(a, b))


def compare_attributes(name, a, b, ignored=()):
    keys_a = {k for k in a.attrs if k not in REFERENCE_ATTRIBUTES and k not in ignored}
    keys_b = {k for k in b.attrs if k not in REFERENCE_ATTRIBUTES and k not in ignored}
    if keys_a != keys_b:
        problem(f"{name}: attributes differ: {sorted(keys_a ^ keys_b)}")
    for key in sorted(keys_a & keys_b):
        if not equal_values(a.attrs[key], b.attrs[key]):
            problem(f"{name}: attribute {key} differs: {a.attrs[key]!r} vs {b.attrs[key]!r}")


def walk(group):
    """Every object below group: {path: object}."""
    found = {}

    def visit(name, obj):  # returns None: visititems stops at the first other value
        found["/" + name] = obj

    group.visititems(visit)
    return found


def same(path_a, path_b):
    with open_file(path_a) as a, open_file(path_b) as b:
        compare_attributes("/", a, b, IGNORED_ROOT_ATTRIBUTES)
        objects_a, objects_b = walk(a), walk(b)
        if set(objects_a) != set(objects_b):
            problem(f"objects only in one file: {sorted(set(objects_a) ^ set(objects_b))}")
        compared = 0
        for name in sorted(set(objects_a) & set(objects_b)):
            x, y = objects_a[name], objects_b[name]
            if isinstance(x, h5py.Group) != isinstance(y, h5py.Group):
                problem(f"{name}: a group in one file, a dataset in the other")
                continue
            compare_attributes(name, x, y)
            if isinstance(x, h5py.Group) or name in IGNORED_DATASETS:
                continue
            if x.dtype != y.dtype or x.shape != y.shape:
                problem(f"{name}: {x.dtype} {x.shape} vs {y.dtype} {y.shape}")
                continue
            va, vb = x[()], y[()]
            if not equal_values(va, vb):
                where = ""
                if va.dtype.kind in "fiu" and va.ndim > 0:
                    diff = ~((va == vb) | (np.isnan(va) & np.isnan(vb)) if va.dtype.kind == "f" else va == vb)
                    index = np.argwhere(diff)
                    where = f" at {len(index)} places, first {tuple(index[0])}: {va[tuple(index[0])]} vs " \
                            f"{vb[tuple(index[0])]}"
                problem(f"{name}: values differ{where}")
            compared += 1
        if compared < 30:
            problem(f"only {compared} datasets compared: not loyalsim results files?")
        print(f"compared {compared} datasets")


def same_runs(path_a, path_b):
    with open_file(path_a) as a, open_file(path_b) as b:
        if not equal_values(a["design/points"][()], b["design/points"][()]):
            problem("design/points differ")
        index_b = {(int(p), int(r)): run for run, (p, r) in
                   enumerate(zip(b["runs/point"][()], b["runs/replicate"][()]))}
        runs_a = list(zip(range(a["runs/run"].shape[0]), a["runs/point"][()], a["runs/replicate"][()]))
        if len(runs_a) >= len(index_b):
            problem(f"{path_a} has {len(runs_a)} runs, {path_b} {len(index_b)}: expected fewer in the first")
        renumbered = 0
        columns = [n for n in a["runs"] if n not in ("run", "wall_seconds", "point", "replicate")]
        datasets = [f"{g}/{n}" for g in ("timeseries", "summary") for n in a[g]
                    if a[f"{g}/{n}"].ndim >= 3]
        for run_a, p, r in runs_a:
            run_b = index_b.get((int(p), int(r)))
            if run_b is None:
                problem(f"run {run_a} (point {p}, replicate {r}) is missing from {path_b}")
                continue
            renumbered += run_a != run_b
            for name in columns:
                if not equal_values(a["runs"][name][run_a], b["runs"][name][run_b]):
                    problem(f"runs/{name} of (point {p}, replicate {r}) differs")
            for name in datasets:
                if not equal_values(a[name][run_a], b[name][run_b]):
                    problem(f"{name} of (point {p}, replicate {r}) differs (runs {run_a} and {run_b})")
        if renumbered == 0:
            problem("no run changed its number: the check would not notice a numbering bug")
        print(f"matched {len(runs_a)} runs ({renumbered} renumbered), {len(datasets)} datasets each")


def partial(path):
    with open_file(path) as f:
        status = f["runs/status"][()]
        done = status == 1
        print(f"{int(done.sum())} of {status.size} runs done")
        if not done.any():
            problem("no run is done")
        if done.all():
            problem("every run is done: not the file of an unfinished sweep")
        if f.attrs.get("complete", 0) == 1:
            problem("the file says it is complete")
        for name, ds in f["runs"].items():
            if name in ("run", "status") or ds.ndim != 1:
                continue
            values = ds[()]
            if values.dtype.kind == "f" and np.isnan(values[done]).any():
                problem(f"runs/{name} has no value for a done run")
            if name == "scripted_shortfall" and (values[done] < 0).any():
                problem(f"runs/{name} has the fill value for a done run")
        for group in ("timeseries", "summary"):
            for name, ds in f[group].items():
                if ds.ndim < 3:
                    continue
                values = ds[()]
                filled = values == -1 if values.dtype.kind == "i" else None
                if filled is None and name == "revenue":
                    filled = np.isnan(values)
                if filled is None:
                    continue
                per_run = filled.reshape(filled.shape[0], -1)
                if per_run[done].any():
                    problem(f"{group}/{name}: a done run holds fill values (runs "
                            f"{np.flatnonzero(per_run[done].any(axis=1))[:5]} of the done ones)")
                if not per_run[~done].all():
                    problem(f"{group}/{name}: a run that is not done holds data")
        runs_done = [int(r) for r in np.flatnonzero(done)]
        point, replicate = f["runs/point"][()], f["runs/replicate"][()]
        replicates = int(f["design"].attrs["replicates"])
        for run in runs_done:
            if point[run] * replicates + replicate[run] != run:
                problem(f"runs/point and replicate of done run {run} do not give its number")
                break


def design(path):
    with open_file(path) as f:
        parameters = [text(p) for p in f["design/parameter"][()]]
        points = f["design/points"][()]
        replicates = int(f["design"].attrs["replicates"])
        kind = text(f["design"].attrs["type"])
        runs = f["runs"]
        if not parameters:
            problem("design/parameter is empty")
        if points.shape != (points.shape[0], len(parameters)):
            problem(f"design/points has shape {points.shape} for {len(parameters)} parameters")
        n_runs = runs["run"].shape[0]
        if n_runs != points.shape[0] * replicates:
            problem(f"{n_runs} runs for {points.shape[0]} points x {replicates} replicates")
        point, replicate = runs["point"][()], runs["replicate"][()]
        if not np.array_equal(point * replicates + replicate, np.arange(n_runs)):
            problem("runs are not numbered point x replicates + replicate")
        fixed = {"run", "point", "replicate", "seed", "seed_text", "status", "wall_seconds", "scripted_shortfall"}
        extra = sorted(set(runs) - fixed - set(parameters))
        if extra:
            problem(f"runs/ has columns that are not varied parameters: {extra}")
        for k, name in enumerate(parameters):
            if name not in runs:
                problem(f"runs/ has no column '{name}'")
                continue
            if not np.array_equal(runs[name][()], points[point, k]):
                problem(f"runs/{name} is not design/points[runs/point, {k}]")
        seeds = runs["seed"][()]
        if len(set(seeds.tolist())) != n_runs:
            problem("two runs share a seed")
        texts = [t.decode() if isinstance(t, bytes) else t for t in runs["seed_text"][()]]
        done = runs["status"][()] == 1
        if [t for t, d in zip(texts, done) if d] != [str(int(v)) for v in seeds[done]]:
            problem("runs/seed_text is not runs/seed in decimal")
        scenario_hash = f.attrs.get("scenario_hash")
        if scenario_hash is None or not text(scenario_hash).strip():
            problem("no scenario_hash root attribute")
        if kind == "grid":
            lists = [f["design/values"][name][()] for name in parameters]
            expected = np.array(list(itertools.product(*lists)), dtype=float)
            if not np.array_equal(points, expected):
                problem("design/points of a grid is not the product of design/values, first parameter slowest")
        elif kind in ("lhs", "sobol"):
            low, high = f["design/low"][()], f["design/high"][()]
            if (points < low).any() or (points > high).any():
                problem("a sampled point lies outside [low, high]")
            if kind == "lhs":
                n = points.shape[0]
                for k in range(len(parameters)):  # one point in each of n equal strata
                    strata = np.floor((points[:, k] - low[k]) / (high[k] - low[k]) * n).clip(0, n - 1)
                    if len(set(strata.tolist())) != n:
                        problem(f"the lhs points of {parameters[k]} do not fill every stratum once")
        print(f"{kind} design: {points.shape[0]} points x {replicates} replicates, parameters {parameters}")


def events(path):
    with open_file(path) as f:
        if "events" not in f:
            problem("no events/ group")
            return
        g = f["events"]
        run, month, customer = g["run"][()], g["month"][()], g["customer"][()]
        ids = g["event"][()]
        if not np.array_equal(ids, np.arange(run.size)):
            problem("events/event is not 0..n-1")
        keys = np.stack([run.astype(np.int64), month.astype(np.int64), customer.astype(np.int64)])
        steps = np.diff(keys, axis=1)
        # Strictly increasing in (run, month, customer): the first key that changes goes up.
        first_change = np.argmax(steps != 0, axis=0)
        rising = steps[first_change, np.arange(steps.shape[1])] > 0
        if not rising.all():
            bad = int(np.flatnonzero(~rising)[0])
            problem(f"events/ rows {bad} and {bad + 1} are not in strict (run, month, customer) order: "
                    f"{tuple(keys[:, bad])} then {tuple(keys[:, bad + 1])}")
        status = f["runs/status"][()]
        done = status == 1
        counts = np.bincount(run, minlength=status.size) if run.size else np.zeros(status.size, dtype=int)
        if counts.size > status.size:
            problem(f"events/ names runs beyond the {status.size} of runs/")
            counts = counts[:status.size]
        orphaned = f["summary/orphaned"][()].reshape(status.size, -1).sum(axis=1)
        wrong = np.flatnonzero(done & (counts != orphaned))
        if wrong.size:
            problem(f"done runs {wrong[:5].tolist()} have {counts[wrong[:5]].tolist()} events/ rows "
                    f"but {orphaned[wrong[:5]].tolist()} orphaned decisions")
        stray = np.flatnonzero(~done & (counts > 0))
        if stray.size:
            problem(f"runs {stray[:5].tolist()} are not done but have events/ rows")
        print(f"checked {run.size} events of {int(done.sum())} done runs")


def main(argv):
    commands = {"same": (same, 2), "same-runs": (same_runs, 2), "partial": (partial, 1), "design": (design, 1),
                "events": (events, 1)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    function, _ = commands[argv[1]]
    function(*argv[2:])
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
