#!/usr/bin/env python3
"""Runs loyalsim's validation scenarios and sets each published figure beside loyalsim's.

Usage:
    /usr/bin/python3 scripts/validate.py [--loyalsim build/src/loyalsim]
        [--replicates 30] [--figures scripts/validation_figures.toml]
        [--setting NAME ...] [--output TABLE.md] [--update-doc docs/VALIDATION.md]
        [--check] [--keep DIR]

For every setting named in the figures file (scripts/validation_figures.toml)
it runs scenarios/validation/<setting>.toml with --replicates replicates (a
copy of the scenario with a one-point `list` sweep appended, so the replicates
are the runs of one results file and their seeds are derived from the
scenario's seed as for any sweep: the first 5 replicates of a 30-replicate
table are the 5 replicates of a 5-replicate one), reads the results with
scripts/loyalsim_results.py and prints a markdown table: the published figure,
its source, whether loyalsim's parameters were fitted to it, loyalsim's mean
and 95% t-interval over the replicates, and whether the mean lies inside the
figure's band.

--update-doc replaces the table between the markers
    <!-- validate.py table begin --> and <!-- validate.py table end -->
of the given markdown file, so the document shows this script's output and
not hand-typed numbers.

--check (for the test suite) exits with status 1 unless every figure marked
`check = true` has its mean inside its band AND an interval half-width of at
most HALF_WIDTH_FRACTION of the band's width: a mean inside the band says
little when the interval is as wide as the band, so a check whose replicates
are too few or whose population is too small to resolve the band fails
rather than passing by luck.

Exit status: 0 success, 1 a failed --check or a failed run, 2 bad arguments or
a bad figures file.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loyalsim_results as lr  # noqa: E402

PROGRAM = "validate.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FIGURES = os.path.join(ROOT, "scripts", "validation_figures.toml")
DEFAULT_LOYALSIM = os.path.join(ROOT, "build", "src", "loyalsim")

# A checked figure's 95% half-width may be at most this share of its band's
# width (see --check above). With a quarter, the interval spans at most half
# the band, so a pass cannot come from an interval that covers the whole band
# with its mean happening to fall inside; a mean near an edge still passes,
# which is what "inside the stated band" asks and no more.
HALF_WIDTH_FRACTION = 0.25

ROLES = {
    "fitted": "FITTED",
    "set": "SET (input)",
    "held_out": "HELD OUT",
    "stated": "stated intent/claim: not a behaviour",
    "not_reproducible": "NOT REPRODUCIBLE",
}
SOURCE_KINDS = ("primary", "secondary")
BEGIN_MARK = "<!-- validate.py table begin -->"
END_MARK = "<!-- validate.py table end -->"


# ------------------------------------------------------------ the figures file

def load_figures(path):
    """The [[figure]] tables of the figures file, checked; BadInput naming the file and figure."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise lr.BadInput(f"cannot read figures file '{path}': {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise lr.BadInput(f"figures file '{path}' is not TOML: {error}") from None
    figures = document.get("figure")
    if not isinstance(figures, list) or not figures:
        raise lr.BadInput(f"figures file '{path}' has no [[figure]] tables")
    for number, figure in enumerate(figures, start=1):
        where = f"'{path}': figure {number}"
        for key in ("setting", "label", "published", "source", "source_kind", "role"):
            if not isinstance(figure.get(key), str) or not figure[key]:
                raise lr.BadInput(f"{where}: key '{key}' must be a non-empty string")
        if figure["role"] not in ROLES:
            raise lr.BadInput(f"{where}: role '{figure['role']}' is not one of {', '.join(ROLES)}")
        if figure["source_kind"] not in SOURCE_KINDS:
            raise lr.BadInput(f"{where}: source_kind must be primary or secondary")
        band = figure.get("band")
        if band is not None:
            if (not isinstance(band, list) or len(band) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in band)
                    or not band[0] < band[1]):
                raise lr.BadInput(f"{where}: band must be [low, high] with low < high")
        metric = figure.get("metric")
        if figure["role"] == "not_reproducible":
            if not isinstance(figure.get("loyalsim"), str):
                raise lr.BadInput(f"{where}: a not_reproducible figure needs a 'loyalsim' text saying why")
        elif not isinstance(metric, dict) or ("ratio" in metric) == ("value" in metric):
            raise lr.BadInput(f"{where}: metric must be a table with either ratio = [numerator, denominator] "
                              "or value = \"summary dataset\"")
        elif "ratio" in metric and (not isinstance(metric["ratio"], list) or len(metric["ratio"]) != 2
                                    or not all(isinstance(n, str) for n in metric["ratio"])):
            raise lr.BadInput(f"{where}: ratio must be [numerator, denominator], two summary dataset names")
        elif not isinstance(metric.get("scale", 1.0), (int, float)) or isinstance(metric.get("scale"), bool):
            raise lr.BadInput(f"{where}: metric.scale must be a number")
        if isinstance(metric, dict):
            for key in ("firms", "segments"):
                chosen = metric.get(key)
                if chosen is not None and (not isinstance(chosen, list) or not chosen
                                           or not all(isinstance(n, str) for n in chosen)):
                    raise lr.BadInput(f"{where}: metric.{key} must be a non-empty list of names")
        if not isinstance(figure.get("check", False), bool):
            raise lr.BadInput(f"{where}: check must be true or false")
        if figure.get("check", False) and band is None:
            raise lr.BadInput(f"{where}: check = true needs a band")
    return figures


