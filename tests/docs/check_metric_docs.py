"""Every dataset a results file holds is documented: README.md's layout
section names each one (as `name`), and docs/MODEL.md, which defines the
metrics, names every timeseries and summary metric, so the docs cannot fall
behind the metric, event and runs tables of the code.

The names come from a real file (a small run with --events), not from a
list kept here: a metric added to the registry and not to the docs fails.

    python3 tests/docs/check_metric_docs.py LOYALSIM_EXE SCENARIO README.md docs/MODEL.md
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py

# Groups whose members the docs must name, and the dimension-scale datasets
# that are coordinates rather than data.
GROUPS = ("runs", "timeseries", "summary", "events")
COORDINATES = {"run", "month", "firm", "segment", "event"}


def dataset_names(path):
    names = {}
    with h5py.File(path, "r") as f:
        for group in GROUPS:
            if group not in f:
                continue
            for name, item in f[group].items():
                if isinstance(item, h5py.Dataset) and name not in COORDINATES:
                    names.setdefault(name, []).append(group)
    return names


def main(exe, scenario, readme, model_md):
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "docs.h5"
        subprocess.run([exe, "run", scenario, "-o", str(out), "--events", "--quiet"], check=True)
        names = dataset_names(out)
    readme_text = Path(readme).read_text(encoding="utf-8")
    model_text = Path(model_md).read_text(encoding="utf-8")
    failures = 0
    for name, groups in sorted(names.items()):
        where = "/".join(groups)
        if f"`{name}`" not in readme_text:
            print(f"{where}/{name} is written by loyalsim but not named (as `{name}`) in {readme}")
            failures += 1
        is_metric = "timeseries" in groups or "summary" in groups
        if is_metric and not re.search(rf"(?<![\w]){re.escape(name)}(?![A-Za-z0-9])", model_text):
            print(f"{where}/{name} is written by loyalsim but not defined in {model_md}")
            failures += 1
    print(f"{len(names)} datasets checked: {failures} missing from the docs")
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
