#!/usr/bin/env python3
"""Figures and tables of the classroom kit (scenarios/classroom/).

    /usr/bin/python3 scripts/plot_classroom.py summary FILE.h5 [FILE.h5 ...]
        [-o summary.png] [--table summary.txt] [--slides DIR] [--dpi N] [--palette N]
    /usr/bin/python3 scripts/plot_classroom.py what-if what_if_substitutability.h5
        [-o what_if_substitutability.png] [--slides DIR] [--x PATH] [--dpi N] [--palette N]

Reads only loyalsim HDF5 files written with --events, through
scripts/loyalsim_results.py (h5py, numpy, matplotlib). The star rep of a
scripted departure ([[departures]] in the root attribute scenario_resolved)
is found in events/ (choice codes from events/choice's flag_meanings): of
the reps who left the departure's firm in the departure's month, the one
with the most decisions (its book: the scripted departure takes the largest
book; random leavers of the same month have smaller books).

summary: every run of every file is one replicate of its case. A case is the
scenario in force (scenario_resolved, the seed aside), named by the
scenario's file name (e.g. complex_solution); several files of the same case
(one per --seed) are pooled. Files of the same scenario file run with other
parameters (loyalsim run --set ...) are a variant: never pooled with the
baseline, drawn as their own bar and line and labelled with what was changed
(the --set options in the file's command_line attribute); when every case
has the same change, the page's subtitle says it instead. One page, readable
on a projector:
  (a) what the star's customers did: stayed with the firm (and got a new
      rep), followed the star to the competitor, or stopped buying; mean over
      the replicates;
  (b) the firm's customers (timeseries/customers summed over segments)
      from 12 months before to 12 months after the departure, as a
      percentage of the month before it; mean and 95% interval.
It prints a plain-text table (also written to --table): the split of the
star's customers, the firm's retention over all departures of the recorded
months (summary/stayed / summary/orphaned over the segments), the share of
the firm's stayers still its customers 12 months later
(summary/stays_12m_retained / stays_12m_eligible), and the firm's customers
12 months after the departure. --slides DIR also draws each panel as its own
16:9 slide (1920x1080 pixels, at least 24 pt type): DIR/summary_a.png and
DIR/summary_b<N>.png.

what-if: a sweep (runs/ has a column per varied parameter); the follow rate
of the star's customers, one line per segment, against the parameter (--x,
default the first varied one), with 95% t-intervals over the replicates. The
title says what was changed (the --set options of the file's command line);
--slides DIR draws the same figure as a 16:9 slide, DIR/what_if.png.

Bad arguments or a missing or invalid file: a message on stderr and exit
status 2.
"""

import argparse
import hashlib
import json
import math
import os
import shlex
import sys

from loyalsim_results import (BadInput, CHOICE_COLOURS, FEW_LINE_COLOURS, LINE_STYLES, PROJECTOR_FONTS,
                              attribute_text, coordinates, done_runs, fail as fail_with, flags, index_names, need, open_file,
                              parameter_value, scenario, scenario_name, t_quantile, varied_parameters)

PROGRAM = "plot_classroom.py"

BASE_FONT, SMALL_FONT = PROJECTOR_FONTS
LINE_WIDTH = 4.0
SLIDE_SIZE, SLIDE_DPI = (16, 9), 120        # 16:9, 1920 x 1080 pixels
SLIDE_FONT, SLIDE_SMALL_FONT = 28, 24         # a back row can read it

CHOICES = [  # (flag meaning of events/choice, legend label, bar colour, colour of a label inside the bar)
    ("stay", "Stayed with the firm (got a new rep)", CHOICE_COLOURS["stay"], "white"),
    ("follow", "Followed the star to the competitor", CHOICE_COLOURS["follow"], "white"),
    ("defect", "Stopped buying altogether", CHOICE_COLOURS["defect"], "black"),
]
LINE_COLOURS = FEW_LINE_COLOURS

# The kit's cases, in the order of the figure: scenario file name (and, for a
# case with several scripted departures, the firm the star leaves) -> label
# of the bar in (a), label of the line in (b).
KIT_CASES = [
    (("complex_solution", None), "Complex solution\n(long sale, executive buyers)", "Complex solution"),
    (("simple_product", None), "Simple product\n(bought through procurement)", "Simple product"),
    (("personal_service", None), "Personal service\n(stylist, nail technician)", "Personal service"),
    (("company_owns", None), "Company owns the relationship\n(service, support, billing)", "Company owns it"),
    (("routed_through_rep", None), "All contact routed via the rep\n(the rep owns the account)",
     "Routed via the rep"),
    (("small_vs_big", "SmallFirm"), "Small firm's star leaves\nfor the big brand", "Small firm"),
    (("small_vs_big", "BigBrand"), "Big brand's star leaves\nfor the small firm", "Big brand"),
    (("rep_retires", "CarefulFirm"), "Star retires: successor\nintroduced in joint visits", "Careful handoff"),
    (("rep_retires", "HastyFirm"), "Star retires: the list\nis handed over", "List handed over"),
    (("pay_that_keeps_reps", "RetainingFirm"), "Pay keeps reps (5% leave a year):\nits star leaves", "Pay keeps reps"),
    (("pay_that_keeps_reps", "RevolvingDoor"), "Commission only (30% leave):\nits star leaves", "Commission only"),
    (("responsibility_not_ownership", "FirmServices"), "Firm services the account,\nthe rep manages it",
     "Firm services it"),
    (("responsibility_not_ownership", "RepOwns"), "The rep owns the account\n(complex solution)", "Rep owns it"),
]
# Panels of (b): title, cases.
KIT_GROUPS = [
    ("What is sold", ["complex_solution", "simple_product", "personal_service"]),
    ("How the firm serves", ["company_owns", "routed_through_rep"]),
    ("Firm size: the two stars\ntrade places", ["small_vs_big"]),
    ("The star retires:\nthe handoff", ["rep_retires"]),
    ("Pay that keeps reps:\nthe stars trade places", ["pay_that_keeps_reps"]),
    ("Who services the account\nafter the sale", ["responsibility_not_ownership"]),
]
SEGMENT_LABELS = {
    "complex_solution": "Complex-solution customers",
    "simple_product": "Simple-product customers",
    "b2b_account": "B2B accounts",
    "salon_client": "Salon clients",
}
PARAMETER_LABELS = {
    "market.substitutability": "How alike the two firms' products are\n"
                               "(substitutability: 0 = different products, 1 = the same)",
}