# ------------------------------------------------------------ running

def scenario_path(setting):
    return os.path.join(ROOT, "scenarios", "validation", f"{setting}.toml")


def replicated_copy(setting, replicates, directory, sweep=None):
    """A copy of the setting's scenario with a one-point list sweep of `replicates` replicates.

    With `sweep` ({parameter path: [values]}), a grid over those values instead.
    """
    source = scenario_path(setting)
    try:
        with open(source, "rb") as handle:
            text = handle.read().decode("utf-8")
    except OSError as error:
        raise lr.BadInput(f"cannot read scenario '{source}': {error.strerror}") from None
    values = tomllib.loads(text)
    if "sweep" in values:
        raise lr.BadInput(f"'{source}' has a [sweep] table: validation scenarios are single runs")
    if sweep:
        design, parameters = "grid", sweep
    else:
        substitutability = values.get("market", {}).get("substitutability")
        if not isinstance(substitutability, (int, float)):
            raise lr.BadInput(f"'{source}' must set market.substitutability explicitly "
                              "(the replicate sweep varies it over its own single value)")
        design, parameters = "list", {"market.substitutability": [float(substitutability)]}
    copy = os.path.join(directory, f"{setting}.toml")
    with open(copy, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.write("\n# appended by scripts/validate.py: the replicates of the design points\n")
        handle.write(f'[sweep]\ndesign = "{design}"\nreplicates = {replicates}\n[sweep.parameters]\n')
        for path, points in parameters.items():
            handle.write(f'"{path}" = [{", ".join(repr(float(v)) for v in points)}]\n')
    return copy


def run_setting(loyalsim, setting, replicates, directory, sweep=None):
    """Runs the setting's replicates (of every point of `sweep`); the results file's path."""
    copy = replicated_copy(setting, replicates, directory, sweep)
    output = os.path.join(directory, f"{setting}.h5")
    command = [loyalsim, "run", copy, "-o", output, "--quiet", "--force"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{PROGRAM}: error: `{' '.join(command)}` exited with {done.returncode}:\n{done.stderr}",
              file=sys.stderr)
        sys.exit(1)
    return output


# ------------------------------------------------------------ reading one metric

def cell_selection(dataset, metric, path):
    """numpy index (after the run axis) selecting the metric's firms and segments of a summary dataset."""
    coords = lr.coordinates(dataset, path)
    dims = list(coords)[1:]  # the first dimension is run
    index = []
    for dim in dims:
        names = coords[dim]
        wanted = metric.get(f"{dim}s")  # firms = [...], segments = [...]
        if wanted is None:
            index.append(list(range(len(names))))
            continue
        missing = [w for w in wanted if w not in names]
        if missing:
            raise lr.BadInput(f"'{path}': no {dim} named '{missing[0]}' (it has {', '.join(names)})")
        index.append([names.index(w) for w in wanted])
    return dims, index


def selected(f, name, metric, path, done):
    """The summary dataset `name` over the done runs and the selected cells: array (runs, cells)."""
    import numpy as np

    summary = lr.need(f, "summary", path)
    if name not in summary:
        raise lr.BadInput(f"'{path}' has no summary/{name}: was loyalsim built from a branch without it?")
    dataset = summary[name]
    dims, index = cell_selection(dataset, metric, path)
    values = np.asarray(dataset[()], dtype=np.float64)[done]
    for axis, chosen in enumerate(index, start=1):
        values = np.take(values, chosen, axis=axis)
    return values.reshape(values.shape[0], -1), dims


def per_run(f, metric, path, runs=None):
    """The metric's value in each done run (of the boolean mask `runs`, if given): a numpy array."""
    import numpy as np

    done = lr.done_runs(f, path)
    if runs is not None:
        done = done & runs
    if "ratio" in metric:
        numerator, denominator = metric["ratio"]
        top, _ = selected(f, numerator, metric, path, done)
        bottom, _ = selected(f, denominator, metric, path, done)
        top, bottom = top.sum(axis=1), bottom.sum(axis=1)
        scale = float(metric.get("scale", 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(bottom > 0, scale * top / bottom, np.nan)
    values, dims = selected(f, metric["value"], metric, path, done)
    if values.shape[1] != 1:
        raise lr.BadInput(f"summary/{metric['value']} of '{path}' has {values.shape[1]} cells for the "
                          f"figure's selection: name one of each of {', '.join(dims)} (firms = [...], "
                          "segments = [...]), or use ratio = [...] to pool counts")
    return values[:, 0]


def interval(values):
    """(mean, half-width of the 95% t-interval, n) over the finite values."""
    import numpy as np

    finite = values[np.isfinite(values)]
    n = int(finite.size)
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(finite.mean())
    if n == 1:
        return mean, math.inf, 1
    return mean, lr.t_quantile(n - 1) * float(finite.std(ddof=1)) / math.sqrt(n), n


# ------------------------------------------------------------ the table

def percent(value):
    return f"{100.0 * value:.1f}%"


def evaluate(figures, results):
    """One row per figure: the figure and loyalsim's mean, interval and verdict."""
    rows = []
    for figure in figures:
        row = dict(figure)
        if figure["role"] == "not_reproducible":
            row.update(mean=math.nan, half=math.nan, n=0, inside="n/a")
            rows.append(row)
            continue
        path = results[figure["setting"]]
        with lr.open_file(path) as f:
            mean, half, n = interval(per_run(f, figure["metric"], path))
        band = figure.get("band")
        if band is None or not math.isfinite(mean):
            inside = "n/a"
        else:
            inside = "yes" if band[0] <= mean <= band[1] else "no"
        row.update(mean=mean, half=half, n=n, inside=inside)
        rows.append(row)
    return rows


def markdown(rows, command):
    lines = [
        "| # | Setting | Published figure | Source | Fitted / held out | Band | loyalsim mean [95% interval] (runs) | Inside band |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, row in enumerate(rows, start=1):
        band = row.get("band")
        band_text = f"{percent(band[0])} to {percent(band[1])}" if band else "-"
        if row["role"] == "not_reproducible":
            value = row["loyalsim"]
        elif math.isfinite(row["mean"]):
            value = (f"{percent(row['mean'])} [{percent(row['mean'] - row['half'])}, "
                     f"{percent(row['mean'] + row['half'])}] ({row['n']})")
        else:
            value = "undefined (no runs with a denominator)"
        source = f"{row['source']} ({row['source_kind']})"
        lines.append(f"| {number} | {row['setting']} | {row['label']}: {row['published']} | {source} | "
                     f"{ROLES[row['role']]} | {band_text} | {value} | {row['inside']} |")
    lines.append("")
    lines.append(f"Made by `{command}`.")
    return "\n".join(lines) + "\n"


def update_doc(path, table):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise lr.BadInput(f"cannot read '{path}': {error.strerror}") from None
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise lr.BadInput(f"'{path}' lacks the markers {BEGIN_MARK} ... {END_MARK}")
    text = text[:start + len(BEGIN_MARK)] + "\n" + table + text[end:]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def check(rows):
    """Messages for every checked figure outside its band or with too wide an interval."""
    problems = []
    for number, row in enumerate(rows, start=1):
        if not row.get("check", False):
            continue
        low, high = row["band"]
        name = f"figure {number} ({row['setting']}: {row['label']})"
        if not (math.isfinite(row["mean"]) and low <= row["mean"] <= high):
            problems.append(f"{name}: mean {row['mean']:.4f} is outside the band [{low}, {high}]")
        limit = HALF_WIDTH_FRACTION * (high - low)
        if not row["half"] <= limit:
            problems.append(f"{name}: 95% half-width {row['half']:.4f} exceeds {HALF_WIDTH_FRACTION} x the band "
                            f"width ({limit:.4f}): too few replicates to tell")
    return problems


# ------------------------------------------------------------ fitting sweeps

def parse_sweep(texts):
    """{path: [values]} from --sweep PATH=V1,V2,... options."""
    sweep = {}
    for text in texts:
        path, equals, values = text.partition("=")
        if not equals or not path or not values:
            raise lr.BadInput(f"--sweep '{text}' is not PATH=V1,V2,...")
        try:
            sweep[path] = [float(v) for v in values.split(",")]
        except ValueError:
            raise lr.BadInput(f"--sweep '{text}': the values must be numbers") from None
    return sweep


def sweep_table(figures, path, command):
    """Markdown: for every design point of a fitting sweep, each figure's mean and interval."""
    import numpy as np

    with lr.open_file(path) as f:
        names = lr.varied_parameters(f, path)
        point = np.asarray(f["runs/point"][()], dtype=np.int64)
        columns = {name: np.asarray(f["runs"][name][()], dtype=np.float64) for name in names}
        header = "| " + " | ".join(names) + " | " + " | ".join(fig["label"] for fig in figures) + " |"
        lines = [header, "|" + "---|" * (len(names) + len(figures))]
        for p in np.unique(point):
            runs = point == p
            first = int(np.argmax(runs))
            cells = [f"{columns[name][first]:g}" for name in names]
            for figure in figures:
                mean, half, n = interval(per_run(f, figure["metric"], path, runs))
                band = figure.get("band")
                mark = "" if band is None or not math.isfinite(mean) else (
                    " (in band)" if band[0] <= mean <= band[1] else "")
                cells.append(f"{percent(mean)} ± {percent(half)}{mark}")
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Made by `{command}`.")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ main

def arguments():
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.split("\n\n")[0])
    parser.add_argument("--loyalsim", default=DEFAULT_LOYALSIM, help="the loyalsim executable")
    parser.add_argument("--figures", default=DEFAULT_FIGURES, help="the figures file")
    parser.add_argument("--replicates", type=int, default=30, help="replicates per setting (default 30)")
    parser.add_argument("--setting", action="append", help="only this setting (repeatable)")
    parser.add_argument("--output", help="also write the markdown table to this file")
    parser.add_argument("--update-doc", help="replace the table between the markers of this markdown file")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every checked figure is inside its band with a narrow interval")
    parser.add_argument("--keep", help="write the results files into this folder and keep them")
    parser.add_argument("--sweep", action="append", metavar="PATH=V1,V2,...",
                        help="fitting mode: run one --setting over a grid of these values (repeatable) "
                             "and print its figures at every point")
    return parser.parse_args()


def main():
    options = arguments()
    if options.replicates < 2:
        lr.fail(PROGRAM, "--replicates must be at least 2 (an interval needs two runs)")
    if not (os.path.isfile(options.loyalsim) and os.access(options.loyalsim, os.X_OK)):
        lr.fail(PROGRAM, f"--loyalsim '{options.loyalsim}' is not an executable file")
    status = lr.missing_packages(PROGRAM, ("h5py", "numpy"))
    if status is not None:
        return status
    try:
        figures = load_figures(options.figures)
        if options.setting:
            known = {figure["setting"] for figure in figures}
            unknown = [s for s in options.setting if s not in known]
            if unknown:
                raise lr.BadInput(f"--setting '{unknown[0]}' has no figure (settings: {', '.join(sorted(known))})")
            figures = [figure for figure in figures if figure["setting"] in options.setting]
        settings = sorted({figure["setting"] for figure in figures if figure["role"] != "not_reproducible"})
        if options.sweep:
            if len(settings) != 1:
                raise lr.BadInput("--sweep needs exactly one --setting")
            sweep = parse_sweep(options.sweep)
            shown = [figure for figure in figures if figure["role"] != "not_reproducible"]
            command = (f"/usr/bin/python3 scripts/validate.py --setting {settings[0]} "
                       f"--replicates {options.replicates} " + " ".join(f"--sweep {t}" for t in options.sweep))
            with tempfile.TemporaryDirectory(prefix="loyalsim-validate-") as scratch:
                directory = options.keep or scratch
                os.makedirs(directory, exist_ok=True)
                path = run_setting(options.loyalsim, settings[0], options.replicates, directory, sweep)
                print(sweep_table(shown, path, command), end="")
            return 0
        with tempfile.TemporaryDirectory(prefix="loyalsim-validate-") as scratch:
            directory = options.keep or scratch
            os.makedirs(directory, exist_ok=True)
            results = {}
            for setting in settings:
                print(f"{PROGRAM}: {setting}: {options.replicates} replicates", file=sys.stderr)
                results[setting] = run_setting(options.loyalsim, setting, options.replicates, directory)
            rows = evaluate(figures, results)
    except lr.BadInput as error:
        lr.fail(PROGRAM, str(error))
    command = f"/usr/bin/python3 scripts/validate.py --replicates {options.replicates}"
    table = markdown(rows, command)
    print(table, end="")
    try:
        if options.output:
            with open(options.output, "w", encoding="utf-8") as handle:
                handle.write(table)
        if options.update_doc:
            update_doc(options.update_doc, table)
    except lr.BadInput as error:
        lr.fail(PROGRAM, str(error))
    if options.check:
        problems = check(rows)
        for problem in problems:
            print(f"{PROGRAM}: check failed: {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"{PROGRAM}: every checked figure is inside its band", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
