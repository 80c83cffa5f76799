#!/usr/bin/env python3
"""Draw a summary rate of a loyalsim sweep against its varied parameters.

    /usr/bin/python3 scripts/plot_sweep.py results/X.h5 [--x PATH] [--y PATH]
        [--by PATH|none] [--panels] [--rate NAME] [--firm NAME] [--segment NAME]
        [--interval t95|se2] [--dpi N] -o results/X.png

Reads only the HDF5 file, through scripts/loyalsim_results.py (h5py, numpy,
matplotlib): the varied parameters are the runs/ columns named by their full
path (listed in design/parameter), the rate is summary/<NAME> (dims run x
firm x segment, firm and segment names from its dimension scales). Only runs
whose runs/status is 'done' (by its flag_meanings) are used, so a sweep still
running (NAME.h5.partial) can be plotted too.

One parameter (--x, default: the first varied one): the rate's mean over the
runs at each value, with an interval over those runs (default: 95%
t-interval; --interval se2: mean +/- 2 standard errors), one panel per
segment (rows) and firm (columns). When another parameter takes few values
(a grid or list), each of its values gets its own line (--by PATH picks
which, --by none pools them); parameters not drawn are pooled.

Two parameters (--x and --y): a heatmap of the mean over the runs of each
(x, y) pair, one panel per segment and firm, all on one colour scale (one
colour bar), so a colour means the same rate in every panel. Values that do
not form a grid (lhs, sobol) are drawn as coloured points.

Many parameters (three or more varied, and no --x, --y or --by; or
--panels): small multiples, one panel per parameter (columns) for each
segment and firm (rows), sharing the rate axis along a row: each design
point's mean over its replicates against that parameter's value, and the
mean over the points in each of up to 10 bins of it (its main effect, the
other parameters pooled). A 10-parameter Latin hypercube is read at a glance.

Bad arguments, a missing or invalid file, an unknown parameter, rate, firm
or segment, or no finished run: a message on stderr and exit status 2.
"""

import argparse
import difflib
import math
import os
import sys

from loyalsim_results import (BadInput, save_figure, OKABE_ITO, SCREEN_FONTS, as_text, coordinates, description, done_runs,
                              fail as fail_with, missing_packages, need, open_file, run_status,
                              scenario_name, t_quantile, units, varied_parameters)

PROGRAM = "plot_sweep.py"

BASE_FONT, SMALL_FONT = SCREEN_FONTS
MAX_SERIES = 8     # a parameter with at most this many values can get one line per value
MAX_GRID_SIDE = 40 # heatmap cells: at most this many distinct values per axis
MIN_WIDTH = 10.0   # inches: a figure of one panel still has room for its title
MANY_PARAMETERS = 3  # from this many varied parameters, the default figure is small multiples
MAX_BINS = 10      # small multiples: the main-effect line's bins per parameter


