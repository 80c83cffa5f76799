#!/usr/bin/env python3
"""Tests of the classroom kit's scripts (scripts/classroom.sh, classroom_what_if.sh,
run.sh, plot_classroom.py): safe to experiment with.

    /usr/bin/python3 tests/classroom/test_kit_scripts.py PATH/TO/loyalsim SOURCE_DIR TEST

TEST is one of:
  builds_only_the_program   run.sh and classroom.sh build the target loyalsim only;
                            test.sh still builds everything
  variants_and_bad_options  two variants land in two folders named after them; a --set
                            that fails on one case is refused before anything is
                            written, and earlier results stay byte for byte
  summary_keeps_variants    plot_classroom.py summary never pools a --set variant with
                            the scenario as written: two rows, each saying what changed;
                            --slides draws each panel as a 16:9 slide
  what_if_says_the_change   classroom_what_if.sh --set writes its own folder and its table
                            and figure say what was changed
  read_only_checkout        the kit runs from a read-only copy of the checkout with
                            -o DIR / LOYALSIM_RESULTS and LOYALSIM_BUILD_DIR elsewhere;
                            no file of the copy changes; classroom_what_if.sh --slides

The scripts are run with a stand-in `cmake` first on the PATH: it records its
arguments and puts the given loyalsim where a build would, so no test compiles
anything. Small markets (--set market.customers=...) and LOYALSIM_REPLICATES=1
keep each test to a few seconds. Exit status 0 when the test passes, 1 when it
fails, 2 on bad arguments.
"""

import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

FAILURES = []


def check(ok, what, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'}  {what}" + (f"  [{detail}]" if detail and not ok else ""), flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def fake_cmake(folder, exe, log):
    """A `cmake` that logs its arguments and 'builds' by linking the real loyalsim into the build folder."""
    path = os.path.join(folder, "cmake")
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"""#!/bin/sh
echo "$*" >> '{log}'
while [ $# -gt 0 ]; do
  case "$1" in
    -B) mkdir -p "$2"; shift ;;
    --build) mkdir -p "$2/src"; ln -sf '{exe}' "$2/src/loyalsim"; shift ;;
  esac
  shift
done
""")
    os.chmod(path, 0o755)


