"""A single run split across mpirun's ranks (src/mpi/split_run.*), checked from outside.

    split_run.py CHECK LOYALSIM MPIEXEC [MPIEXEC_FLAG...]

CHECK is one of:

    identical   --split-customers under -np 2 and -np 3 (one thread each)
                writes the data of one process, bit for bit, events and
                scripted largest_book departures included (split.toml); the
                same run under -np 2 without the option is not split, and is
                identical too (rank 0's file only, no collision).
    failure     rank 1 fails mid-run (the test hook LOYALSIM_TEST_FAIL_RANK):
                the job stops with one "rank 1:" message, non-zero exit, the
                interrupted run's files; --resume split over 2 ranks then
                gives the data of one process.
    interrupt   SIGTERM to mpirun during a split run (sent after month 10
                by the test hook LOYALSIM_TEST_TERM_AFTER): exit 1, the run's
                --resume hint, the interrupted run's files, as on one
                process; --resume on one process gives its data.
    bad-input   an existing output without --force under -np 3 with
                --split-customers: exit 2, one message, the file unchanged.

Exits 0 when the check holds; prints what failed and exits 1 otherwise.
"""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mpi_checks import Failed, loyalsim_lines, main, run, same  # noqa: E402,F401  (tests/mpi/mpi_checks.py)

SCENARIO = HERE / "split.toml"


class Setup:
    def __init__(self, loyalsim, mpiexec, flags, work):
        self.loyalsim, self.mpiexec, self.flags, self.work = loyalsim, mpiexec, flags, work

    def single(self, output, *extra, expect=0):
        return run([self.loyalsim, "run", str(SCENARIO), "-o", str(output), "--events", "--threads", "2", *extra],
                   expect=expect)

    def command(self, n, output, *extra):
        return [self.mpiexec, *self.flags, "-np", str(n), self.loyalsim, "run", str(SCENARIO), "-o", str(output),
                "--events", "--threads", "1", *extra]

    def ranks(self, n, output, *extra, env=None, expect=0):
        return run(self.command(n, output, *extra), env=env, expect=expect)


def expect_split(done, n):
    if f"customers split over {n} ranks" not in done.stdout:
        raise Failed(f"the run was not split over {n} ranks:\n{done.stdout}")


def check_identical(s):
    one = s.work / "one.h5"
    s.single(one)
    for n in (2, 3):
        out = s.work / f"split{n}.h5"
        expect_split(s.ranks(n, out, "--split-customers"), n)
        same(one, out)
    # Not asked, and it fits: not split; rank 0's file alone, the same data.
    out = s.work / "unsplit2.h5"
    done = s.ranks(2, out)
    if "split over" in done.stdout:
        raise Failed(f"a run that fits was split without --split-customers:\n{done.stdout}")
    same(one, out)


def expect_interrupted_files(out):
    for suffix in (".partial", ".journal"):
        if not pathlib.Path(str(out) + suffix).exists():
            raise Failed(f"{out}{suffix} is missing after the stop")
    if out.exists():
        raise Failed(f"{out} exists after the stop")


def check_failure(s):
    one = s.work / "one.h5"
    s.single(one)
    out = s.work / "failed.h5"
    done = s.ranks(3, out, "--split-customers", "-q", env={"LOYALSIM_TEST_FAIL_RANK": "1:4"}, expect=None)
    if done.returncode == 0:
        raise Failed(f"the job succeeded although rank 1 failed:\n{done.stdout}\n{done.stderr}")
    lines = loyalsim_lines(done.stderr)
    if len(lines) != 1 or not lines[0].startswith("loyalsim: error: rank 1: ") or "LOYALSIM_TEST_FAIL_RANK" not in lines[0]:
        raise Failed(f"expected one 'loyalsim: error: rank 1: ...' line, got:\n{done.stderr}")
    expect_interrupted_files(out)
    expect_split(s.ranks(2, out, "--split-customers", "--resume"), 2)
    same(one, out)


def check_interrupt(s):
    one = s.work / "one.h5"
    s.single(one)
    out = s.work / "stopped.h5"
    # SIGTERM to mpirun, as scancel or a time limit sends it: the test hook
    # LOYALSIM_TEST_TERM_AFTER makes rank 0 send it after month 10 and wait
    # for it, so it lands mid-run however fast the machine is.
    environment = dict(os.environ, LOYALSIM_TEST_TERM_AFTER="10")
    mpirun = subprocess.Popen(s.command(2, out, "--split-customers", "-q"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=environment)
    stdout, stderr = mpirun.communicate(timeout=120)
    if mpirun.returncode != 1:
        raise Failed(f"exit {mpirun.returncode} after SIGTERM, expected 1 (did the run end first?)\n{stdout}\n{stderr}")
    lines = loyalsim_lines(stderr)
    if len(lines) != 1 or "after 0 of 1 runs" not in lines[0] or not ("interrupted" in lines[0] or
                                                                        "terminated" in lines[0]):
        raise Failed(f"expected one 'interrupted/terminated after 0 of 1 runs' line, got:\n{stderr}")
    if "--resume" not in stderr:
        raise Failed(f"no --resume hint:\n{stderr}")
    expect_interrupted_files(out)
    run([s.loyalsim, "run", str(SCENARIO), "-o", str(out), "--events", "-q", "--resume"], expect=0)
    same(one, out)


def check_bad_input(s):
    out = s.work / "existing.h5"
    s.single(out, "-q")
    before = out.read_bytes()
    done = s.ranks(3, out, "--split-customers", "-q", expect=2)
    lines = loyalsim_lines(done.stderr)
    if len(lines) != 1 or "exists" not in lines[0]:
        raise Failed(f"expected one message about the existing output, got:\n{done.stderr}")
    if out.read_bytes() != before:
        raise Failed(f"{out} was changed")


CHECKS = {"identical": check_identical, "failure": check_failure, "interrupt": check_interrupt,
          "bad-input": check_bad_input}


if __name__ == "__main__":
    sys.exit(main(__doc__, CHECKS, Setup, sys.argv))