def fail(message):
    fail_with(PROGRAM, message)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Draw a summary rate of a loyalsim sweep against one varied parameter "
                    "(mean and interval over replicates) or two (heatmap of the mean).")
    parser.add_argument("results", help="loyalsim results file of a sweep (HDF5), e.g. results/X.h5")
    parser.add_argument("-o", "--output", help="PNG to write (default: the results file with .png)")
    parser.add_argument("--x", metavar="PATH", help="parameter on the x axis, by its full path, "
                        "e.g. market.substitutability (default: the first varied parameter)")
    parser.add_argument("--y", metavar="PATH", help="second parameter: draws a heatmap of x against y")
    parser.add_argument("--by", metavar="PATH", help="one line per value of this parameter (default: the "
                        "first other parameter with at most %d values); 'none' pools them" % MAX_SERIES)
    parser.add_argument("--panels", action="store_true",
                        help="small multiples: one panel per varied parameter (the default from %d "
                             "parameters on, when no --x, --y or --by is given)" % MANY_PARAMETERS)
    parser.add_argument("--rate", default="follow_rate", metavar="NAME",
                        help="summary/ dataset to draw (default follow_rate; also firm_retention_rate, "
                             "rep_ownership_share, retained_12m_after_stay, or a total such as orphaned)")
    parser.add_argument("--firm", action="append", metavar="NAME", help="only this firm (repeatable)")
    parser.add_argument("--segment", action="append", metavar="NAME", help="only this segment (repeatable)")
    parser.add_argument("--interval", choices=("t95", "se2"), default="t95",
                        help="one-parameter plot: t95 = 95%% t-interval (default), se2 = mean +/- 2 SE")
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG (default 100)")
    args = parser.parse_args(argv)  # argparse reports its own errors with exit status 2
    if args.dpi < 20 or args.dpi > 1200:
        parser.error(f"--dpi must be in 20..1200, found {args.dpi}")
    if args.output is None:
        root, _ = os.path.splitext(args.results)
        args.output = root + ".png"
    if not args.output.lower().endswith(".png"):
        parser.error(f"the output must be a .png file, found '{args.output}'")
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        parser.error(f"the output directory '{out_dir}' does not exist")
    if args.x is not None and args.y is not None and args.x == args.y:
        parser.error(f"--x and --y name the same parameter '{args.x}'")
    if args.y is not None and args.by is not None:
        parser.error("--by applies to the one-parameter plot, not to the --y heatmap")
    if args.panels and (args.x is not None or args.y is not None or args.by is not None):
        parser.error("--panels draws every varied parameter; it takes no --x, --y or --by")
    return args


# ------------------------------------------------------------ reading