class Kit:
    def __init__(self, exe, source, scratch):
        self.exe, self.source, self.scratch = exe, source, scratch
        self.bin = os.path.join(scratch, "bin")
        os.makedirs(self.bin)
        self.log = os.path.join(scratch, "cmake.log")
        fake_cmake(self.bin, exe, self.log)

    def run(self, script, *args, env=None, source=None):
        full = dict(os.environ)
        full.update({"PATH": self.bin + os.pathsep + full["PATH"], "LOYALSIM_REPLICATES": "1",
                     "LOYALSIM_BUILD_DIR": os.path.join(self.scratch, "build")})
        full.pop("LOYALSIM_RESULTS", None)
        full.update(env or {})
        return subprocess.run(["bash", os.path.join(source or self.source, "scripts", script), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full, timeout=300,
                              cwd=self.scratch)


def snapshot(folder):
    """Every file and folder under folder: path -> (kind, size, sha256)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), folder)] = ("dir",)
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = ("file", os.path.getsize(p), hashlib.sha256(fh.read()).hexdigest())
    return out


def png_size(path):
    if not os.path.isfile(path):
        return (0, 0)
    with open(path, "rb") as fh:
        head = fh.read(24)
    return struct.unpack(">II", head[16:24]) if head[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)


SMALL = ["--set", "market.customers=1500"]


# ------------------------------------------------------------ the tests

def builds_only_the_program(kit):
    # A bad option is refused after the build, before any run: the build is all this test looks at.
    for script in ("run.sh", "classroom.sh", "classroom_what_if.sh"):
        open(kit.log, "w").close()
        proc = kit.run(script, "-o", os.path.join(kit.scratch, "out"), "--set", "market.no_such_parameter=1")
        check(proc.returncode == 2 and "no_such_parameter" in proc.stderr, f"{script} refuses a bad --set",
              proc.stderr[-500:])
        builds = [l for l in open(kit.log).read().splitlines() if l.startswith("--build")]
        check(builds and all("--target loyalsim" in l for l in builds),
              f"{script} builds only the target loyalsim", "; ".join(builds))
    # test.sh's stage builds every target (loyalsim_build without --target)
    with open(os.path.join(kit.source, "scripts", "setup.sh"), encoding="utf-8") as fh:
        setup = fh.read()
    body = setup[setup.index("loyalsim_build() {"):]
    body = body[:body.index("\n}\n")]
    check("--target" not in body, "setup.sh's loyalsim_build (test.sh) still builds every target")


def variants_and_bad_options(kit):
    out = os.path.join(kit.scratch, "out")
    a = kit.run("classroom.sh", "-o", out, *SMALL)
    b = kit.run("classroom.sh", "--set", "market.customers=1600", env={"LOYALSIM_RESULTS": out})
    check(a.returncode == 0 and b.returncode == 0, "two variants run (-o DIR and LOYALSIM_RESULTS)",
          a.stderr[-300:] + b.stderr[-300:])
    first = os.path.join(out, "classroom", "set-market.customers=1500")
    second = os.path.join(out, "classroom", "set-market.customers=1600")
    check(os.path.isfile(os.path.join(first, "summary.png")) and os.path.isfile(os.path.join(second, "summary.png")),
          "each variant has its own folder with its figure")
    check(os.path.isdir(os.path.join(out, "classroom")) and
          not [n for n in os.listdir(os.path.join(out, "classroom")) if n.startswith(".")],
          "no staging folder is left behind")
    table = open(os.path.join(second, "summary.txt")).read() if os.path.isdir(second) else ""
    check("changed in every case: market.customers=1600" in table, "the variant's table says what changed")
    check(all(c in table for c in ("rep_retires", "pay_that_keeps_reps", "responsibility_not_ownership")),
          "classroom.sh runs the three new cases")
    before = snapshot(out)
    # firms.Firm exists in some cases only: the run must fail on the others before anything is written
    for bad in (["--set", "market.customers=1500", "--set", "firms.Firm.non_solicit=1"],
                ["--set", "market.customers=1500", "--set", "market.substitutability=7"],
                ["--set", "market.customers=1500", "--seed", "3"]):
        proc = kit.run("classroom.sh", "-o", out, *bad)
        check(proc.returncode == 2, f"classroom.sh {' '.join(bad)}: exit status 2", f"{proc.returncode} {proc.stderr}")
        check("classroom.sh: error:" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1,
              f"classroom.sh {' '.join(bad)}: one-line error", proc.stderr)
        check(snapshot(out) == before, f"classroom.sh {' '.join(bad)}: earlier results unchanged byte for byte")
    proc = kit.run("classroom_what_if.sh", "-o", out, "--set", "firms.Nobody.reps=3")
    check(proc.returncode == 2 and snapshot(out) == before,
          "classroom_what_if.sh with a bad --set: exit 2, nothing changed", proc.stderr)


def summary_keeps_variants(kit):
    runs = []
    for seed in (1, 2):
        for extra, tag in (([], "plain"), (["--set", "firms.Firm.non_solicit=1"], "barred")):
            path = os.path.join(kit.scratch, f"complex_solution_{tag}_{seed}.h5")
            subprocess.run([kit.exe, "run", os.path.join(kit.source, "scenarios/classroom/complex_solution.toml"),
                            "--events", "--seed", str(seed), "--set", "market.customers=1500", *extra, "-o", path,
                            "--quiet"], check=True, stdout=subprocess.DEVNULL)
            runs.append(path)
    slides = os.path.join(kit.scratch, "slides")
    os.makedirs(slides)
    proc = subprocess.run([sys.executable, os.path.join(kit.source, "scripts/plot_classroom.py"), "summary", *runs,
                           "-o", os.path.join(kit.scratch, "s.png"), "--slides", slides], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    check(proc.returncode == 0, "summary of a case and its variant draws", proc.stderr[-500:])
    rows = [l for l in proc.stdout.splitlines() if l.startswith("complex_solution")]
    check(len(rows) == 2, "the variant and the scenario as written are two rows, not pooled", "\n".join(rows))
    check(sum("firms.Firm.non_solicit=1" in r for r in rows) == 1,
          "each row says what was changed", "\n".join(rows))
    pngs = sorted(os.listdir(slides))
    check(pngs == ["summary_a.png", "summary_b.png"] or (len(pngs) >= 2 and all(p.startswith("summary_") for p in pngs)),
          "--slides draws each panel as its own slide", str(pngs))
    check(pngs and all(png_size(os.path.join(slides, p)) == (1920, 1080) for p in pngs),
          "the slides are 16:9, 1920x1080", str([png_size(os.path.join(slides, p)) for p in pngs]))
    barred = [r for r in rows if "non_solicit=1" in r]
    check(bool(barred) and " 0.0 ±" in barred[0], "nobody follows in the barred variant's row", "\n".join(rows))


def what_if_says_the_change(kit):
    out = os.path.join(kit.scratch, "out")
    proc = kit.run("classroom_what_if.sh", "-o", out, "--set", "market.customers=1000",
                   "--set", "segments.complex_solution.switching_cost=3")
    check(proc.returncode == 0, "classroom_what_if.sh with --set runs", proc.stderr[-500:])
    folder = os.path.join(out, "classroom_what_if",
                          "set-market.customers=1000_set-segments.complex_solution.switching_cost=3")
    check(os.path.isfile(os.path.join(folder, "what_if_substitutability.png")), "the variant has its own folder",
          str(os.listdir(os.path.join(out, "classroom_what_if"))) if os.path.isdir(os.path.join(out, "classroom_what_if")) else "")
    check(not os.path.exists(os.path.join(out, "classroom_what_if", "baseline")), "the baseline is not written")
    table = open(os.path.join(folder, "what_if_substitutability.txt")).read() if os.path.isdir(folder) else ""
    check("changed: market.customers=1000, segments.complex_solution.switching_cost=3" in table,
          "the table (and the figure's title, drawn from the same data) says what was changed", table[:300])


def read_only_checkout(kit):
    copy = os.path.join(kit.scratch, "checkout")
    for part in ("scripts", "scenarios"):
        shutil.copytree(os.path.join(kit.source, part), os.path.join(copy, part),
                        ignore=shutil.ignore_patterns("__pycache__"))
    for root, dirs, files in os.walk(copy):
        for name in dirs + files:
            p = os.path.join(root, name)
            os.chmod(p, os.stat(p).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    os.chmod(copy, 0o555)
    before = snapshot(copy)
    out = os.path.join(kit.scratch, "out")
    try:
        a = kit.run("classroom.sh", "-o", out, *SMALL, source=copy)
        b = kit.run("classroom_what_if.sh", "--set", "market.customers=800", "--slides", source=copy,
                    env={"LOYALSIM_RESULTS": out})
        c = kit.run("run.sh", os.path.join(copy, "scenarios", "classroom.toml"), "--set", "market.customers=500",
                    source=copy, env={"LOYALSIM_RESULTS": out})
        for name, proc in (("classroom.sh", a), ("classroom_what_if.sh", b), ("run.sh", c)):
            check(proc.returncode == 0, f"{name} runs from a read-only checkout", proc.stderr[-500:])
        check(snapshot(copy) == before, "no file of the read-only checkout changed (even as root)",
              str(sorted(set(snapshot(copy)) ^ set(before))[:5]))
        what_if_slide = os.path.join(out, "classroom_what_if", "set-market.customers=800", "slides", "what_if.png")
        check(png_size(what_if_slide) == (1920, 1080), "classroom_what_if.sh --slides draws a 16:9 slide")
        check(os.path.isfile(os.path.join(out, "classroom.h5")) and os.path.isfile(os.path.join(out, "classroom.png")),
              "run.sh writes into LOYALSIM_RESULTS")
    finally:
        for root, dirs, files in os.walk(copy):
            os.chmod(root, 0o755)


TESTS = {f.__name__: f for f in (builds_only_the_program, variants_and_bad_options,
                                 summary_keeps_variants, what_if_says_the_change, read_only_checkout)}


def main(argv):
    if len(argv) != 4 or argv[3] not in TESTS:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    exe, source = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    with tempfile.TemporaryDirectory(prefix="loyalsim_kit_") as scratch:
        TESTS[argv[3]](Kit(exe, source, scratch))
    print(f"{argv[3]}: {'passed' if not FAILURES else f'{len(FAILURES)} failed'}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
