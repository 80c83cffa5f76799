#!/usr/bin/env python3
"""Draw the classroom figure of a loyalsim results file.

    /usr/bin/python3 scripts/plot_retention.py results/classroom.h5 -o results/classroom.png [--run N]

One figure, readable on a projector, for one run of the file (run 0 unless
--run says otherwise):

  (a) for every segment and firm: what the customers of departing reps did,
      as a 100% bar split into stayed with the firm / followed the rep /
      left altogether (summary/stayed, followed, defected over orphaned);
  (b) customers over time, one panel per segment, one line per firm
      (timeseries/customers), with dashed vertical lines at the months of
      the scripted rep departures in force ([[departures]] in the root
      attribute scenario_resolved).

Reads only the HDF5 file, through scripts/loyalsim_results.py (h5py, numpy,
matplotlib). Bad arguments or a missing or invalid file: a message on stderr
and exit status 2.
"""

import argparse
import math
import os
import sys
import textwrap

from loyalsim_results import (BadInput, CHOICE_COLOURS, LINE_COLOURS, LINE_STYLES, SCREEN_FONTS,
                              fail as fail_with, missing_packages, need, open_file, require_dims,
                              scenario, scenario_name, status_text)

PROGRAM = "plot_retention.py"

CHOICES = [  # (summary dataset, legend label, bar colour, text colour on the bar, text colour off it)
    ("stayed", "Stayed with the firm", CHOICE_COLOURS["stay"], "white", CHOICE_COLOURS["stay"]),
    ("followed", "Followed the rep to a competitor", CHOICE_COLOURS["follow"], "white", CHOICE_COLOURS["follow"]),
    ("defected", "Stopped buying altogether", CHOICE_COLOURS["defect"], "black", "#555555"),
]
FIRM_COLOURS = LINE_COLOURS
FIRM_STYLES = LINE_STYLES
TITLE = "When a sales rep leaves, who keeps the customer?"

BASE_FONT, SMALL_FONT = SCREEN_FONTS
MIN_LABEL_SHARE = 0.07  # slices narrower than this get their percentage above the bar
NARROW_SPACING = 4.5    # least distance between those labels, in percentage points
BAR_HEIGHT = 0.7        # bar thickness and distance between bars, in bar-axis units
BAR_PITCH = 1.3


def fail(message):
    fail_with(PROGRAM, message)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Draw the 'who keeps the customer?' figure of one run of a loyalsim results file.")
    parser.add_argument("results", help="loyalsim results file (HDF5), e.g. results/classroom.h5")
    parser.add_argument("-o", "--output", help="PNG to write (default: the results file with .png)")
    parser.add_argument("--run", type=int, default=0, metavar="N", help="run to draw (default 0)")
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG (default 100)")
    args = parser.parse_args(argv)  # argparse reports its own errors with exit status 2
    if args.run < 0:
        parser.error(f"--run must be 0 or more, found {args.run}")
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
    return args


# ------------------------------------------------------------ reading

def scripted_departures(f, path, months):
    """(month, text) of the [[departures]] in force (scenario_resolved) inside the recorded months."""
    tables = scenario(f, path).get("departures", [])
    by_month = {}
    for d in tables:
        month = d["month"]
        if not 1 <= month <= months:
            continue  # burn-in departures are not on the recorded axis
        count, firm, to = d["count"], d["firm"], d["to"]
        who = f"{firm} rep" if count == 1 else f"{count} {firm} reps"
        where = "leaves the industry" if to == "industry" else f"→ {to}"
        if count != 1 and to == "industry":
            where = "leave the industry"
        by_month.setdefault(month, []).append(f"{who} {where}")
    return sorted((m, "; ".join(texts)) for m, texts in by_month.items())


def load(path, run):
    import numpy as np

    with open_file(path) as f:
        summary, series = need(f, "summary", path), need(f, "timeseries", path)
        customers_ds = need(series, "customers", path)
        coords = require_dims(customers_ds, ("run", "month", "firm", "segment"), path)
        firms, segments, months = coords["firm"], coords["segment"], coords["month"].astype(np.int64)
        runs = customers_ds.shape[0]
        if run >= runs:
            raise BadInput(f"--run {run} is out of range: '{path}' holds runs 0..{runs - 1}")
        customers = np.asarray(customers_ds[run], dtype=np.int64)  # (month, firm, segment)
        split = {}
        for name, *_ in CHOICES + [("orphaned",)]:
            ds = need(summary, name, path)
            totals = require_dims(ds, ("run", "firm", "segment"), path)
            if totals["firm"] != firms or totals["segment"] != segments or ds.shape[0] != runs:
                raise BadInput(f"summary/{name} of '{path}' has shape {ds.shape}, "
                               f"expected {(runs, len(firms), len(segments))}")
            split[name] = np.asarray(ds[run], dtype=np.int64)  # (firm, segment)
        if (customers < 0).any() or any((v < 0).any() for v in split.values()):
            raise BadInput(f"run {run} of '{path}' has no results{status_text(f, path, run)}")
        return {
            "scenario": scenario_name(f, path),
            "firms": firms,
            "segments": segments,
            "months": months,
            "customers": customers,
            "split": split,
            "departures": scripted_departures(f, path, int(months.max()) if len(months) else 0),
            "runs": runs,
        }


