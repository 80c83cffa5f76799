"""The one reader of loyalsim results files for the Python scripts.

Every plot script reads results through this module, and takes what it needs
to know from the file itself, never from constants copied from the C++:

- firm, segment, month and run names from the dimension scales attached to
  each variable (`coordinates`), or from the `firm_names`/`segment_names`
  attribute of an index column of events/ (`index_names`);
- codes such as runs/status and events/choice from their `flag_values` and
  `flag_meanings` attributes (`flags`, `done_runs`);
- units and descriptions from the `units` and `description` attributes;
- the varied parameters of a sweep from design/parameter;
- parameter values from the root attribute `scenario_resolved` (the TOML of
  every value in force, after --set and --seed), never from `scenario` (the
  file as written).

It also holds the pieces the scripts share: the bad-input error and its exit
status, the check for missing packages, fonts and the colour palette.

The scripts import it from their own folder (Python puts a script's folder
first on sys.path), so it needs no installation. h5py and numpy are imported
when first needed, so a script can report them missing cleanly.
"""

import importlib.util
import os
import sys
from collections import namedtuple

# ------------------------------------------------------------ errors

EXIT_BAD_INPUT = 2        # bad arguments, a missing or invalid results file
EXIT_MISSING_PACKAGE = 1  # the Python in use lacks h5py, numpy or matplotlib


class BadInput(Exception):
    """A problem with the arguments or a results file: exit status 2."""