def suggestion(name, choices):
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    if not close:  # a bare name ("substitutability") for a full path
        close = [c for c in choices if c.endswith("." + name)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown(what, name, choices):
    listed = ", ".join(choices) if choices else "none"
    return f"unknown {what} '{name}'{suggestion(name, choices)}; the file has: {listed}"


def load(path, rate):
    import numpy as np

    with open_file(path) as f:
        summary = need(f, "summary", path)
        rates = [n for n in summary if len(summary[n].shape) == 3]
        if rate not in summary or len(summary[rate].shape) != 3:
            raise BadInput(unknown("rate", rate, rates))
        values_ds = summary[rate]
        coords = coordinates(values_ds, path)
        if tuple(coords) != ("run", "firm", "segment"):
            raise BadInput(f"summary/{rate} of '{path}' has dimensions {tuple(coords)}, "
                           "expected ('run', 'firm', 'segment')")
        status, codes = run_status(f, path)
        n_runs = status.shape[0]
        if values_ds.shape[0] != n_runs:
            raise BadInput(f"summary/{rate} of '{path}' has {values_ds.shape[0]} runs, runs/ has {n_runs}")
        params = varied_parameters(f, path)
        if not params:
            raise BadInput(f"'{path}' has no varied parameter: it is not a sweep "
                           "(scripts/plot_retention.py draws a single run)")
        done = done_runs(f, path)
        if not done.any():
            counts = ", ".join(f"{int((status == code).sum())} {meaning}" for meaning, code in codes.items()
                               if meaning != "done")
            raise BadInput(f"'{path}' has no finished run (status done) to draw: {n_runs} runs, {counts}")
        runs = f["runs"]
        columns = {p: np.asarray(runs[p][()], dtype=np.float64)[done] for p in params}
        values = np.asarray(values_ds[()], dtype=np.float64)[done]
        design = {}
        if "design" in f:
            for key in ("type", "replicates", "samples"):
                if key in f["design"].attrs:
                    design[key] = f["design"].attrs[key]
        return {
            "scenario": scenario_name(f, path),
            "firms": coords["firm"],
            "segments": coords["segment"],
            "params": params,
            "columns": columns,
            "values": values,  # (done runs, firm, segment)
            "rate": rate,
            "units": units(values_ds),
            "description": description(values_ds),
            "design": {k: (as_text(v) if k == "type" else int(v)) for k, v in design.items()},
            "runs_total": n_runs,
            "runs_done": int(done.sum()),
        }


def select(names, wanted, what):
    if not wanted:
        return list(range(len(names)))
    picked = []
    for name in wanted:
        if name not in names:
            raise BadInput(unknown(what, name, names))
        picked.append(names.index(name))
    return picked


def check_parameter(data, name, option):
    if name not in data["params"]:
        raise BadInput(f"{option}: " + unknown("parameter", name, data["params"]))
    return name


# ------------------------------------------------------------ statistics

def summarise(samples, interval):
    """(mean, half-width, n) of the finite samples; half-width NaN below 2 samples."""
    import numpy as np

    finite = samples[np.isfinite(samples)]
    n = finite.size
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(finite.mean())
    if n < 2:
        return mean, math.nan, n
    se = float(finite.std(ddof=1)) / math.sqrt(n)
    factor = t_quantile(n - 1) if interval == "t95" else 2.0
    return mean, factor * se, n


def distinct(values):
    import numpy as np
    return np.unique(values[np.isfinite(values)])


# ------------------------------------------------------------ drawing

def pretty(name):
    """'complex_solution' -> 'Complex solution'."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def number(v):
    return f"{v:g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"


def figure_width(n_cols, panel_w, extra_w):
    """Inches: the panels, but room for the title and notes even with one panel."""
    return max(MIN_WIDTH, panel_w * n_cols + extra_w)


def setup_figure(n_rows, n_cols, panel_w, panel_h, extra_w, header_lines, legend_rows):
    """A figure of a header (title, notes, legend) above a grid of panels."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": BASE_FONT, "axes.linewidth": 1.3, "axes.titlesize": BASE_FONT + 1,
                         "axes.labelsize": BASE_FONT, "xtick.labelsize": SMALL_FONT,
                         "ytick.labelsize": SMALL_FONT, "legend.fontsize": SMALL_FONT,
                         "legend.title_fontsize": SMALL_FONT})
    width = figure_width(n_cols, panel_w, extra_w)
    header = 0.5 + 0.26 * header_lines + (0.1 + 0.3 * legend_rows if legend_rows else 0.0)
    fig = plt.figure(figsize=(width, panel_h * n_rows + header), layout="constrained")
    head, body = fig.subfigures(2, 1, height_ratios=[header, panel_h * n_rows])
    return plt, fig, head, body


def wrap(lines, width_inches):
    import textwrap
    chars = max(30, int(width_inches * 72 / (SMALL_FONT * 0.5)))
    return [w for line in lines for w in textwrap.wrap(line, chars)]


def draw_header(head, title, notes, handles=None, labels=None, legend_title=None, ncol=1):
    head.text(0.5, 0.98, title, ha="center", va="top", fontsize=BASE_FONT + 5, fontweight="bold")
    if notes:  # a fixed distance under the title, whatever the header's height
        note = head.text(0.5, 0.98, "\n".join(notes), ha="center", va="top", fontsize=SMALL_FONT,
                         color="#333333", linespacing=1.25)
        from matplotlib.transforms import offset_copy
        note.set_transform(offset_copy(head.transSubfigure, fig=head.figure, y=-(BASE_FONT + 5) * 1.55,
                                       units="points"))
    if handles:
        head.legend(handles, labels, title=legend_title, loc="lower center", ncol=ncol, frameon=False,
                    fontsize=SMALL_FONT, columnspacing=1.4, handletextpad=0.4, borderaxespad=0.1)


def header_notes(data, pooled):
    d = data["design"]
    parts = [f"Scenario: {data['scenario']}"]
    if d.get("type"):
        parts.append(f"{d['type']} design, {d.get('replicates', '?')} replicate"
                     f"{'' if d.get('replicates') == 1 else 's'} per point")
    parts.append(f"{data['runs_done']} of {data['runs_total']} runs done")
    lines = ["  ·  ".join(parts)]
    if pooled:
        lines.append("pooled over " + ", ".join(pooled))
    return lines


