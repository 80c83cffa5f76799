"""A sweep across mpirun's ranks (src/mpi/sweep_ranks.*), checked from outside.

    sweep_ranks.py CHECK LOYALSIM MPIEXEC [MPIEXEC_FLAG...]

CHECK is one of:

    identical   -np 2 and -np 3 (one thread each) write the data of one
                process with two threads, bit for bit (events included).
    resume      a sweep stopped under 3 ranks (rank 2 fails) resumes under 2
                ranks to the data of one process.
    failure     an error injected on rank 1 stops the job: the message names
                rank 1 and gives the --resume command, and every run the
                message counts as finished is in the journal (a resume on one
                process recovers exactly that many and completes the data).
    signal      SIGTERM to mpirun (-np 3) mid-sweep (the test hook
                LOYALSIM_TEST_TERM_AFTER): every rank stops, exit non-zero
                with the message of one process and the --resume line;
                resumed under 2 ranks, the data of one process.
    bad-input   an unknown key under -np 3: exit 2, one message, no file; a
                malformed test hook likewise; an existing output without
                --force under -np 3: exit 2, one message, the file unchanged
                byte for byte.

The failure is injected with the test hook LOYALSIM_TEST_FAIL_RANK=K[:N]
(rank K fails at its (N+1)-th run, or when told there are no more runs).
Exits 0 when the check holds; prints what failed and exits 1 otherwise.
"""

import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mpi_checks import Failed, loyalsim_lines, main, run, same  # noqa: E402,F401  (tests/mpi/mpi_checks.py)

SCENARIO = HERE / "sweep.toml"
RUNS = 12


class Setup:
    def __init__(self, loyalsim, mpiexec, flags, work):
        self.loyalsim, self.mpiexec, self.flags, self.work = loyalsim, mpiexec, flags, work

    def single(self, output, *extra, expect=0):
        return run([self.loyalsim, "run", str(SCENARIO), "-o", str(output), "-q", "--events", "--threads", "2",
                    *extra], expect=expect)

    def ranks(self, n, output, *extra, env=None, expect=0, scenario=SCENARIO):
        return run([self.mpiexec, *self.flags, "-np", str(n), self.loyalsim, "run", str(scenario), "-o", str(output),
                    "-q", "--events", "--threads", "1", *extra], env=env, expect=expect)


def check_identical(s):
    s.single(s.work / "one.h5")
    for n in (2, 3):
        s.ranks(n, s.work / f"np{n}.h5")
        same(s.work / "one.h5", s.work / f"np{n}.h5")


def stopped_count(stderr):
    found = re.search(r"after (\d+) of (\d+) runs", stderr)
    if not found:
        raise Failed("no 'after D of N runs' in the message:\n" + stderr)
    return int(found.group(1))


def check_resume(s):
    s.single(s.work / "one.h5")
    out = s.work / "out.h5"
    stopped = s.ranks(3, out, env={"LOYALSIM_TEST_FAIL_RANK": "2:1"}, expect=1)
    if not (s.work / "out.h5.journal").is_file() or out.exists():
        raise Failed("a stopped sweep must leave its journal and no complete file\n" + stopped.stderr)
    finished = stopped_count(stopped.stderr)
    resumed = s.ranks(2, out, "--resume")
    if f"resuming: {finished} of {RUNS} runs recovered" not in resumed.stderr:
        raise Failed(f"expected {finished} runs recovered:\n{resumed.stderr}")
    same(s.work / "one.h5", out)


