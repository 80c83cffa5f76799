#!/usr/bin/env python3
"""Runs one case of the bad-input catalogue (see README.md beside this file).

    run_case.py LOYALSIM_EXE CASE_FOLDER

The case's command must exit with status 2, print every `expect` fragment on
standard error in one clean message, and leave every file of its folder
byte for byte as it found it. Exit status 0 when it does, 1 otherwise.
"""
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 60
MAX_STDERR_LINES = 12


def substitutions(exe):
    return {
        "${EXE}": str(exe),
        "${DATA}": str(REPO / "tests" / "data"),
        "${SCENARIOS}": str(REPO / "scenarios"),
    }


def expand(text, table):
    for key, value in table.items():
        text = text.replace(key, value)
    return text


def read_lines(path):
    """Lines of a case file, verbatim; a final newline does not add a line."""
    text = path.read_text(encoding="utf-8")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def fingerprint(folder):
    """Every entry below `folder`: its type and mode, and for regular files
    their size and SHA-256, for symlinks their target. FIFOs and devices are
    never opened (opening a FIFO would block)."""
    entries = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(folder))
            if rel == ".background_pid":
                continue
            info = os.lstat(path)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                entries[rel] = ("symlink", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[rel] = ("file", mode, info.st_size, digest)
            elif stat.S_ISDIR(info.st_mode):
                entries[rel] = ("dir", mode)
            else:
                entries[rel] = ("special", stat.S_IFMT(info.st_mode), mode, info.st_rdev)
    return entries


def describe_changes(before, after):
    lines = []
    for rel in sorted(set(before) | set(after)):
        if rel not in after:
            lines.append(f"  removed: {rel}")
        elif rel not in before:
            lines.append(f"  added: {rel}")
        elif before[rel] != after[rel]:
            lines.append(f"  changed: {rel}: {before[rel]} -> {after[rel]}")
    return "\n".join(lines)


def stop_background(scratch):
    pid_file = scratch / ".background_pid"
    if not pid_file.exists():
        return
    for word in pid_file.read_text().split():
        try:
            pid = int(word)
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, signal.SIGKILL)
        except (ValueError, ProcessLookupError, PermissionError):
            pass


def run_case(exe, case):
    table = substitutions(exe)
    args = [expand(a, table) for a in read_lines(case / "args")]
    expected = [e for e in read_lines(case / "expect") if e]
    if not args or not expected:
        return [f"{case.name}: the case needs a non-empty 'args' and 'expect'"]

    problems = []
    with tempfile.TemporaryDirectory(prefix=f"bad-{case.name}-") as tmp:
        scratch = Path(tmp) / "case"
        shutil.copytree(case, scratch, symlinks=True)
        env = dict(os.environ, EXE=str(exe), DATA=table["${DATA}"], SCENARIOS=table["${SCENARIOS}"],
                   CASES=str(Path(__file__).resolve().parent))
        try:
            if (scratch / "setup.sh").exists():
                setup = subprocess.run(["bash", "setup.sh"], cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                                       capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
                if setup.returncode != 0:
                    return [f"{case.name}: setup.sh failed ({setup.returncode}):\n{setup.stdout}{setup.stderr}"]
            before = fingerprint(scratch)
            try:
                result = subprocess.run([str(exe)] + args, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                                        capture_output=True, timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                return [f"{case.name}: no answer within {TIMEOUT_SECONDS} s (a hang)"]
            after = fingerprint(scratch)
        finally:
            stop_background(scratch)
            # A case may leave a read-only folder behind; make it removable.
            for root, dirs, _ in os.walk(tmp):
                for d in dirs:
                    try:
                        os.chmod(Path(root, d), 0o755)
                    except OSError:
                        pass

    stderr = result.stderr.decode("utf-8", errors="replace")
    shown = f"\n--- stderr ---\n{stderr[-3000:]}--- end ---"
    if result.returncode != 2:
        problems.append(f"exit status {result.returncode}, expected 2")
    for fragment in expected:
        if fragment not in stderr:
            problems.append(f"standard error lacks {fragment!r}")
    if "HDF5-DIAG" in stderr:
        problems.append("standard error holds an HDF5 diagnostic dump")
    lines = stderr.rstrip("\n").split("\n") if stderr.strip() else []
    if len(lines) > MAX_STDERR_LINES:
        problems.append(f"standard error has {len(lines)} lines (at most {MAX_STDERR_LINES})")
    if lines and not lines[-1].startswith("loyalsim:"):
        problems.append(f"the last line of standard error does not start with 'loyalsim:': {lines[-1]!r}")
    if not lines:
        problems.append("nothing on standard error")
    if before != after:
        problems.append("files changed:\n" + describe_changes(before, after))
    if problems:
        return [f"{case.name}: " + p for p in problems] + [shown]
    return []


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe = Path(sys.argv[1]).resolve()
    case = Path(sys.argv[2]).resolve()
    problems = run_case(exe, case)
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{case.name}: refused with exit 2, message as expected, no file changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