def rate_label(data):
    return data["rate"].replace("_", " ")


def draw_lines(data, args, firms, segments):
    """Rate against one parameter: mean and interval per x value (and series)."""
    import numpy as np
    from matplotlib import colormaps

    x_name = check_parameter(data, args.x or data["params"][0], "--x")
    others = [p for p in data["params"] if p != x_name]
    by = None
    if args.by is not None and args.by != "none":
        by = check_parameter(data, args.by, "--by")
        if by == x_name:
            raise BadInput(f"--by names the --x parameter '{x_name}'")
    elif args.by is None:  # a parameter crossed with x (as in a grid), with few values
        x_values = data["columns"][x_name]

        def crossed(p):
            pairs = {(a, b) for a, b in zip(x_values, data["columns"][p])}
            return len(pairs) > len(distinct(x_values))

        by = next((p for p in others if 1 < len(distinct(data["columns"][p])) <= MAX_SERIES and crossed(p)), None)
    # Not drawn: pooled, or (list designs) determined by x, so nothing is mixed.
    pooled, along = [], []
    for p in others:
        if p == by:
            continue
        pairs = {(a, b) for a, b in zip(data["columns"][x_name], data["columns"][p])}
        (along if len(pairs) == len(distinct(data["columns"][x_name])) else pooled).append(p)

    x_all = data["columns"][x_name]
    levels = list(distinct(data["columns"][by])) if by else [None]
    x_levels = distinct(x_all)
    # Grid and list designs (and one-parameter sweeps) are joined by lines;
    # sampled designs, whose every point has its own x and other values, get
    # markers only: a line would zigzag through the pooled parameters.
    n_points = len({tuple(row) for row in np.column_stack([data["columns"][p] for p in data["params"]])})
    connect = (data["design"].get("type") in ("grid", "list") or len(data["params"]) == 1
               or len(x_levels) < n_points)
    if len(levels) > 1:
        cmap = colormaps["viridis"]
        colours = [cmap(0.9 * k / (len(levels) - 1)) for k in range(len(levels))]
    else:
        colours = [OKABE_ITO["blue"]]
    markers = ["o", "s", "D", "^", "v", "P", "X", "*"]

    n_rows, n_cols = len(segments), len(firms)
    width = figure_width(n_cols, 6.4, 0.4)
    notes = header_notes(data, pooled)
    if along:
        notes.append("varying with it: " + ", ".join(along))
    header_lines = len(wrap(notes + ["points: mean over the runs at each value (n = 10); bars: 95% t-interval"],
                            width))
    per_row = max(1, int(width / 1.3))
    legend_rows = math.ceil(len(levels) / per_row) + 1 if by else 0
    plt, fig, head, body = setup_figure(n_rows, n_cols, 6.4, 4.6, 0.4, header_lines, legend_rows)
    axes = body.subplots(n_rows, n_cols, squeeze=False, sharex=True, sharey="row")
    span = float(x_levels[-1] - x_levels[0]) if len(x_levels) > 1 else 1.0
    dodge = 0.012 * span if len(levels) > 1 and connect else 0.0  # keep overlapping bars apart
    counts = set()
    any_interval = False
    for r, s in enumerate(segments):
        for c, fi in enumerate(firms):
            ax = axes[r][c]
            for k, level in enumerate(levels):
                in_series = np.ones(x_all.shape, bool) if level is None else data["columns"][by] == level
                xs, means, halves = [], [], []
                for xv in x_levels:
                    mean, half, n = summarise(data["values"][in_series & (x_all == xv), fi, s], args.interval)
                    if n == 0:
                        continue
                    counts.add(n)
                    xs.append(xv + (k - (len(levels) - 1) / 2) * dodge)
                    means.append(mean)
                    halves.append(half)
                if not xs:
                    continue
                halves_arr = np.asarray(halves)
                any_interval |= bool(np.isfinite(halves_arr).any())
                label = "all runs" if level is None else number(level)
                ax.errorbar(xs, means, yerr=np.where(np.isfinite(halves_arr), halves_arr, 0.0),
                            color=colours[k], marker=markers[k % len(markers)], markersize=8 if connect else 6,
                            linewidth=2.5 if connect else 0, elinewidth=1.8, capsize=4, label=label,
                            linestyle="-" if connect else "none")
            ax.set_title(f"{pretty(data['segments'][s])} at {data['firms'][fi]}", fontsize=BASE_FONT + 1)
            ax.grid(True, color="#DDDDDD", linewidth=1)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if r == n_rows - 1:
                ax.set_xlabel(x_name, fontsize=BASE_FONT)
            if c == 0:
                ax.set_ylabel(rate_label(data), fontsize=BASE_FONT)
            if connect and len(x_levels) <= 12:
                ax.set_xticks(x_levels)
                ax.set_xticklabels([number(v) for v in x_levels])
    for r, s in enumerate(segments):  # rates and totals are never negative: start the axis at 0
        row = data["values"][:, firms, s]
        if np.isfinite(row).any() and np.nanmin(row) >= 0:
            axes[r][0].set_ylim(bottom=0)
            # A share (units "1": a rate, not a total of customers or decisions).
            if np.nanmax(row) <= 1 and data["units"] == "1" and axes[r][0].get_ylim()[1] > 1.05:
                axes[r][0].set_ylim(top=1.05)  # a share: intervals past 1 mean nothing

    interval = "95% t-interval" if args.interval == "t95" else "mean ± 2 SE"
    n_text = f"{min(counts)}" if len(counts) == 1 else f"{min(counts)}–{max(counts)}"
    what = f"points: mean over the runs at each value (n = {n_text})"
    if any_interval:
        what += f"; bars: {interval}"
    handles, labels = axes[0][0].get_legend_handles_labels() if by else (None, None)
    draw_header(head, f"{pretty(rate_label(data))} against {x_name}", wrap(notes + [what], width),
                handles, labels, legend_title=by, ncol=min(len(levels), per_row))
    return fig, plt


