"""Runs the README's Python recipe (section "The results file") as written.

Usage: /usr/bin/python3 run_python_recipe.py PATH_TO_loyalsim README.md SCENARIO.toml

Writes TMP/results/classroom.h5 (`loyalsim run SCENARIO --events`), runs the
section's ```python block with TMP as the working directory, then checks
what it read: counts as integers, the scenario in force, the choice codes
turned into their meanings. Exits non-zero with a message on failure.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def recipe(readme):
    text = Path(readme).read_text(encoding="utf-8")
    section = text[text.index("## The results file"):]
    section = section[:section.index("\n## ", 1)]
    start = section.index("```python\n") + len("```python\n")
    return section[start:section.index("```", start)]


def check(got, results):
    import h5py

    missing = [name for name in ("ts", "runs", "scenario", "events") if name not in got]
    if missing:
        return [f"the recipe defines no {', '.join(missing)}"]
    problems = []
    customers = got["ts"]["customers"]
    if not np.issubdtype(customers.dtype, np.integer):
        problems.append(f"timeseries/customers loads as {customers.dtype}, not an integer type")
    with h5py.File(results, "r") as f:
        if got["scenario"].get("seed") != int(f.attrs["scenario_seed"]):
            problems.append(f"scenario_resolved's seed {got['scenario'].get('seed')} is not scenario_seed")
        stored = f["events/choice"][()]
    choices = got["events"]["choice"]
    if choices.isna().any() or set(choices) - {"stay", "follow", "defect"} or len(choices) != len(stored):
        problems.append(f"events choice reads {sorted(set(map(str, choices)))}, expected its flag meanings")
    if got["runs"]["seed"].dtype != np.uint64:
        problems.append(f"runs/seed loads as {got['runs']['seed'].dtype}, not uint64")
    return problems


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    exe, readme, scenario = argv[1], os.path.abspath(argv[2]), argv[3]
    with tempfile.TemporaryDirectory(prefix="loyalsim-python-recipe-") as folder:
        (Path(folder) / "results").mkdir()
        results = Path(folder) / "results" / "classroom.h5"
        done = subprocess.run([exe, "run", scenario, "-o", str(results), "--events", "--quiet"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            print(f"run_python_recipe: FAILED: loyalsim exited with {done.returncode}:\n{done.stderr}",
                  file=sys.stderr)
            return 1
        code = recipe(readme)
        got = {}
        here = os.getcwd()
        os.chdir(folder)
        try:
            exec(compile(code, "README.md (Python recipe)", "exec"), got)
        except Exception as error:  # the recipe's own failure is the finding
            print(f"run_python_recipe: FAILED: the recipe stops: {type(error).__name__}: {error}",
                  file=sys.stderr)
            return 1
        finally:
            os.chdir(here)
        problems = check(got, results)
    if problems:
        print("run_python_recipe: FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("run_python_recipe: the README's Python recipe reads results/classroom.h5")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
