"""What the checks under mpirun (sweep_ranks.py, split_run.py) share: running
a command, comparing two results files, the engine's own message lines, and
the command-line entry point that runs one named check."""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "cli"))
import compare_results  # noqa: E402  (tests/cli/compare_results.py)


class Failed(Exception):
    pass


def run(command, env=None, expect=None):
    environment = dict(os.environ)
    environment.update(env or {})
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    if expect is not None and done.returncode != expect:
        raise Failed(f"{' '.join(command)}\nexit {done.returncode}, expected {expect}\n"
                     f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done


def same(a, b):
    """compare_results.py's `same` check: every dataset and attribute but timing."""
    compare_results.problems.clear()
    compare_results.same(str(a), str(b))
    if compare_results.problems:
        raise Failed(f"{b} differs from {a}:\n" + "\n".join(compare_results.problems[:20]))


def loyalsim_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("loyalsim:")]


def main(doc, checks, make_setup, argv):
    """argv: CHECK LOYALSIM MPIEXEC [MPIEXEC_FLAG...]; runs checks[CHECK] on
    make_setup(loyalsim, mpiexec, flags, work) in a scratch folder, kept
    when the check fails."""
    if len(argv) < 4 or argv[1] not in checks:
        print(doc)
        return 2
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"loyalsim-mpi-{argv[1]}-"))
    try:
        checks[argv[1]](make_setup(argv[2], argv[3], argv[4:], work))
    except Failed as failure:
        print(f"FAILED ({argv[1]}; {work} kept):\n{failure}")
        return 1
    shutil.rmtree(work)
    print(f"ok: {argv[1]}")
    return 0