def fail(message):
    fail_with(PROGRAM, message)


# ------------------------------------------------------------ statistics

def mean_interval(samples, axis=0):
    """Mean and half-width of the 95% t-interval over axis (NaN half-width below 2 samples)."""
    import numpy as np

    a = np.asarray(samples, dtype=np.float64)
    n = np.sum(np.isfinite(a), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(a, axis=axis) if a.size else np.nan
        sd = np.nanstd(a, axis=axis, ddof=1) if a.shape[axis] > 1 else np.full_like(mean, np.nan)
        half = np.where(n > 1, sd / np.sqrt(np.maximum(n, 1)) * t_quantile(max(int(np.max(n)) - 1, 1)), np.nan)
    return mean, half


# ------------------------------------------------------------ reading

def set_options(f):
    """The --set PATH=VALUE options of the command line that wrote the file (sorted; [] if none)."""
    words = attribute_text(f, "command_line").split()
    try:
        words = shlex.split(attribute_text(f, "command_line"))
    except ValueError:  # an unbalanced quote in a path: the plain split is close enough
        pass
    found = []
    for i, word in enumerate(words):
        if word == "--set" and i + 1 < len(words):
            found.append(words[i + 1])
        elif word.startswith("--set="):
            found.append(word[len("--set="):])
    return sorted(found)


def variant_of(f, values):
    """(key, label) of the scenario in force: the key is the resolved scenario without its seed (two
    files are the same case only if it is equal); the label says what the command line changed."""
    key = json.dumps({k: v for k, v in values.items() if k != "seed"}, sort_keys=True, default=str)
    return key, ", ".join(set_options(f))

def read_file(path):
    """Every finished run of a results file: the stars' decisions and the firms' customers."""
    import numpy as np

    with open_file(path) as f:
        values = scenario(f, path)
        if "events" not in f:
            raise BadInput(f"'{path}' has no events/: run loyalsim with --events")
        departures = values.get("departures", [])
        if not departures:
            raise BadInput(f"'{path}': the scenario has no [[departures]] (no star rep leaves)")
        case = scenario_name(f, path)
        variant_key, variant_label = variant_of(f, values)
        ts = need(f, "timeseries", path)
        customers_ds = need(ts, "customers", path)
        coords = coordinates(customers_ds, path)
        firms, segments, months = coords["firm"], coords["segment"], coords["month"].astype(np.int64)
        customers = np.asarray(customers_ds[()], dtype=np.float64).sum(axis=3)  # run x month x firm
        summary = need(f, "summary", path)
        stayed = np.asarray(need(summary, "stayed", path)[()], dtype=np.float64).sum(axis=2)     # run x firm
        orphaned = np.asarray(need(summary, "orphaned", path)[()], dtype=np.float64).sum(axis=2)
        if "stays_12m_retained" in summary and "stays_12m_eligible" in summary:
            kept = np.asarray(summary["stays_12m_retained"][()], dtype=np.float64).sum(axis=2)
            eligible = np.asarray(summary["stays_12m_eligible"][()], dtype=np.float64).sum(axis=2)
        else:  # files of older versions
            kept = eligible = np.zeros_like(stayed)
        done = np.flatnonzero(done_runs(f, path))
        n_runs = need(f, "runs", path)["status"].shape[0]
        params = varied_parameters(f, path)
        columns = {p: np.asarray(f["runs"][p][()], dtype=np.float64) for p in params}
        ev = need(f, "events", path)
        events = {k: np.asarray(need(ev, k, path)[()]) for k in ("run", "month", "rep", "from_firm", "segment", "choice")}
        choice_codes = flags(ev["choice"], path)
        if index_names(ev["from_firm"], f, path, "firm") != firms:
            raise BadInput(f"'{path}': events/from_firm names other firms than timeseries/firm")
        if index_names(ev["segment"], f, path, "segment") != segments:
            raise BadInput(f"'{path}': events/segment names other segments than timeseries/segment")
    for meaning, *_ in CHOICES:
        if meaning not in choice_codes:
            raise BadInput(f"'{path}': events/choice has no code for '{meaning}' (it has {', '.join(choice_codes)})")
    stay, follow, defect = (choice_codes[m] for m, *_ in CHOICES)

    if done.size == 0:
        raise BadInput(f"'{path}' has no finished run")
    order = np.argsort(events["run"], kind="stable")
    events = {k: v[order] for k, v in events.items()}
    bounds = np.searchsorted(events["run"], np.arange(n_runs + 1))

    records = []
    for r in done:
        lo, hi = bounds[r], bounds[r + 1]
        ev_r = {k: v[lo:hi] for k, v in events.items()}
        for d in departures:
            firm, month = d["firm"], int(d["month"])
            if firm not in firms:
                raise BadInput(f"'{path}': departure from unknown firm '{firm}'")
            fi = firms.index(firm)
            sel = (ev_r["month"] == month) & (ev_r["from_firm"] == fi)
            reps, counts = np.unique(ev_r["rep"][sel], return_counts=True)
            if reps.size == 0:
                continue  # the star had no customers (or the month is not recorded)
            # The scripted leavers: the largest books of the month (ties: lowest id, as the engine).
            top = np.lexsort((reps, -counts))[: int(d["count"])]
            star = sel & np.isin(ev_r["rep"], reps[top])
            choice = ev_r["choice"][star]
            seg = ev_r["segment"][star]
            n = choice.size
            rel = months - month
            base_idx = np.flatnonzero(months == month - 1)
            base = customers[r, base_idx[0], fi] if base_idx.size else math.nan
            records.append({
                "file": path, "case": case, "variant": variant_key, "variant_label": variant_label,
                "run": int(r), "firm": firm, "to": str(d["to"]),
                "month": month, "book": n,
                "stay": float(np.mean(choice == stay)),
                "follow": float(np.mean(choice == follow)),
                "defect": float(np.mean(choice == defect)),
                "follow_by_segment": {s: (float(np.mean(choice[seg == i] == follow))
                                          if np.any(seg == i) else math.nan)
                                      for i, s in enumerate(segments)},
                "retention_all": stayed[r, fi] / orphaned[r, fi] if orphaned[r, fi] > 0 else math.nan,
                "kept_12m": kept[r, fi] / eligible[r, fi] if eligible[r, fi] > 0 else math.nan,
                "rel_months": rel,
                "index": customers[r, :, fi] / base * 100.0 if base > 0 else np.full(rel.shape, math.nan),
                "params": {p: float(columns[p][r]) for p in params},
            })
    return records, segments, params


def save(fig, output, dpi, palette=0):
    """Write the PNG; with palette > 0, as an indexed PNG of that many colours (a small file for docs/)."""
    fig.savefig(output, dpi=dpi)
    if palette:
        try:
            from PIL import Image
        except ImportError:  # Pillow comes with matplotlib, but keep the full-colour file if it is missing
            print("plot_classroom.py: Pillow is missing; wrote a full-colour PNG", file=sys.stderr)
            return
        with Image.open(output) as image:
            small = image.convert("RGB").quantize(colors=palette, method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
        small.save(output, optimize=True)


# ------------------------------------------------------------ summary

def case_key(record, multi):
    return (record["case"], record["firm"] if multi.get(record["case"]) else None, record["variant"])


def variant_labels(records):
    """Label of each (case, variant): its --set options, told apart by a scenario hash if two share them."""
    labels = {}
    for rec in records:
        labels.setdefault(rec["case"], {})[rec["variant"]] = rec["variant_label"]
    out = {}
    for case, variants in labels.items():
        texts = list(variants.values())
        for key, label in variants.items():
            if texts.count(label) > 1:
                digest = hashlib.sha256(key.encode()).hexdigest()[:6]
                label = (label + "; " if label else "") + f"scenario {digest}"
            out[(case, key)] = label
    return out


def common_change(cases):
    """The change every case shares (all drawn with the same --set options), or ''."""
    labels = {c["variant_label"] for c in cases}
    return labels.pop() if len(labels) == 1 else ""


def wrap_label(text):
    """One --set option a line: 'with A=1,\nB=2'."""
    return "with " + ",\n".join(text.split(", "))


def gather(paths):
    """Cases in figure order: list of dicts with the records of every replicate."""
    records = []
    for path in paths:
        recs, _, params = read_file(path)
        if params:
            raise BadInput(f"'{path}' is a sweep over {', '.join(params)}: draw it with 'what-if'; "
                           "summary pools the runs of each case as replicates")
        records.extend(recs)
    if not records:
        raise BadInput("no star departure found in the files (no decisions in the departure month?)")
    firms_per_case = {}
    for rec in records:
        firms_per_case.setdefault(rec["case"], set()).add(rec["firm"])
    multi = {c: len(f) > 1 for c, f in firms_per_case.items()}
    by_key = {}
    for rec in records:
        by_key.setdefault(case_key(rec, multi), []).append(rec)
    labels = variant_labels(records)
    known = {key: (bar, line) for key, bar, line in KIT_CASES}
    order = {key: i for i, (key, _, _) in enumerate(KIT_CASES)}
    # Kit cases first in the figure's order (each case's variants together, the unchanged one first),
    # then any other case by name.
    keys = sorted(by_key, key=lambda k: (order.get(k[:2], len(order)), k[0], k[1] or "",
                                         labels[(k[0], k[2])] != "", labels[(k[0], k[2])]))
    cases = []
    for key in keys:
        recs = by_key[key]
        first = recs[0]
        default = (f"{first['case'].replace('_', ' ')}:\n{first['firm']}'s star leaves for {first['to']}"
                   if key[1] else first["case"].replace("_", " ").capitalize())
        bar, line = known.get(key[:2], (default, default.replace("\n", " ")))
        cases.append({"key": key, "bar_label": bar, "line_label": line, "records": recs,
                      "variant_label": labels[(key[0], key[2])]})
    common = common_change(cases)
    variants_differ = len({c["variant_label"] for c in cases}) > 1
    for case in cases:
        if case["variant_label"] and variants_differ:
            case["bar_label"] += "\n" + wrap_label(case["variant_label"])
            case["line_label"] += "\n" + wrap_label(case["variant_label"])
        case["common_change"] = common
    return cases


def case_stats(case):
    import numpy as np

    recs = case["records"]
    out = {"n": len(recs), "firm": recs[0]["firm"], "to": recs[0]["to"]}
    for k in ("book", "stay", "follow", "defect", "retention_all", "kept_12m"):
        out[k] = mean_interval([r[k] for r in recs])
    rel = recs[0]["rel_months"]
    same = all(np.array_equal(r["rel_months"], rel) for r in recs)
    if not same:
        raise BadInput(f"the runs of case {case['key'][0]} record different months")
    out["variant_label"] = case["variant_label"]
    out["rel"] = rel
    out["index"] = mean_interval(np.vstack([r["index"] for r in recs]), axis=0)
    after = np.flatnonzero(rel == 12)
    out["index_12"] = ((float(out["index"][0][after[0]]), float(out["index"][1][after[0]]))
                       if after.size else (math.nan, math.nan))
    at = np.flatnonzero(rel == 0)
    out["index_0"] = ((float(out["index"][0][at[0]]), float(out["index"][1][at[0]]))
                      if at.size else (math.nan, math.nan))
    return out


def pct(mean_half, digits=1):
    m, h = mean_half
    if not math.isfinite(m):
        return "-"
    return f"{100 * m:.{digits}f}" + (f" ±{100 * h:.{digits}f}" if math.isfinite(h) else "")


def summary_table(cases, stats):
    reps = sorted({s["n"] for s in stats})
    rep_text = "/".join(str(r) for r in reps)
    common = cases[0]["common_change"] if cases else ""
    lines = [
        "When the star rep leaves: what the star's customers did",
        f"(percent; mean over {rep_text} runs per case ± half-width of the 95% t-interval)",
    ]
    if common:
        lines.append(f"changed in every case: {common}")
    lines.append("")
    header = ["case", "star's firm", "star's book", "stayed", "followed", "stopped",
              "firm keeps (all departures)", "stayers kept 12 months", "customers at +12 months"]
    rows = []
    for case, s in zip(cases, stats):
        label = case["key"][0]
        rows.append([label, s["firm"], f"{s['book'][0]:.0f}", pct(s["stay"]), pct(s["follow"]),
                     pct(s["defect"]), pct(s["retention_all"]), pct(s["kept_12m"]),
                     f"{s['index_12'][0]:.1f} ±{s['index_12'][1]:.1f}" if math.isfinite(s["index_12"][1])
                     else f"{s['index_12'][0]:.1f}"])
    if not common and any(c["variant_label"] for c in cases):  # variants: say what each changed
        header.append("changed")
        for row, case in zip(rows, cases):
            row.append(case["variant_label"] or "(as written)")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    fmt = lambda cells: "  ".join(c.ljust(w) if i < 2 or i == 9 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    lines.append(fmt(header).rstrip())
    lines.extend(fmt(r).rstrip() for r in rows)
    lines += [
        "",
        "star's book: customers of the star when it left (each made a decision);",
        "stayed / followed / stopped: shares of those customers;",
        "firm keeps (all departures): stayed / orphaned over every rep who left the star's firm",
        "  in the recorded months (random departures too, some to the industry: no one can follow them);",
        "stayers kept 12 months: of the firm's customers who stayed when their rep left (months 1 to",
        "  months-12), the share still its customers 12 months later;",
        "customers at +12 months: the star's firm's customers 12 months after the departure,",
        "  as a percentage of the month before it.",
    ]
    return "\n".join(lines) + "\n"


def panel_groups(cases):
    """The panels of (b): (title, cases) per theme of KIT_GROUPS that has cases, then any other cases."""
    groups = [(title, [c for c in cases if c["key"][0] in members]) for title, members in KIT_GROUPS]
    grouped = {id(c) for _, cs in groups for c in cs}
    others = [c for c in cases if id(c) not in grouped]
    if others:
        groups.append(("Other cases", others))
    return [(t, cs) for t, cs in groups if cs]


def summary_title(cases):
    """The page's title, and its subtitle: what was changed in every case ('' if nothing)."""
    retire = all(str(c["records"][0]["to"]) == "industry" for c in cases)
    compete = all(str(c["records"][0]["to"]) != "industry" for c in cases)
    title = ("When the star rep leaves for a competitor with similar products,\nwho keeps the customers?"
             if compete else "When the star rep retires, who keeps the customers?" if retire
             else "When the star rep leaves (for a competitor, or retires),\nwho keeps the customers?")
    common = cases[0]["common_change"]
    return title, (f"Changed in every case: {common}" if common else "")


def line_range(stats):
    """y limits of (b) shared by every panel: the lowest and highest mean ± interval, in steps of 5."""
    import numpy as np

    lows, highs = [], []
    for s in stats:
        m, h = s["index"]
        h = np.where(np.isfinite(h), h, 0)
        lows.append(np.nanmin(m - h))
        highs.append(np.nanmax(m + h))
    return math.floor((min(lows) - 1) / 5) * 5, max(102.5, math.ceil(max(highs) + 1))


def draw_bars(ax, cases, stats, base, small, bar_labels=True):
    """(a): one stacked bar per case (stay / follow / stop), the percentages written in the bars."""
    import numpy as np

    n_cases = len(cases)
    ys = np.arange(n_cases)[::-1]
    left = np.zeros(n_cases)
    for key, label, colour, text_colour in CHOICES:
        values = np.array([100 * s[key][0] for s in stats])
        ax.barh(ys, values, left=left, height=0.74, color=colour, label=label, edgecolor="white", linewidth=1.5)
        for y_, l, v in zip(ys, left, values):
            if v >= 4.0:
                ax.text(l + v / 2, y_, f"{v:.0f}%", ha="center", va="center", color=text_colour,
                        fontsize=base if v >= 6 else small, fontweight="bold")
            elif v >= 0.5:  # too narrow: the number beside the bar (only the last slice can be this narrow)
                ax.text(100.6 if key == "defect" else l + v / 2, y_, f"{v:.0f}%",
                        ha="left" if key == "defect" else "center", va="center", color="#333333",
                        fontsize=small, clip_on=False)
        left += values
    ax.set_yticks(ys)
    ax.set_yticklabels([c["bar_label"] for c in cases] if bar_labels else [], fontsize=small)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.55, n_cases - 0.45)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"], fontsize=small)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def draw_lines(ax, members, cases, stats, y_range, small):
    """(b): each case's firm customers around the departure (mean line and 95% band); returns the lines."""
    import numpy as np

    y_lo, y_hi = y_range
    ax.axvline(0, color="#555555", linestyle=":", linewidth=2.5)
    ax.axhline(100, color="#AAAAAA", linewidth=1.5, zorder=0)
    handles = []
    for li, case in enumerate(members):
        s = stats[cases.index(case)]
        m, h = s["index"]
        colour = LINE_COLOURS[li % len(LINE_COLOURS)]
        line, = ax.plot(s["rel"], m, color=colour, linestyle=LINE_STYLES[li % len(LINE_STYLES)],
                        linewidth=LINE_WIDTH, label=case["line_label"])
        handles.append(line)
        if np.isfinite(h).any():
            ax.fill_between(s["rel"], m - h, m + h, color=colour, alpha=0.2, linewidth=0)
    ax.set_xlim(-12, 12)
    ax.set_xticks([-12, -6, 0, 6, 12])
    ax.set_ylim(y_lo, y_hi)
    ax.set_yticks(np.arange(y_lo, y_hi + 0.01, 5 if y_hi - y_lo <= 40 else 10))
    ax.grid(axis="y", color="#DDDDDD")
    ax.set_xlabel("Months since the star left", fontsize=small)
    ax.text(0.4, y_hi - 0.4, "star leaves", ha="left", va="top", fontsize=small, color="#555555")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return handles


def draw_summary(cases, stats, output, dpi, palette=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": BASE_FONT, "axes.titlesize": BASE_FONT + 2,
                         "axes.labelsize": BASE_FONT, "xtick.labelsize": SMALL_FONT,
                         "ytick.labelsize": SMALL_FONT, "legend.fontsize": SMALL_FONT})
    n_cases = len(cases)
    groups = panel_groups(cases)
    per_row = 3
    rows = [groups[i:i + per_row] for i in range(0, len(groups), per_row)]
    title, subtitle = summary_title(cases)
    long_labels = max(c["bar_label"].count("\n") for c in cases) + 1
    bar_h = 0.64 if long_labels <= 2 else 0.3 * long_labels + 0.1

    # Layout in inches, from the top of the page down; (b) has one row of panels per three themes.
    width = 18.0
    heights = [("title", 1.25 + (0.45 if subtitle else 0)), ("a_title", 0.55), ("bars", bar_h * n_cases),
               ("a_legend", 1.25), ("b_title", 0.75)]
    for ri, row in enumerate(rows):
        heights += [(f"b_subtitles{ri}", 0.75), (f"b_axes{ri}", 4.6), (f"b_xlabel{ri}", 0.75),
                    (f"b_legend{ri}", 0.36 * max(len(cs) for _, cs in row) + 0.3)]
    height = sum(h for _, h in heights)
    top = {}
    y = height
    for name, h in heights:
        top[name] = y
        y -= h

    def axes_at(left_in, bottom_in, w_in, h_in, **kw):
        return fig.add_axes([left_in / width, bottom_in / height, w_in / width, h_in / height], **kw)

    fig = plt.figure(figsize=(width, height))
    fig.text(0.5, (height - 0.15) / height, title, ha="center", va="top", fontsize=BASE_FONT + 8, fontweight="bold")
    if subtitle:
        fig.text(0.5, (height - 1.3) / height, subtitle, ha="center", va="top", fontsize=BASE_FONT + 2,
                 color="#B00000", fontweight="bold")

    # (a) the split of the star's customers
    reps = sorted({s["n"] for s in stats})
    label_w, right_pad = 5.2, 0.75
    bars_h = bar_h * n_cases
    ax = axes_at(label_w, top["bars"] - bars_h, width - label_w - right_pad, bars_h)
    fig.text(0.25 / width, (top["a_title"] - 0.05) / height,
             f"(a) What the star rep's customers did (mean of {'/'.join(map(str, reps))} simulated markets per case)",
             ha="left", va="top", fontsize=BASE_FONT + 2, fontweight="bold")
    draw_bars(ax, cases, stats, BASE_FONT, SMALL_FONT)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5 - 0.5 * label_w / (width - label_w - right_pad), -0.5 / bars_h - 0.02),
              ncol=3, frameon=False, handlelength=1.4, borderaxespad=0, columnspacing=2.0,
              fontsize=BASE_FONT)

    # (b) the firm's customers around the departure
    fig.text(0.25 / width, (top["b_title"] - 0.1) / height,
             "(b) The firm's customers around the departure (mean and 95% interval)",
             ha="left", va="top", fontsize=BASE_FONT + 2, fontweight="bold")
    y_range = line_range(stats)
    b_left, b_right, gap = 1.75, 0.45, 0.7
    panel_w = (width - b_left - b_right - gap * (per_row - 1)) / per_row
    first = None
    for ri, row in enumerate(rows):
        b_bottom = top[f"b_axes{ri}"] - 4.6
        for gi, (group_title, members) in enumerate(row):
            bx = axes_at(b_left + gi * (panel_w + gap), b_bottom, panel_w, 4.6, sharey=first)
            first = first or bx
            handles = draw_lines(bx, members, cases, stats, y_range, SMALL_FONT)
            fig.text((b_left + gi * (panel_w + gap) + panel_w / 2) / width, (top[f"b_subtitles{ri}"] - 0.05) / height,
                     group_title, ha="center", va="top", fontsize=BASE_FONT, fontweight="bold")
            bx.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.75 / 4.6 - 0.02),
                      frameon=False, handlelength=2.8, borderaxespad=0, fontsize=SMALL_FONT)
            if gi > 0:
                plt.setp(bx.get_yticklabels(), visible=False)
            else:
                bx.set_ylabel("Firm's customers\n(100 = the month before)", fontsize=SMALL_FONT)
    save(fig, output, dpi, palette)
    plt.close(fig)


