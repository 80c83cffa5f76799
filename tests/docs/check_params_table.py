"""The parameter table in docs/MODEL.md is the one `loyalsim params --markdown`
prints, so the docs cannot drift from the registry.

    /usr/bin/python3 tests/docs/check_params_table.py LOYALSIM_EXE docs/MODEL.md
"""
import subprocess
import sys


def table_rows(text):
    """Rows of the registry's table: those naming a parameter path."""
    prefixes = ("| `market.", "| `firms.", "| `segments.")
    return [line for line in text.splitlines() if line.startswith(prefixes)]


def main(exe, model_md):
    printed = table_rows(subprocess.run([exe, "params", "--markdown"], check=True, capture_output=True,
                                        text=True).stdout)
    with open(model_md, encoding="utf-8") as f:
        documented = table_rows(f.read())
    missing = [row for row in printed if row not in documented]
    stale = [row for row in documented if row not in printed]
    for row in missing:
        print(f"not in {model_md}: {row}")
    for row in stale:
        print(f"in {model_md} but not printed by loyalsim params: {row}")
    failed = 1 if (missing or stale or not printed) else 0
    print(f"{1 - failed} passed, {failed} failed")
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
