"""The kill harness's short run (tests/crash/kill_harness.py): writers of
every kind SIGKILLed at random moments, each kill checked against the model,
mailtool check, UW's mailutil (mbx, unix) and Dovecot (maildir). 10 s a
format (after one probe of a lock left by a dead writer in maildir), going
on after a violation so that one run reports them all; CRASH_SEED repeats
a run, `make crash` is the long one."""
import os
import sys

import lib

sys.path.insert(0, os.path.join(lib.ROOT, "tests", "crash"))
import kill_harness  # noqa: E402

SEED = int(os.environ.get("CRASH_SEED", "17"))
SECONDS = float(os.environ.get("CRASH_SHORT_SECONDS", "10"))


# Open defects the harness finds that are not fixed yet (see the issue's
# note): printed as KNOWN OPEN DEFECT, not failed, so that the short run
# still guards what is fixed (no acknowledged message lost or doubled, no
# damaged mailbox, mailtool/mailutil/Dovecot checks). `make crash` fails on them.
KNOWN = {
    "maildir": ["stale-lock", "mailtool-copy", "mailtool-continue"],  # hand-made unmarked lock; mailtool resume
    "mbx": ["copy-flags", "mailtool-copy", "mailtool-continue"],  # a killed but acknowledged MOVE's copy
    "unix": ["mailtool-copy", "mailtool-continue"],
}


def run(fmt):
    lib.binary("imapd"), lib.binary("dmail"), lib.binary("mailtool")  # Skip when not built
    known = [a for kind in KNOWN[fmt] for a in ("--known", kind)]
    kill_harness.main(["--seed", str(SEED), "--seconds", str(SECONDS), "--format", fmt, "--keep-going"] + known)


def test_killed_writers_maildir():
    run("maildir")


def test_killed_writers_mbx():
    run("mbx")


def test_killed_writers_unix():
    run("unix")
