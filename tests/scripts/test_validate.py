"""scripts/validate.py refuses bad figures files, and its --check cannot pass on too few replicates.

Usage: /usr/bin/python3 test_validate.py PATH_TO_loyalsim SCRIPTS_DIR

- a figures file that is not TOML, lacks a key, or names an unknown role is
  refused with exit status 2 and one `validate.py: error: ...` line naming
  the file;
- with 2 replicates (a 95% t-interval of 12.7 standard errors) the check of
  a setting whose figure is inside its band still fails, because the
  interval's half-width exceeds a quarter of the band: --check tells
  "inside the band" only when the replicates resolve the band.

Exits non-zero with a message on failure.
"""

import subprocess
import sys
import tempfile
from pathlib import Path


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def validate(scripts, exe, *options):
    command = [sys.executable, str(Path(scripts) / "validate.py"), "--loyalsim", exe, *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


GOOD = """
[[figure]]
setting = "personal_services"
label = "follow"
published = "84%"
band = [0.2, 0.8]
role = "held_out"
check = true
source = "test"
source_kind = "primary"
metric = { ratio = ["followed", "orphaned"] }
"""

BAD = {
    "not_toml.toml": "[[figure]\nsetting = ",
    "no_label.toml": GOOD.replace('label = "follow"\n', ""),
    "bad_role.toml": GOOD.replace('role = "held_out"', 'role = "guessed"'),
    "bad_band.toml": GOOD.replace("band = [0.2, 0.8]", "band = [1.0, 0.0]"),
    "no_metric.toml": GOOD.replace('metric = { ratio = ["followed", "orphaned"] }\n', ""),
    "firms_not_a_list.toml": GOOD.replace('metric = { ratio = ["followed", "orphaned"] }',
                                          'metric = { ratio = ["followed", "orphaned"], firms = "SalonA" }'),
    "ratio_of_three.toml": GOOD.replace('metric = { ratio = ["followed", "orphaned"] }',
                                        'metric = { ratio = ["followed", "orphaned", "stayed"] }'),
}


def main():
    exe, scripts = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        for name, text in BAD.items():
            path = Path(folder) / name
            path.write_text(text)
            done = validate(scripts, exe, "--figures", str(path), "--replicates", "2")
            lines = done.stderr.strip().splitlines()
            require(done.returncode == 2, f"{name}: exit {done.returncode}, expected 2:\n{done.stderr}")
            require(len(lines) == 1 and lines[0].startswith("validate.py: error: ") and name in lines[0],
                    f"{name}: expected one error line naming the file, got:\n{done.stderr}")
        good = Path(folder) / "good.toml"
        good.write_text(GOOD)
        done = validate(scripts, exe, "--figures", str(good), "--replicates", "2", "--check")
        require(done.returncode == 1 and "half-width" in done.stderr and "outside the band" not in done.stderr,
                f"2 replicates: expected the check to fail on the interval's width only, got exit "
                f"{done.returncode}:\n{done.stderr}")
        done = validate(scripts, exe, "--figures", str(good), "--replicates", "1")
        require(done.returncode == 2, f"--replicates 1: exit {done.returncode}, expected 2")
    print("validate.py: bad figures files refused; too few replicates fail the check")


if __name__ == "__main__":
    try:
        main()
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