def draw_summary_slides(cases, stats, folder):
    """Each panel as its own 16:9 slide, one per theme: summary_a1.png, ... (the bars of (a)) and
    summary_b1.png, ... (the lines of (b))."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reps = "/".join(map(str, sorted({s["n"] for s in stats})))
    _, subtitle = summary_title(cases)
    written = []

    def slide(title, name):
        """A 16:9 figure with its title (and the change, if any); returns it, its path and the top of the room left."""
        fig = plt.figure(figsize=SLIDE_SIZE)
        fig.text(0.5, 0.965, title, ha="center", va="top", fontsize=SLIDE_FONT + 4, fontweight="bold")
        below = 0.965 - 0.085 * (title.count("\n") + 1)
        if subtitle:
            fig.text(0.5, below, subtitle, ha="center", va="top", fontsize=SLIDE_SMALL_FONT, color="#B00000",
                     fontweight="bold")
            below -= 0.06
        return fig, os.path.join(folder, name), below - 0.04

    # (a) one slide per theme, as the panels of (b): a few bars fit a slide in large type
    groups = panel_groups(cases)
    for ci, (group_title, members) in enumerate(groups):
        idx = [cases.index(c) for c in members]
        name = "summary_a.png" if len(groups) == 1 else f"summary_a{ci + 1}.png"
        theme = group_title.replace("\n", " ")
        fig, path, top = slide("What the star rep's customers did" + (f":\n{theme}" if len(groups) > 1 else ""), name)
        ax = fig.add_axes([0.40, 0.17, 0.57, top - 0.17])
        sub_cases, sub_stats = [cases[i] for i in idx], [stats[i] for i in idx]
        draw_bars(ax, sub_cases, sub_stats, SLIDE_FONT, SLIDE_SMALL_FONT, bar_labels=False)
        ys = list(range(len(idx)))[::-1]
        for y_, case in zip(ys, sub_cases):
            ax.text(-0.02, y_, case["bar_label"], transform=ax.get_yaxis_transform(), ha="right", va="center",
                    fontsize=SLIDE_SMALL_FONT - 8 if case["bar_label"].count("\n") > 1 else SLIDE_SMALL_FONT - 2)
        handles, labels = ax.get_legend_handles_labels()
        short = {"stay": "Stayed", "follow": "Followed the star", "defect": "Stopped buying"}
        fig.legend(handles, [short[m] for m, *_ in CHOICES], loc="lower center",
                   bbox_to_anchor=(0.5, 0.045), ncol=3, frameon=False, handlelength=1.2, borderaxespad=0,
                   columnspacing=1.2, fontsize=SLIDE_SMALL_FONT - 4)
        fig.text(0.99, 0.01, f"mean of {reps} simulated markets per case", ha="right", va="bottom",
                 fontsize=SLIDE_SMALL_FONT - 8, color="#555555")
        save(fig, path, SLIDE_DPI)
        plt.close(fig)
        written.append(path)

    # (b) one slide per theme
    y_range = line_range(stats)
    for gi, (group_title, members) in enumerate(panel_groups(cases)):
        fig, path, top = slide(group_title.replace("\n", " ") + ":\nthe firm's customers", f"summary_b{gi + 1}.png")
        ax = fig.add_axes([0.11, 0.16, 0.52, top - 0.16])
        handles = draw_lines(ax, members, cases, stats, y_range, SLIDE_SMALL_FONT)
        ax.tick_params(labelsize=SLIDE_SMALL_FONT)
        ax.set_ylabel("Firm's customers\n(100 = the month before)", fontsize=SLIDE_SMALL_FONT)
        widest = max(len(part) for h in handles for part in h.get_label().split("\n"))
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.03, 0.5), frameon=False, handlelength=2.4,
                  fontsize=SLIDE_SMALL_FONT - 2 if widest <= 22 else SLIDE_SMALL_FONT - 12, labelspacing=1.0)
        fig.text(0.99, 0.01, f"mean and 95% interval over {reps} simulated markets", ha="right", va="bottom",
                 fontsize=SLIDE_SMALL_FONT - 8, color="#555555")
        save(fig, path, SLIDE_DPI)
        plt.close(fig)
        written.append(path)
    return written


def run_summary(args):
    cases = gather(args.files)
    stats = [case_stats(c) for c in cases]
    table = summary_table(cases, stats)
    print(table, end="")
    if args.table:
        with open(args.table, "w", encoding="utf-8") as out:
            out.write(table)
    draw_summary(cases, stats, args.output, args.dpi, args.palette)
    print(f"wrote {args.output}" + (f" and {args.table}" if args.table else ""))
    if args.slides:
        slides = draw_summary_slides(cases, stats, args.slides)
        print(f"wrote {len(slides)} slides in {args.slides}")


# ------------------------------------------------------------ what if

def base_value(path, name):
    """The value of parameter `name` in the scenario in force apart from the sweep, or None."""
    if not name:
        return None
    with open_file(path) as f:
        return parameter_value(scenario(f, path), name)


def what_if_data(path, x_arg):
    """The sweep's follow rates: (x name, values, segments present, {segment: (means, halves)}, table, reps)."""
    import numpy as np

    records, segments, params = read_file(path)
    if not params:
        raise BadInput(f"'{path}' is not a sweep (no varied parameter in runs/)")
    x_name = x_arg or params[0]
    if x_name not in params:
        raise BadInput(f"'{x_name}' is not a varied parameter of '{path}'; it has: {', '.join(params)}")
    firms_left = sorted({r["firm"] for r in records})
    if len(firms_left) != 1:
        raise BadInput(f"what-if expects one star departure per run, found departures from {firms_left}")
    xs = np.array([r["params"][x_name] for r in records])
    values = sorted(set(xs.tolist()))
    present = [s for s in segments if any(math.isfinite(r["follow_by_segment"][s]) for r in records)]
    table = ["What if: follow rate of the star's customers (percent, mean ± half-width of the 95% t-interval)"]
    change = records[0]["variant_label"] if records else ""
    if change:
        table.append(f"changed: {change}")
    table.append(f"{x_name:>24s}  " + "  ".join(f"{s:>22s}" for s in present))
    rows = {v: [] for v in values}
    reps = set()
    curves = {}
    for seg in present:
        means, halves = [], []
        for v in values:
            samples = [r["follow_by_segment"][seg] for r, x in zip(records, xs) if x == v]
            reps.add(len(samples))
            m, h = mean_interval(samples)
            means.append(100 * float(m))
            halves.append(100 * float(h) if math.isfinite(float(h)) else 0.0)
            rows[v].append(pct((float(m), float(h))))
        curves[seg] = (np.array(means), np.array(halves))
    for v in values:
        table.append(f"{v:>24g}  " + "  ".join(f"{c:>22s}" for c in rows[v]))
    return {"x": x_name, "values": values, "curves": curves, "table": table, "change": change,
            "reps": "/".join(str(n) for n in sorted(reps)), "base": base_value(path, x_name)}