def check_failure(s):
    s.single(s.work / "one.h5")
    out = s.work / "out.h5"
    stopped = s.ranks(3, out, env={"LOYALSIM_TEST_FAIL_RANK": "1"}, expect=1)
    lines = loyalsim_lines(stopped.stderr)
    if not lines or not lines[0].startswith("loyalsim: error: rank 1: failure injected by the test hook"):
        raise Failed("the first message must name rank 1 and its error:\n" + stopped.stderr)
    if not any("finish with: " in line and "--resume" in line for line in stopped.stderr.splitlines()):
        raise Failed("the message must give the --resume command:\n" + stopped.stderr)
    finished = stopped_count(stopped.stderr)
    resumed = s.single(out, "--resume")
    if f"resuming: {finished} of {RUNS} runs recovered" not in resumed.stderr:
        raise Failed(f"every one of the {finished} finished runs must be in the journal:\n{resumed.stderr}")
    same(s.work / "one.h5", out)


def check_signal(s):
    out = s.work / "out.h5"
    # The test hook LOYALSIM_TEST_TERM_AFTER=3: once rank 0 has recorded 3
    # runs it sends SIGTERM to mpirun, which passes it to every rank, and
    # waits for it: the signal lands mid-sweep however fast the runs are.
    stopped = s.ranks(3, out, env={"LOYALSIM_TEST_TERM_AFTER": "3"}, expect=None)
    if stopped.returncode == 0:
        raise Failed("a signalled sweep must exit non-zero:\n" + stopped.stderr)
    lines = loyalsim_lines(stopped.stderr)
    if len(lines) != 1 or not re.match(r"loyalsim: (terminated|interrupted) after \d+ of 12 runs", lines[0]):
        raise Failed("expected the interrupt message of one process:\n" + stopped.stderr)
    if not any("finish with: " in line and "--resume" in line for line in stopped.stderr.splitlines()):
        raise Failed("the message must give the --resume command:\n" + stopped.stderr)
    finished = stopped_count(stopped.stderr)
    if not 3 <= finished < RUNS:
        raise Failed(f"expected between 3 and {RUNS - 1} runs finished:\n{stopped.stderr}")
    resumed = s.ranks(2, out, "--resume")
    if f"resuming: {finished} of {RUNS} runs recovered" not in resumed.stderr:
        raise Failed(f"expected {finished} runs recovered:\n{resumed.stderr}")
    s.single(s.work / "one.h5")
    same(s.work / "one.h5", out)


def listing(folder):
    return sorted((p.name, p.read_bytes()) for p in folder.iterdir())


def check_bad_input(s):
    bad = s.work / "bad.toml"
    bad.write_text(SCENARIO.read_text().replace("customers = 500", "customerz = 500"))
    before = listing(s.work)
    refused = s.ranks(3, s.work / "bad.h5", expect=2, scenario=bad)
    lines = loyalsim_lines(refused.stderr)
    if len(lines) != 1 or not re.match(r"loyalsim: error: .*bad\.toml:\d+:\d+: .*customerz", lines[0]):
        raise Failed("expected one message naming the file and key:\n" + refused.stderr)
    if listing(s.work) != before:
        raise Failed("a refused command changed the folder")

    before = listing(s.work)
    refused = s.ranks(2, s.work / "hook.h5", env={"LOYALSIM_TEST_FAIL_RANK": "1:x"}, expect=2)
    lines = loyalsim_lines(refused.stderr)
    if len(lines) != 1 or "LOYALSIM_TEST_FAIL_RANK=1:x" not in lines[0]:
        raise Failed("expected one message about the malformed test hook:\n" + refused.stderr)
    if listing(s.work) != before:
        raise Failed("a refused command changed the folder")

    s.single(s.work / "exists.h5")
    before = listing(s.work)
    refused = s.ranks(3, s.work / "exists.h5", expect=2)
    lines = loyalsim_lines(refused.stderr)
    if len(lines) != 1 or "exists.h5: exists; use --force" not in lines[0]:
        raise Failed("expected one message about the existing output:\n" + refused.stderr)
    if listing(s.work) != before:
        raise Failed("a refused command changed the folder")


CHECKS = {"identical": check_identical, "resume": check_resume, "failure": check_failure,
          "signal": check_signal, "bad-input": check_bad_input}


if __name__ == "__main__":
    sys.exit(main(__doc__, CHECKS, Setup, sys.argv))
