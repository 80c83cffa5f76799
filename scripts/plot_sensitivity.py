#!/usr/bin/env python3
"""Sensitivity indices with their 95% intervals, one panel per metric.

Reads the output of `loyalsim analyze` (results/<stem>.sensitivity.h5, its
indices/ and cells/ tables; docs/SENSITIVITY.md) and draws, for one firm x
segment cell (default: the pooled cell, firm and segment "all"), each
parameter's indices as horizontal bars with bootstrap 95% interval whiskers:
S1 and ST (saltelli), mu* (morris), PRCC (any other design). Parameters are
ordered by the ranking index; the panel title carries the noise share and
the ranking verdict.

    /usr/bin/python3 scripts/plot_sensitivity.py results/X.sensitivity.h5 \\
        [--metric NAME ...] [--firm NAME] [--segment NAME] [--dpi N] -o results/X.png

Bad arguments or a file that is not an analyze output: a message and exit
status 2.
"""

import argparse
import math
import sys

from loyalsim_results import (BadInput, save_figure, OKABE_ITO, SCREEN_FONTS, fail as fail_with, missing_packages, need,
                              open_file, strings, attribute_text)

PROGRAM = "plot_sensitivity.py"
# The indices drawn per method, and the one that ranks the parameters.
DRAWN = {"sobol": ["S1", "ST"], "morris": ["mu_star"], "regression": ["PRCC"]}
RANK_BY = {"sobol": "ST", "morris": "mu_star", "regression": "PRCC"}
COLOURS = {"S1": OKABE_ITO["sky_blue"], "ST": OKABE_ITO["blue"], "mu_star": OKABE_ITO["vermillion"],
           "PRCC": OKABE_ITO["green"]}
LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "mu* (mean |elementary effect|)", "PRCC": "PRCC"}


def fail(message):
    fail_with(PROGRAM, message)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.split("\n\n")[0])
    parser.add_argument("sensitivity", help="an output of loyalsim analyze (.sensitivity.h5)")
    parser.add_argument("--metric", action="append", help="a metric to draw (repeatable; default: every one)")
    parser.add_argument("--firm", default="all", help="firm of the cell (default: all, the pooled cell)")
    parser.add_argument("--segment", default="all", help="segment of the cell (default: all, the pooled cell)")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("-o", "--output", required=True, help="the figure (PNG, PDF or SVG)")
    return parser.parse_args(argv)


def unknown(what, name, names):
    import difflib
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what} '{name}'{hint}; the file has: {', '.join(sorted(set(names)))}"


def load(path):
    f = open_file(path)
    if attribute_text(f, "format") != "loyalsim-sensitivity":
        raise BadInput(f"'{path}' is not an output of loyalsim analyze (no format = loyalsim-sensitivity)")
    indices, cells = need(f, "indices", path), need(f, "cells", path)
    columns = {name: strings(need(indices, name, path)) for name in
               ("metric", "firm", "segment", "parameter", "parameter2", "index")}
    for name in ("estimate", "low", "high"):
        columns[name] = list(need(indices, name, path)[()])
    cell_columns = {name: strings(need(cells, name, path)) for name in ("metric", "firm", "segment", "method",
                                                                         "verdict")}
    cell_columns["noise_share"] = list(need(cells, "noise_share", path)[()])
    design = attribute_text(f, "design")
    f.close()
    return columns, cell_columns, design


def draw(columns, cells, design, metrics, firm, segment, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": SCREEN_FONTS.small})
    rows = [k for k in range(len(cells["metric"])) if cells["firm"][k] == firm and cells["segment"][k] == segment
            and cells["metric"][k] in metrics]
    panels = len(rows)
    parameters = sorted({p for p, q in zip(columns["parameter"], columns["parameter2"]) if not q})
    height = 1.2 + 0.55 * len(parameters)
    fig, axes = plt.subplots(panels, 1, figsize=(11, height * panels), squeeze=False)
    for axis, k in zip(axes[:, 0], rows):
        metric, method = cells["metric"][k], cells["method"][k]
        drawn = DRAWN.get(method, [])
        values = {}
        for r in range(len(columns["metric"])):
            if (columns["metric"][r] == metric and columns["firm"][r] == firm and columns["segment"][r] == segment
                    and not columns["parameter2"][r] and columns["index"][r] in drawn):
                values[(columns["parameter"][r], columns["index"][r])] = (
                    columns["estimate"][r], columns["low"][r], columns["high"][r])

        def rank(p):
            v = values.get((p, RANK_BY[method]), (math.nan,))[0]
            return -abs(v) if math.isfinite(v) else math.inf

        order = sorted(parameters, key=rank)
        width = 0.8 / max(len(drawn), 1)
        for j, index in enumerate(drawn):
            ys, xs, lo, hi = [], [], [], []
            for i, p in enumerate(order):
                estimate, low, high = values.get((p, index), (math.nan,) * 3)
                if not math.isfinite(estimate):
                    continue
                ys.append(len(order) - 1 - i + (j - (len(drawn) - 1) / 2) * width)
                xs.append(estimate)
                lo.append(estimate - low if math.isfinite(low) else 0.0)
                hi.append(high - estimate if math.isfinite(high) else 0.0)
            axis.barh(ys, xs, height=width, color=COLOURS[index], label=LABELS[index],
                      xerr=[lo, hi], error_kw={"ecolor": OKABE_ITO["black"], "capsize": 3, "linewidth": 1})
        axis.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
        axis.set_yticks(range(len(order)))
        axis.set_yticklabels(list(reversed(order)))
        share = cells["noise_share"][k]
        noise = f"noise {100 * share:.0f}% of run variance" if math.isfinite(share) else "noise unknown"
        verdict = cells["verdict"][k].split(":")[0]
        axis.set_title(f"{metric}  ({firm} / {segment})  —  {noise}; {verdict}", fontsize=SCREEN_FONTS.small,
                       loc="left")
        axis.legend(loc="lower right", fontsize=SCREEN_FONTS.small - 2, frameon=False)
    axes[-1, 0].set_xlabel("index (bars: estimate; whiskers: bootstrap 95% interval)")
    fig.suptitle(f"Sensitivity ({design} design): {path}", fontsize=SCREEN_FONTS.base)
    fig.tight_layout()
    return fig, plt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    status = missing_packages(PROGRAM)
    if status is not None:
        return status
    try:
        columns, cells, design = load(args.sensitivity)
        all_metrics = list(dict.fromkeys(cells["metric"]))
        metrics = args.metric or all_metrics
        for metric in metrics:
            if metric not in all_metrics:
                raise BadInput("--metric: " + unknown("metric", metric, all_metrics))
        if args.firm not in cells["firm"]:
            raise BadInput("--firm: " + unknown("firm", args.firm, cells["firm"]))
        if args.segment not in cells["segment"]:
            raise BadInput("--segment: " + unknown("segment", args.segment, cells["segment"]))
        if not any(f == args.firm and s == args.segment for f, s in zip(cells["firm"], cells["segment"])):
            raise BadInput(f"no cell {args.firm} / {args.segment} in '{args.sensitivity}'")
        fig, plt = draw(columns, cells, design, metrics, args.firm, args.segment, args.sensitivity)
    except BadInput as error:
        fail(str(error))
    save_figure(PROGRAM, fig, plt, args.output, args.dpi)
    return 0


if __name__ == "__main__":
    sys.exit(main())