def draw_what_if(data, output, dpi, palette, slide=False):
    """The follow rate against the swept parameter; the title says what was changed, if anything."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base_font, small_font = (SLIDE_FONT, SLIDE_SMALL_FONT) if slide else (BASE_FONT, SMALL_FONT)
    plt.rcParams.update({"font.size": base_font, "axes.labelsize": base_font, "xtick.labelsize": small_font,
                         "ytick.labelsize": small_font, "legend.fontsize": small_font})
    fig, ax = plt.subplots(figsize=SLIDE_SIZE if slide else (13, 8.2))
    change = data["change"]
    top = (0.74 if change else 0.8) if slide else (0.78 if change else 0.82)
    fig.subplots_adjust(left=0.15 if slide else 0.12, right=0.97, top=top, bottom=0.2 if slide else 0.17)
    values, base = data["values"], data["base"]
    for si, (seg, (means, halves)) in enumerate(data["curves"].items()):
        colour = LINE_COLOURS[si % len(LINE_COLOURS)]
        ax.fill_between(values, means - halves, means + halves, color=colour, alpha=0.18, linewidth=0)
        ax.errorbar(values, means, yerr=halves, color=colour, linestyle=LINE_STYLES[si % len(LINE_STYLES)],
                    linewidth=LINE_WIDTH, marker="os^D"[si % 4], markersize=11, capsize=6, capthick=2.5,
                    elinewidth=2.5, label=SEGMENT_LABELS.get(seg, seg.replace("_", " ")))
    if base is not None and min(values) <= base <= max(values):
        ax.axvline(base, color="#555555", linestyle=":", linewidth=2.5, zorder=0)
        ax.text(base, 97, f"the cases of the\nsummary figure ({base:g}) ", ha="right", va="top",
                fontsize=small_font - (6 if slide else 0), color="#555555")
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_yticklabels(["0%", "25%", "50%", "75%", "100%"])
    spread = max(values) - min(values) or 1
    ax.set_xlim(min(values) - 0.03 * spread, max(values) + 0.03 * spread)
    ax.set_xlabel(PARAMETER_LABELS.get(data["x"], data["x"]), fontsize=small_font if slide else base_font)
    ax.set_ylabel("Star's customers who\nfollow the star")
    ax.grid(color="#DDDDDD")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="center right", frameon=True, framealpha=0.95)
    title = ("What if the competitor's product were less alike?" if data["x"] == "market.substitutability"
             else f"What if {data['x']} were different?")
    fig.suptitle(title, fontsize=base_font + (4 if slide else 8), fontweight="bold", y=0.975)
    line = 0.89 if slide else 0.915
    if change:
        fig.text(0.5, line, f"Changed from the classroom scenario: {change}", ha="center", va="top",
                 fontsize=small_font, color="#B00000", fontweight="bold")
        line -= 0.065 if slide else 0.05
    fig.text(0.5, line, "The star rep leaves for the competitor: who follows? "
                        f"(mean of {data['reps']} simulated markets per value, 95% interval)",
             ha="center", va="top", fontsize=small_font - (6 if slide else 0))
    save(fig, output, dpi, palette)
    plt.close(fig)


def run_what_if(args):
    data = what_if_data(args.file, args.x)
    draw_what_if(data, args.output, args.dpi, args.palette)
    print("\n".join(data["table"]))
    print(f"wrote {args.output}")
    if args.slides:
        path = os.path.join(args.slides, "what_if.png")
        draw_what_if(data, path, SLIDE_DPI, 0, slide=True)
        print(f"wrote {path}")


# ------------------------------------------------------------ main

def parse_args(argv):
    parser = argparse.ArgumentParser(description="Figures and tables of the loyalsim classroom kit.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="one page comparing the classroom cases")
    s.add_argument("files", nargs="+", help="results files of the cases (HDF5, written with --events)")
    s.add_argument("-o", "--output", default="results/classroom/summary.png", help="PNG to write")
    s.add_argument("--table", help="also write the plain-text table to this file")
    s.add_argument("--dpi", type=int, default=100, help="resolution of the PNG (default 100)")
    w = sub.add_parser("what-if", help="follow rate of the star's customers against a swept parameter")
    w.add_argument("file", help="results file of the what-if sweep (HDF5, written with --events)")
    w.add_argument("-o", "--output", default="results/classroom/what_if_substitutability.png", help="PNG to write")
    w.add_argument("--x", metavar="PATH", help="parameter on the x axis (default: the first varied one)")
    w.add_argument("--dpi", type=int, default=100, help="resolution of the PNG (default 100)")
    for p in (s, w):
        p.add_argument("--slides", metavar="DIR",
                       help="also draw each panel as its own 16:9 slide (1920x1080, large type) in this folder")
        p.add_argument("--palette", type=int, default=0, metavar="N",
                       help="write an indexed PNG of N colours (16-256; a small file, e.g. for docs/)")
    args = parser.parse_args(argv)
    if args.palette and not 16 <= args.palette <= 256:
        parser.error(f"--palette must be in 16..256, found {args.palette}")
    if args.dpi < 20 or args.dpi > 1200:
        parser.error(f"--dpi must be in 20..1200, found {args.dpi}")
    if not args.output.lower().endswith(".png"):
        parser.error(f"the output must be a .png file, found '{args.output}'")
    for out in [args.output] + ([args.table] if getattr(args, "table", None) else []):
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            parser.error(f"the output directory '{folder}' does not exist")
    if args.slides and not os.path.isdir(args.slides):
        parser.error(f"the slides folder '{args.slides}' does not exist")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "summary":
            run_summary(args)
        else:
            run_what_if(args)
    except BadInput as error:
        fail(str(error))
    except KeyError as error:
        fail(f"a results file lacks {error}: not a loyalsim results file?")
    return 0


if __name__ == "__main__":
    sys.exit(main())
