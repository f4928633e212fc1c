"""Dovecot's ImapTest against build/imapd, through tests/imaptest/run.py:
the scripted tests (every group must pass) and a 60-second stress run (no
`Error:` line) in each format, each on a fresh home. ImapTest is built into
build/imaptest from tests/imaptest (its source, kept in the tree) when it is
not there yet. The summary
lines are printed so that the log shows the figures."""
import os
import re
import subprocess
import sys

import lib

RUN = os.path.join(lib.ROOT, "tests", "imaptest", "run.py")
IMAPTEST_DIR = os.path.join(lib.ROOT, "build", "imaptest")
BUILD_SCRIPT = os.path.join(lib.ROOT, "tests", "imaptest", "build.sh")
STRESS_SECONDS = 60


def run(fmt, *args, timeout):
    lib.binary("imapd")
    if not os.path.exists(BUILD_SCRIPT) and not os.path.exists(os.path.join(IMAPTEST_DIR, "imaptest")):
        raise lib.Skip("ImapTest is neither built (build/imaptest) nor buildable (tests/imaptest)")
    env = dict(os.environ, IMAPTEST_DIR=IMAPTEST_DIR, BUILD_DIR=lib.BUILD)
    r = subprocess.run([sys.executable, RUN, fmt, *args], capture_output=True, text=True,
                       errors="replace", env=env, timeout=timeout)
    return r.stdout + r.stderr


def last_line(output, pattern):
    """The machine-readable last line of run.py, as a dict of its figures."""
    lines = [l for l in output.splitlines() if re.match(pattern, l)]
    assert lines, "no summary line from run.py:\n" + output[-3000:]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", lines[-1])}, lines[-1]


def scripted(fmt):
    out = run(fmt, timeout=900)
    for line in out.splitlines():
        if re.match(r"\d+ test groups:|base protocol:|extensions:", line):
            print(f"  {fmt}: {line}")
    figures, line = last_line(out, rf"imaptest {fmt}: groups_failed=")
    print(f"  {line}")
    failed = sorted({l for l in out.splitlines() if l.startswith("*** Test ")})
    assert figures["groups_failed"] == 0 and figures["base_failed"] == 0 and figures["ext_failed"] == 0, (
        line + "\n" + "\n".join(failed))


def stress(fmt):
    out = run(fmt, "--stress", str(STRESS_SECONDS), timeout=STRESS_SECONDS + 300)
    figures, line = last_line(out, rf"imaptest {fmt} stress: errors=")
    print(f"  {line}")
    errors = [l for l in out.splitlines() if "Error:" in l or "Panic:" in l]
    assert figures["errors"] == 0, line + "\n" + "\n".join(errors[:20])


def test_imaptest_scripted_maildir():
    scripted("maildir")


def test_imaptest_scripted_mbx():
    scripted("mbx")


def test_imaptest_scripted_unix():
    scripted("unix")


def test_imaptest_stress_maildir():
    stress("maildir")


def test_imaptest_stress_mbx():
    stress("mbx")


def test_imaptest_stress_unix():
    stress("unix")