def draw_heatmap(data, args, firms, segments):
    """Mean rate over (x, y): cells for grids, coloured points for sampled designs."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    y_name = check_parameter(data, args.y, "--y")
    x_name = args.x or next(p for p in data["params"] + [None] if p != y_name)
    if x_name is None:
        raise BadInput(f"--y {y_name}: the file varies no other parameter to put on the x axis")
    x_name = check_parameter(data, x_name, "--x")
    if x_name == y_name:
        raise BadInput(f"--x and --y name the same parameter '{x_name}'")
    pooled = [p for p in data["params"] if p not in (x_name, y_name)]

    x_all, y_all = data["columns"][x_name], data["columns"][y_name]
    xs, ys = distinct(x_all), distinct(y_all)
    pairs = {(a, b) for a, b in zip(x_all, y_all)}
    as_grid = len(xs) <= MAX_GRID_SIDE and len(ys) <= MAX_GRID_SIDE and len(pairs) >= 0.5 * len(xs) * len(ys)
    cmap = colormaps["viridis"].copy()
    cmap.set_bad("#CCCCCC")

    n_rows, n_cols = len(segments), len(firms)
    width = figure_width(n_cols, 6.6, 0.3)
    header_lines = len(wrap(header_notes(data, pooled) + ["colour: mean over the runs of each point (n = 10); "
                                                          "one colour scale for every panel"], width))
    plt, fig, head, body = setup_figure(n_rows, n_cols, 6.6, 5.2, 0.3, header_lines, 0)
    axes = body.subplots(n_rows, n_cols, squeeze=False)
    counts = set()
    # The means of every panel first: one colour scale for all of them, so
    # the same colour is the same rate in every firm and segment.
    cells = {}
    for r, s in enumerate(segments):
        for c, fi in enumerate(firms):
            keys = [(xv, yv) for yv in ys for xv in xs] if as_grid else sorted(pairs)
            found = {}
            for xv, yv in keys:
                mean, _, n = summarise(data["values"][(x_all == xv) & (y_all == yv), fi, s], args.interval)
                if n:
                    counts.add(n)
                    found[(xv, yv)] = mean
            cells[(r, c)] = found
    every = np.array([m for found in cells.values() for m in found.values()], dtype=np.float64)
    every = every[np.isfinite(every)]
    norm = Normalize(*(every.min(), every.max()) if every.size else (0, 1))
    if every.size and norm.vmin == norm.vmax:
        norm = Normalize(norm.vmin - 0.5 if norm.vmin else -0.5, norm.vmax + 0.5 if norm.vmax else 0.5)
    image = None
    for r, s in enumerate(segments):
        for c, fi in enumerate(firms):
            ax = axes[r][c]
            found = cells[(r, c)]
            if as_grid:
                means = np.full((len(ys), len(xs)), np.nan)
                for i, yv in enumerate(ys):
                    for j, xv in enumerate(xs):
                        means[i, j] = found.get((xv, yv), np.nan)
                finite = every
                image = ax.imshow(np.ma.masked_invalid(means), origin="lower", aspect="auto", cmap=cmap,
                                  norm=norm, interpolation="nearest")
                ax.set_xticks(range(len(xs)))
                ax.set_xticklabels([number(v) for v in xs], rotation=0 if len(xs) <= 8 else 90)
                ax.set_yticks(range(len(ys)))
                ax.set_yticklabels([number(v) for v in ys])
                if len(xs) * len(ys) <= 100:
                    top = float(np.abs(finite).max()) if finite.size else 0.0
                    decimals = 0 if top >= 100 else min(4, max(2, 1 - math.floor(math.log10(top)))) if top > 0 else 2
                    for i in range(len(ys)):
                        for j in range(len(xs)):
                            v = means[i, j]
                            if not np.isfinite(v):
                                continue
                            light = norm(v) > 0.55  # viridis is light at the top
                            ax.text(j, i, f"{v:.{decimals}f}", ha="center", va="center",
                                    fontsize=SMALL_FONT, color="black" if light else "white")
            else:
                px = [xv for xv, _ in found]
                py = [yv for _, yv in found]
                pm = list(found.values())
                image = ax.scatter(px, py, c=pm, cmap=cmap, norm=norm, s=120, edgecolors="#333333",
                                   linewidths=0.6)
                ax.grid(True, color="#DDDDDD", linewidth=1)
                ax.set_axisbelow(True)
            ax.set_title(f"{pretty(data['segments'][s])} at {data['firms'][fi]}", fontsize=BASE_FONT + 1)
            if r == n_rows - 1:
                ax.set_xlabel(x_name, fontsize=BASE_FONT)
            if c == 0:
                ax.set_ylabel(y_name, fontsize=BASE_FONT)
    bar = body.colorbar(image, ax=axes.ravel().tolist(), shrink=0.95, pad=0.02)
    bar.ax.tick_params(labelsize=SMALL_FONT)
    bar.set_label(rate_label(data), fontsize=SMALL_FONT)
    n_text = f"{min(counts)}" if len(counts) == 1 else f"{min(counts)}–{max(counts)}"
    what = f"colour: mean over the runs of each {'cell' if as_grid else 'point'} (n = {n_text})"
    if n_rows * n_cols > 1:
        what += "; one colour scale for every panel"
    draw_header(head, f"{pretty(rate_label(data))}: mean over replicates",
                wrap(header_notes(data, pooled) + [what], width))
    return fig, plt


def point_means(data, fi, s):
    """Each design point's mean over its replicates: (parameter values (points x params), means)."""
    import numpy as np

    table = np.column_stack([data["columns"][p] for p in data["params"]])
    keys, inverse = np.unique(table, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    values = data["values"][:, fi, s]
    means = np.full(len(keys), np.nan)
    for k in range(len(keys)):
        finite = values[(inverse == k) & np.isfinite(values)]
        if finite.size:
            means[k] = finite.mean()
    return keys, means


def main_effect(x, y):
    """(bin centres, mean of y in each bin): each distinct x when there are few, else up to MAX_BINS
    bins of equal counts."""
    import numpy as np

    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        return np.array([]), np.array([])
    levels = np.unique(x)
    if len(levels) <= MAX_BINS + 2:
        return levels, np.array([y[x == v].mean() for v in levels])
    edges = np.unique(np.quantile(x, np.linspace(0, 1, MAX_BINS + 1)))
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    centres, means = [], []
    for b in range(len(edges) - 1):
        inside = which == b
        if inside.any():
            centres.append(x[inside].mean())
            means.append(y[inside].mean())
    return np.array(centres), np.array(means)


def draw_panels(data, args, firms, segments):
    """Small multiples: the rate against each varied parameter, one panel per parameter."""
    import numpy as np

    params = data["params"]
    n_rows, n_cols = len(segments) * len(firms), len(params)
    width = figure_width(n_cols, 3.4, 0.4)
    replicates = data["design"].get("replicates", 1)
    what = (f"dots: each design point's mean over its {replicates} replicate{'' if replicates == 1 else 's'}; "
            f"line: the mean over the points in each bin of the parameter (its main effect, the others pooled)")
    notes = header_notes(data, [])
    header_lines = len(wrap(notes + [what], width))
    plt, fig, head, body = setup_figure(n_rows, n_cols, 3.4, 3.0, 0.4, header_lines, 0)
    axes = body.subplots(n_rows, n_cols, squeeze=False, sharey="row")
    row = 0
    for s in segments:
        for fi in firms:
            keys, means = point_means(data, fi, s)
            for c, name in enumerate(params):
                ax = axes[row][c]
                x = keys[:, c]
                ax.scatter(x, means, s=14, color=OKABE_ITO["blue"], alpha=0.45, linewidths=0)
                cx, cy = main_effect(x, means)
                if cx.size:
                    ax.plot(cx, cy, color=OKABE_ITO["vermillion"],
                            linewidth=2.2, marker="o", markersize=4)
                ax.grid(True, color="#DDDDDD", linewidth=1)
                for side in ("top", "right"):
                    ax.spines[side].set_visible(False)
                ax.set_xlabel(name, fontsize=SMALL_FONT)
                if c == 0:
                    ax.set_ylabel(f"{rate_label(data)}\n{pretty(data['segments'][s])} at {data['firms'][fi]}",
                                  fontsize=SMALL_FONT)
            finite = means[np.isfinite(means)]
            if finite.size and finite.min() >= 0:
                axes[row][0].set_ylim(bottom=0)
            row += 1
    draw_header(head, f"{pretty(rate_label(data))} against each of {len(params)} parameters",
                wrap(notes + [what], width))
    return fig, plt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    status = missing_packages(PROGRAM)
    if status is not None:
        return status
    try:
        data = load(args.results, args.rate)
        firms = select(data["firms"], args.firm, "firm")
        segments = select(data["segments"], args.segment, "segment")
        if args.x is not None:
            check_parameter(data, args.x, "--x")
        many = len(data["params"]) >= MANY_PARAMETERS and args.x is None and args.by is None
        if args.y is not None:
            fig, plt = draw_heatmap(data, args, firms, segments)
        elif args.panels or many:
            fig, plt = draw_panels(data, args, firms, segments)
        else:
            fig, plt = draw_lines(data, args, firms, segments)
    except BadInput as error:
        fail(str(error))
    save_figure(PROGRAM, fig, plt, args.output, args.dpi)
    return 0


if __name__ == "__main__":
    sys.exit(main())
