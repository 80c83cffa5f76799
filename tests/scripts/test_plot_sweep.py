"""scripts/plot_sweep.py on sweeps of many parameters and on heatmaps:

- three or more varied parameters (and no --x, --y, --by), or --panels:
  small multiples, one panel per parameter for each firm x segment, each
  panel's x axis the parameter, every design point drawn once per panel;
- a heatmap of several firm x segment panels has one colour scale: every
  panel's image (grid) or points (lhs) use the same limits, the minimum and
  maximum over all panels, and there is one colour bar.

Usage: /usr/bin/python3 test_plot_sweep.py PATH_TO_loyalsim SCRIPTS_DIR TEST_DATA_DIR
Exits non-zero with a message on failure.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

MANY = """seed = 3
[market]
customers = 150
months = 12
burn_in_months = 2
[[firms]]
name = "Alpha"
reps = 5
rep_turnover_annual = 0.6
to_competitor = 0.8
[[firms]]
name = "Beta"
reps = 4
rep_turnover_annual = 0.6
to_competitor = 0.8
[[segments]]
name = "complex"
share = 0.5
rep_weight = 3.0
[[segments]]
name = "simple"
share = 0.5
[sweep]
design = "sobol"
samples = 12
replicates = 2
[sweep.parameters]
"firms.*.non_solicit" = [0.0, 1.0]
"market.substitutability" = [0.0, 1.0]
"segments.*.rep_weight" = [0.5, 4.0]
"""


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def run(exe, scenario, output):
    done = subprocess.run([exe, "run", str(scenario), "-o", str(output), "-q"], capture_output=True, text=True,
                          timeout=300)
    require(done.returncode == 0, f"loyalsim run {scenario}: {done.stderr}")


def plot(plot_sweep, *arguments):
    """plot_sweep.main in this process (one matplotlib import for every check): its exit status."""
    try:
        return plot_sweep.main([str(a) for a in arguments])
    except SystemExit as exit_:
        return exit_.code


def unique(artists):
    seen, out = set(), []
    for a in artists:
        if id(a) not in seen:
            seen.add(id(a))
            out.append(a)
    return out


def all_axes(fig):
    import matplotlib.axes
    return unique(fig.findobj(matplotlib.axes.Axes))


def options(**given):
    defaults = dict(x=None, y=None, by=None, panels=False, interval="t95")
    defaults.update(given)
    return argparse.Namespace(**defaults)


def check_small_multiples(folder, exe, plot_sweep):
    scenario = folder / "many.toml"
    scenario.write_text(MANY)
    results = folder / "many.h5"
    run(exe, scenario, results)
    status = plot(plot_sweep, results, "-o", folder / "many.png")
    require(status == 0 and (folder / "many.png").stat().st_size > 0, f"plot_sweep many.h5: status {status}")

    data = plot_sweep.load(str(results), "follow_rate")
    params = data["params"]
    require(len(params) == 3, f"the sweep varies {params}")
    fig, plt = plot_sweep.draw_panels(data, options(), [0, 1], [0, 1])
    panels = [a for a in all_axes(fig) if a.get_xlabel()]
    require(len(panels) == 4 * 3, f"{len(panels)} panels for 4 firm x segment cells x 3 parameters")
    labels = [a.get_xlabel() for a in panels]
    for p in params:
        require(labels.count(p) == 4, f"parameter {p} has {labels.count(p)} panels, expected one per cell: {labels}")
    points = len({tuple(row) for row in np.column_stack([data["columns"][p] for p in params])})
    for a in panels:
        dots = [c for c in a.collections if len(c.get_offsets())]
        require(dots and len(dots[0].get_offsets()) == points,
                f"panel {a.get_xlabel()}: {len(dots[0].get_offsets()) if dots else 0} dots, {points} design points")
    plt.close(fig)

    # Fewer than three parameters still draw lines; --panels asks for small multiples.
    data = plot_sweep.load(str(folder / "tied.h5"), "follow_rate")
    fig, plt = plot_sweep.draw_panels(data, options(panels=True), [0], [0])
    require(sorted(a.get_xlabel() for a in all_axes(fig) if a.get_xlabel()) == sorted(data["params"]),
            "--panels on a 2-parameter sweep: one panel per parameter")
    plt.close(fig)
    status = plot(plot_sweep, results, "--panels", "--x", params[0], "-o", folder / "bad.png")
    require(status == 2, f"--panels --x: status {status}")
    require(not (folder / "bad.png").exists(), "a refused plot wrote its output")


def check_shared_scale(folder, plot_sweep, results, x, y):
    data = plot_sweep.load(str(results), "follow_rate")
    fig, plt = plot_sweep.draw_heatmap(data, options(x=x, y=y), [0, 1], [0, 1])
    panels = [a for a in all_axes(fig) if a.get_label() != "<colorbar>"]
    mapped = [i for a in panels for i in a.images]
    if not mapped:  # a sampled design: coloured points
        mapped = [c for a in panels for c in a.collections if c.get_array() is not None]
    require(len(mapped) == 4, f"{len(mapped)} coloured panels for 4 firm x segment cells")
    limits = {(m.norm.vmin, m.norm.vmax) for m in mapped}
    require(len(limits) == 1, f"the panels have different colour scales: {limits}")
    vmin, vmax = limits.pop()
    values = np.concatenate([np.ravel(np.ma.filled(np.ma.masked_invalid(m.get_array()).astype(float), np.nan))
                             for m in mapped])
    values = values[np.isfinite(values)]
    require(np.isclose(vmin, values.min()) and np.isclose(vmax, values.max()),
            f"the scale [{vmin}, {vmax}] is not the range of every panel [{values.min()}, {values.max()}]")
    bars = [a for a in all_axes(fig) if a.get_label() == "<colorbar>"]
    require(len(bars) == 1, f"{len(bars)} colour bars, expected one for every panel")
    plt.close(fig)


def main(argv):
    exe, scripts, data_dir = argv[1], Path(argv[2]), Path(argv[3])
    sys.path.insert(0, str(scripts))
    import plot_sweep

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            run(exe, data_dir / "sweeps" / "tied.toml", folder / "tied.h5")
            check_small_multiples(folder, exe, plot_sweep)
            check_shared_scale(folder, plot_sweep, folder / "tied.h5", "firms.*.non_solicit", "segments.*.rep_weight")
            run(exe, data_dir / "sweeps" / "lhs.toml", folder / "lhs.h5")
            check_shared_scale(folder, plot_sweep, folder / "lhs.h5", "segments.complex.brand_weight",
                               "segments.complex.rep_weight")
        except CheckFailed as failure:
            print(f"FAILED: {failure}")
            return 1
    print("passed: small multiples for many parameters; one colour scale for every heatmap panel")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