def fail(program, message):
    """Print `PROGRAM: error: MESSAGE` on stderr and exit with status 2."""
    print(f"{program}: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def save_figure(program, fig, plt, output, dpi):
    """Write the figure (exit 2 with one line if the path cannot be written), close it, say where it went."""
    try:
        fig.savefig(output, dpi=dpi, bbox_inches="tight", pad_inches=0.15)
    except OSError as error:
        fail(program, f"cannot write '{output}': {error}")
    plt.close(fig)
    print(f"wrote {output}")


def missing_packages(program, names=("h5py", "numpy", "matplotlib")):
    """None when every package is importable; else print why and return the exit status."""
    missing = [name for name in names if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    print(f"{program}: error: {', '.join(missing)} not installed for {sys.executable}; "
          f"use /usr/bin/python3 or install {', '.join(names[:-1])} and {names[-1]}", file=sys.stderr)
    return EXIT_MISSING_PACKAGE


# ------------------------------------------------------------ fonts and colours

Fonts = namedtuple("Fonts", "base small")
SCREEN_FONTS = Fonts(base=16, small=14)     # every text at least 14 pt
PROJECTOR_FONTS = Fonts(base=18, small=16)  # the classroom pages: at least 16 pt

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
GREY = "#BBBBBB"
# What the customers of a departing rep did, by the flag meanings of
# events/choice (and the summary/ totals stayed, followed, defected).
CHOICE_COLOURS = {"stay": OKABE_ITO["blue"], "follow": OKABE_ITO["vermillion"], "defect": GREY}
# One colour per firm or case, in this order.
LINE_COLOURS = [OKABE_ITO[c] for c in
                ("black", "orange", "sky_blue", "green", "purple", "blue", "vermillion", "yellow")]
FEW_LINE_COLOURS = [OKABE_ITO[c] for c in ("black", "orange", "green", "purple", "sky_blue")]
LINE_STYLES = ["-", "--", "-.", ":"]


# ------------------------------------------------------------ opening

def open_file(path):
    """The results file, open read-only; BadInput if it is missing or not HDF5."""
    import h5py

    if not os.path.exists(path):
        raise BadInput(f"results file '{path}' does not exist")
    if not os.path.isfile(path):
        raise BadInput(f"'{path}' is not a file")
    try:
        try:  # the writer disables file locking, so a running sweep's file can be read
            return h5py.File(path, "r", locking=False)
        except TypeError:  # h5py < 3.5 has no locking argument
            return h5py.File(path, "r")
    except OSError as error:
        raise BadInput(f"cannot open '{path}' as HDF5: {error}") from None


def need(parent, name, path):
    """parent[name] (a group or dataset); BadInput naming the file if it is missing."""
    if name not in parent:
        where = f"{parent.name.strip('/')}/{name}" if parent.name != "/" else f"{name}/"
        hint = " written with --events?" if parent.name == "/" and name == "events" else "?"
        raise BadInput(f"'{path}' has no {where}: not a loyalsim results file{hint}")
    return parent[name]


# ------------------------------------------------------------ text and labels

def as_text(value):
    """An HDF5 string (attribute or element) as str, whatever h5py returns."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "shape") and getattr(value, "shape", None) == ():
        return as_text(value[()])
    return str(value)


def strings(dataset):
    """A 1-D string dataset (or attribute value) as a list of str."""
    values = dataset[()] if hasattr(dataset, "dtype") and hasattr(dataset, "id") else dataset
    return [as_text(v) for v in values]


def attribute_text(obj, name, default=""):
    return as_text(obj.attrs[name]) if name in obj.attrs else default


def units(dataset):
    return attribute_text(dataset, "units")


def description(dataset):
    return attribute_text(dataset, "description")


def coordinates(variable, path):
    """{dimension name: coordinate values} from the dimension scales attached to variable.

    Strings (firm, segment names) come back as lists of str, numbers (run,
    month) as numpy arrays.
    """
    import numpy as np

    coords = {}
    for axis, dim in enumerate(variable.dims):
        if len(dim) == 0:
            raise BadInput(f"'{path}': dimension {axis} of {variable.name} has no dimension scale")
        scale = dim[0]
        label = dim.label or as_text(scale.attrs.get("NAME", scale.name.rsplit("/", 1)[-1]))
        values = scale[()]
        if scale.dtype.kind in "OSU":
            coords[label] = [as_text(v) for v in values]
        else:
            coords[label] = np.asarray(values)
        if len(coords[label]) != variable.shape[axis]:
            raise BadInput(f"'{path}': the {label} scale of {variable.name} has {len(coords[label])} "
                           f"values for {variable.shape[axis]} entries")
    return coords


def require_dims(variable, dims, path):
    """The coordinates of variable, checking that its dimensions are named dims (in order)."""
    coords = coordinates(variable, path)
    if tuple(coords) != tuple(dims):
        raise BadInput(f"{variable.name} of '{path}' has dimensions {tuple(coords)}, expected {tuple(dims)}")
    return coords


def flags(dataset, path):
    """{meaning: code} of a coded dataset, from its flag_values and flag_meanings attributes."""
    if "flag_values" not in dataset.attrs or "flag_meanings" not in dataset.attrs:
        raise BadInput(f"{dataset.name} of '{path}' has no flag_values/flag_meanings: "
                       "not a loyalsim results file?")
    values = [int(v) for v in dataset.attrs["flag_values"]]
    meanings = as_text(dataset.attrs["flag_meanings"]).split()
    if len(values) != len(meanings):
        raise BadInput(f"{dataset.name} of '{path}': {len(values)} flag_values for {len(meanings)} flag_meanings")
    return dict(zip(meanings, values))


def flag(dataset, meaning, path):
    """The code of one meaning (e.g. 'done' of runs/status, 'follow' of events/choice)."""
    codes = flags(dataset, path)
    if meaning not in codes:
        raise BadInput(f"{dataset.name} of '{path}' has no code for '{meaning}' (it has {', '.join(codes)})")
    return codes[meaning]


def index_names(column, f, path, dim):
    """Names of the values of an index column of events/ (segment, from_firm, to_firm).

    From the column's own `<dim>_names` attribute when it has one, else from
    the `dim` scale of timeseries/.
    """
    attribute = f"{dim}_names"
    if attribute in column.attrs:
        return strings(column.attrs[attribute])
    return strings(need(need(f, "timeseries", path), dim, path))


# ------------------------------------------------------------ runs, scenario, design

def run_status(f, path):
    """runs/status as int64 and its {meaning: code}."""
    import numpy as np

    status = need(need(f, "runs", path), "status", path)
    return np.asarray(status[()], dtype=np.int64), flags(status, path)


def done_runs(f, path):
    """Boolean mask over runs: True for the runs whose status is 'done'."""
    status, codes = run_status(f, path)
    if "done" not in codes:
        raise BadInput(f"runs/status of '{path}' has no 'done' code")
    return status == codes["done"]


def status_text(f, path, run):
    """' (status: pending)' or similar for a run that is not done; '' otherwise."""
    status, codes = run_status(f, path)
    if run >= status.shape[0]:
        return ""
    meaning = {code: name for name, code in codes.items()}.get(int(status[run]), "unknown")
    return "" if meaning == "done" else f" (status: {meaning})"


def scenario(f, path):
    """The scenario in force (root attribute scenario_resolved) as a dict."""
    import tomllib

    if "scenario_resolved" not in f.attrs:
        raise BadInput(f"'{path}' has no root attribute scenario_resolved: not a loyalsim results file?")
    try:
        return tomllib.loads(as_text(f.attrs["scenario_resolved"]))
    except tomllib.TOMLDecodeError as error:
        raise BadInput(f"'{path}': scenario_resolved is not TOML: {error}") from None


def scenario_name(f, path):
    """The scenario's file name without .toml (the results file's name if unknown)."""
    scenario_path = attribute_text(f, "scenario_path")
    base = os.path.basename(scenario_path) if scenario_path else os.path.basename(path)
    return os.path.splitext(base)[0] or base


def parameter_value(values, name):
    """The value of parameter `name` (market.x, firms.NAME.x, segments.NAME.x) in a scenario dict, or None."""
    table, _, key = name.partition(".")
    if table == "market":
        value = values.get("market", {}).get(key)
    elif table in ("firms", "segments"):
        owner, _, key = key.partition(".")
        value = next((t.get(key) for t in values.get(table, []) if t.get("name") == owner), None)
    else:
        value = values.get(name)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def varied_parameters(f, path):
    """The sweep's varied parameters (design/parameter), each a column of runs/; [] for a single run."""
    if "design" not in f or "parameter" not in f["design"]:
        return []
    names = strings(f["design/parameter"])
    runs = need(f, "runs", path)
    missing = [n for n in names if n not in runs]
    if missing:
        raise BadInput(f"design/parameter of '{path}' names {missing[0]}, which runs/ lacks")
    return names


# ------------------------------------------------------------ statistics

def t_quantile(df):
    """97.5% quantile of Student's t with df degrees of freedom (for 95% intervals).

    scipy is used when it is installed; otherwise a table for df <= 30 and a
    close approximation beyond.
    """
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df <= len(table):
            return table[df - 1]
        return 1.96 + 2.4 / df  # close to the exact value beyond 30