# ------------------------------------------------------------ drawing

def months_text(data):
    months = data["months"]
    return f"{months[0]}–{months[-1]}" if len(months) > 1 else f"{months[0]}"


def pretty(name):
    """'complex_solution' -> 'Complex solution'."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def draw_split(ax, data):
    """Panel (a): stacked 100% bars, one per (segment, firm)."""
    firms, segments, split = data["firms"], data["segments"], data["split"]
    rows = [(s, f) for s in range(len(segments)) for f in range(len(firms))]
    y_positions, labels = [], []
    y = 0.0
    previous_segment = None
    for s, f in rows:
        if previous_segment is not None and s != previous_segment:
            y += 0.5  # a gap between segments
        previous_segment = s
        y_positions.append(y)
        labels.append(f"{pretty(segments[s])}\nat {firms[f]}")
        y += BAR_PITCH

    for (s, f), yp in zip(rows, y_positions):
        orphaned = int(split["orphaned"][f, s])
        if orphaned <= 0:
            ax.barh(yp, 100, height=BAR_HEIGHT, color="white", edgecolor="#777777", hatch="//", linewidth=1)
            ax.text(50, yp, "no departures", ha="center", va="center", fontsize=BASE_FONT,
                    fontstyle="italic", bbox=dict(facecolor="white", edgecolor="none", pad=2))
            continue
        left = 0.0
        narrow = []  # (centre, text, colour) of slices too narrow for their label
        for name, _, colour, text_colour, outside_colour in CHOICES:
            share = split[name][f, s] / orphaned
            width = 100.0 * share
            if width > 0:
                ax.barh(yp, width, left=left, height=BAR_HEIGHT, color=colour, edgecolor="white", linewidth=1.5)
                text = f"{100 * share:.0f}%" if share >= 0.01 else "<1%"
                if share >= MIN_LABEL_SHARE:
                    ax.text(left + width / 2, yp, text, ha="center", va="center",
                            color=text_colour, fontsize=BASE_FONT + 2, fontweight="bold")
                else:
                    narrow.append((left + width / 2, text, outside_colour))
            left += width
        # Narrow slices: labels just above the bar, kept apart, inside 0..100.
        positions = []
        for centre, _, _ in narrow:
            positions.append(max(centre, positions[-1] + NARROW_SPACING) if positions else centre)
        overflow = (positions[-1] - 99.0) if positions else 0.0
        if overflow > 0:
            positions = [x - overflow for x in positions]
        for x, (_, text, colour) in zip(positions, narrow):
            ax.text(x, yp - BAR_HEIGHT / 2 - 0.03, text, ha="center", va="bottom", color=colour,
                    fontsize=SMALL_FONT, fontweight="bold")
        ax.text(101.5, yp, f"n = {orphaned:,}", ha="left", va="center", fontsize=BASE_FONT, clip_on=False)

    ax.set_yticks(y_positions)
    ax.set_yticklabels(labels, fontsize=BASE_FONT)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_ylim(y_positions[-1] + 0.55, y_positions[0] - 0.85)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"], fontsize=SMALL_FONT)
    ax.set_xlabel(f"Share of the customers whose rep left, months {months_text(data)}"
                  " (n = how many customers)", fontsize=BASE_FONT)
    ax.set_title("(a) When their rep left, what did the customers do?", fontsize=BASE_FONT + 3,
                 loc="left", fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=colour, label=label) for _, label, colour, _, _ in CHOICES]
    return handles


def firm_style(f, n_firms):
    """Colour and dash pattern of firm f: colours first, dashes tell apart repeats."""
    colour = FIRM_COLOURS[f % len(FIRM_COLOURS)]
    if n_firms <= len(FIRM_COLOURS):
        return colour, FIRM_STYLES[f % 2]  # alternate solid and dashed: readable in grey too
    return colour, FIRM_STYLES[(f // len(FIRM_COLOURS)) % len(FIRM_STYLES)]


def draw_customers(axes, data):
    """Panel (b): customers over time, one panel per segment, one line per firm."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    firms, segments, months, customers = data["firms"], data["segments"], data["months"], data["customers"]
    few = len(months) <= 3  # too few points for a line alone: show them
    for s, ax in enumerate(axes):
        for f, firm in enumerate(firms):
            colour, style = firm_style(f, len(firms))
            ax.plot(months, customers[:, f, s], color=colour, linestyle=style, linewidth=3.5,
                    marker="o" if few else None, markersize=8, label=firm)
        ax.set_ylim(0, max(1, int(customers[:, :, s].max())) * 1.30)  # room for the departure labels
        departures = data["departures"]
        span = max(1, months[-1] - months[0]) if len(months) else 1
        for k, (month, text) in enumerate(departures):
            ax.axvline(month, color="#444444", linestyle=(0, (4, 3)), linewidth=2.5, zorder=0)
            # One departure month: say what happened; several: name the month
            # (the list is printed under the panels), staggered so close
            # months do not collide.
            label = f"month {month}:\n{text.replace('; ', chr(10))}" if len(departures) == 1 else f"month {month}"
            near_right = len(months) > 0 and (month - months[0]) / span > 0.75
            note = ax.annotate(label, xy=(month, 1.0), xycoords=("data", "axes fraction"),
                               xytext=(-6 if near_right else 6, -6 - 20 * (k % 2)), textcoords="offset points",
                               ha="right" if near_right else "left", va="top", fontsize=SMALL_FONT,
                               color="#222222")
            note.set_in_layout(False)  # may reach past the axes; must not shrink them
        ax.set_title(f"{pretty(segments[s])} customers", fontsize=BASE_FONT + 1)
        ax.set_xlabel("Month", fontsize=BASE_FONT)
        if len(months) > 1:
            ax.set_xlim(months[0], months[-1])
        else:
            ax.set_xlim(months[0] - 0.5, months[0] + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.tick_params(labelsize=SMALL_FONT)
        ax.grid(True, axis="y", color="#DDDDDD", linewidth=1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def draw(data, run, output, dpi):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.transforms import offset_copy

    plt.rcParams.update({"font.size": BASE_FONT, "axes.linewidth": 1.5,
                         "xtick.major.width": 1.5, "ytick.major.width": 1.5})
    n_firms, n_segments = len(data["firms"]), len(data["segments"])
    n_bars = n_firms * n_segments
    cols = min(n_segments, 3)
    line_rows = math.ceil(n_segments / cols)

    bars_height = 2.6 + 0.95 * n_bars + 0.35 * (n_segments - 1)
    lines_height = 1.0 + 4.4 * line_rows
    # Several departure months: listed under the panels rather than on them.
    footer = []
    if len(data["departures"]) > 1:
        footer = textwrap.wrap("Dashed lines: scripted rep departures. " + "  ·  ".join(
            f"Month {month}: {text}" for month, text in data["departures"]), width=130)
    footer_height = 0.35 * len(footer) + 0.3 if footer else 0.01
    fig = plt.figure(figsize=(16.0, 1.6 + bars_height + lines_height + footer_height), dpi=dpi,
                     layout="constrained")
    fig.get_layout_engine().set(h_pad=0.15, w_pad=0.15, hspace=0.05)
    head, top, bottom, foot = fig.subfigures(4, 1, height_ratios=[1.6, bars_height, lines_height, footer_height])
    if footer:
        foot.text(0.01, 0.95, "\n".join(footer), ha="left", va="top", fontsize=SMALL_FONT, color="#222222")

    run_text = f", run {run}" if data["runs"] > 1 or run != 0 else ""
    head.text(0.5, 0.95, TITLE, fontsize=BASE_FONT + 10, fontweight="bold", ha="center", va="top")
    head.text(0.5, 0.25, f"Scenario: {data['scenario']}{run_text}  ·  {len(data['months'])} months recorded",
              fontsize=BASE_FONT + 2, ha="center", va="bottom", color="#333333")

    # (a) the split of orphaned customers
    bars_ax = top.subplots()
    handles = draw_split(bars_ax, data)
    # Below the axis label: anchored a fixed distance under the axes.
    below = offset_copy(bars_ax.transAxes, fig=fig, y=-0.62, units="inches")
    bars_ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
                   ncol=len(CHOICES), fontsize=BASE_FONT, frameon=False, handlelength=1.5, borderaxespad=0)

    # (b) customers over time
    line_axes = bottom.subplots(line_rows, cols, squeeze=False).ravel()
    for ax in line_axes[n_segments:]:
        ax.remove()
    line_axes = list(line_axes[:n_segments])
    draw_customers(line_axes, data)
    for r in range(line_rows):
        line_axes[r * cols].set_ylabel("Customers", fontsize=BASE_FONT)
    bottom.suptitle("(b) How many customers each firm has, month by month", fontsize=BASE_FONT + 3,
                    fontweight="bold", x=0.0, ha="left")
    handles, labels = line_axes[0].get_legend_handles_labels()
    if data["departures"]:
        handles.append(Line2D([], [], color="#444444", linestyle=(0, (4, 3)), linewidth=2.5))
        labels.append("scripted rep\ndeparture")
    line_axes[cols - 1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=BASE_FONT,
                               frameon=False, title="Firm", title_fontsize=BASE_FONT, handlelength=2.5)

    fig.savefig(output, dpi=dpi)
    plt.close(fig)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    status = missing_packages(PROGRAM)
    if status is not None:
        return status
    try:
        data = load(args.results, args.run)
    except BadInput as error:
        fail(str(error))
    except (OSError, KeyError, ValueError, TypeError) as error:
        fail(f"cannot read '{args.results}' as a loyalsim results file: {error}")
    try:
        draw(data, args.run, args.output, args.dpi)
    except OSError as error:
        print(f"{PROGRAM}: error: cannot write '{args.output}': {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
