"""IDLE across sessions: one imapd session IDLEs on INBOX while another
session (or an MTA writing into the maildir) changes it; the idling session
must report the change within a second. And \\Recent on SELECT compared with
Dovecot on a fresh generated maildir."""
import os
import re
import subprocess
import sys
import threading
import time

import lib

LIMIT = 1.0  # seconds from the change to the untagged response
LATENCIES = {}


def maildir_home():
    home = lib.tempdir()
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(home, "Maildir", sub))
    return home


class Idler:
    """Session A: SELECT INBOX, then IDLE; lines read by a thread with times."""

    def __init__(self, home, env=None):
        self.s = lib.imapd_session(home, env)
        untagged, tagged = self.s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        self.recent = [int(x.split()[1]) for x in untagged if x.endswith(b" RECENT\r\n")]
        self.s.send(b"i IDLE\r\n")
        assert self.s.read_response_line() == b"+ idling\r\n"
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            while True:
                line = self.s.read_response_line()
                with self.cond:
                    self.lines.append((time.monotonic(), line))
                    self.cond.notify_all()
                if line.startswith(b"i "):
                    return
        except (EOFError, ValueError, OSError):
            pass

    def wait_for(self, pattern, since, timeout=5.0):
        """The delay from since to the first line matching pattern."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, line in self.lines:
                    if t >= since and re.match(pattern, line):
                        self.lines = [(u, x) for u, x in self.lines if u > t]
                        return t - since
                left = deadline - time.monotonic()
                assert left > 0, (pattern, self.lines)
                self.cond.wait(left)

    def done(self):
        t0 = time.monotonic()
        self.s.send(b"DONE\r\n")
        self.wait_for(rb"i OK IDLE terminated", t0)
        self.thread.join(5)
        self.s.close()


def record(name, latency):
    LATENCIES[name] = latency
    print(f"  {name}: {latency * 1000:.1f} ms", file=sys.stderr)
    assert latency < LIMIT, (name, latency)


MESSAGE = b"From: a@example.org\r\nSubject: idle\r\n\r\nhello\r\n"


def append(session, mailbox="INBOX"):
    _, tagged = session.cmd("APPEND %s {%d+}" % (mailbox, len(MESSAGE)), [MESSAGE])
    assert b"OK" in tagged, tagged


def test_idle_sees_append_from_another_session():
    home = maildir_home()
    a = Idler(home)
    b = lib.imapd_session(home)
    t0 = time.monotonic()
    append(b)
    record("maildir APPEND", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    # B only delivered (its APPEND target claims nothing): recent in A.
    a.wait_for(rb"\* 1 RECENT\r\n", t0)
    a.done()
    b.close()


def test_idle_sees_mta_delivery_into_new():
    home = maildir_home()
    a = Idler(home)
    maildir = os.path.join(home, "Maildir")
    name = "%d.M1P%d.mta" % (time.time(), os.getpid())
    with open(os.path.join(maildir, "tmp", name), "wb") as f:
        f.write(MESSAGE)
    t0 = time.monotonic()
    os.rename(os.path.join(maildir, "tmp", name), os.path.join(maildir, "new", name))
    record("maildir delivery into new/", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    a.done()


def test_idle_sees_flags_and_expunge_from_another_session():
    home = maildir_home()
    b = lib.imapd_session(home)
    append(b)
    append(b)
    a = Idler(home)
    assert a.recent == [2]  # the APPENDs of B, which had not selected INBOX
    _, tagged = b.cmd("SELECT INBOX")
    assert b"OK" in tagged
    t0 = time.monotonic()
    _, tagged = b.cmd("STORE 2 +FLAGS (\\Flagged)")
    assert b"OK" in tagged
    record("maildir STORE +FLAGS", a.wait_for(rb"\* 2 FETCH \((UID 2 )?FLAGS \([^)]*\\Flagged", t0))
    b.cmd("STORE 1 +FLAGS (\\Deleted)")
    t0 = time.monotonic()
    _, tagged = b.cmd("EXPUNGE")
    assert b"OK" in tagged
    record("maildir EXPUNGE", a.wait_for(rb"\* 1 EXPUNGE\r\n", t0))
    a.done()
    b.close()


def test_idle_sees_append_to_mbx_inbox():
    home = lib.tempdir()
    os.makedirs(os.path.join(home, "mail"))
    env = {"MAIL": "mbx:~/mail:INBOX=~/INBOX"}
    b = lib.imapd_session(home, env)
    _, tagged = b.cmd("SELECT INBOX")  # creates the mbx INBOX
    assert b"OK" in tagged, tagged
    a = Idler(home, env)
    t0 = time.monotonic()
    append(b)
    record("mbx APPEND", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    a.done()
    b.close()


def recent_on_select(session, command="SELECT"):
    untagged, tagged = session.cmd(command + " INBOX")
    assert b"OK" in tagged, tagged
    for line in untagged:
        m = re.match(rb"\* (\d+) RECENT", line)
        if m:
            return int(m.group(1))
    raise AssertionError(untagged)


def generated_home(seed):
    home = lib.tempdir()
    subprocess.run([sys.executable, os.path.join(lib.ROOT, "tests", "bench", "genmail.py"),
                    "--count", "40", "--seed", str(seed), "--format", "maildir",
                    os.path.join(home, "Maildir")], check=True, stderr=subprocess.DEVNULL)
    return home


def test_recent_on_select_matches_dovecot():
    ours, theirs = generated_home(7), generated_home(7)
    counts = {}
    for name, open_session in (("imapd", lib.imapd_session), ("dovecot", lib.dovecot_session)):
        home = ours if name == "imapd" else theirs
        examine = open_session(home)
        n_examine = recent_on_select(examine, "EXAMINE")
        examine.close()
        first = open_session(home)
        second = open_session(home)
        n_first = recent_on_select(first)
        n_second = recent_on_select(second)
        # A message MTA-delivered now is recent in the session that syncs first.
        maildir = os.path.join(home, "Maildir")
        fname = "%d.M9P9.mta" % time.time()
        with open(os.path.join(maildir, "tmp", fname), "wb") as f:
            f.write(MESSAGE)
        os.rename(os.path.join(maildir, "tmp", fname), os.path.join(maildir, "new", fname))
        u2, _ = second.cmd("NOOP")
        u1, _ = first.cmd("NOOP")
        counts[name] = (n_first, n_second, u2, u1, n_examine)
        first.close()
        second.close()
    assert counts["imapd"][4] == counts["dovecot"][4], counts  # EXAMINE claims nothing
    assert counts["imapd"][0] == counts["dovecot"][0] == 40
    assert counts["imapd"][1] == counts["dovecot"][1] == 0
    # After the delivery: the second session gets RECENT 1, the first 0 new ones.
    assert b"* 41 EXISTS\r\n" in counts["imapd"][2] and b"* 1 RECENT\r\n" in counts["imapd"][2], counts
    assert b"* 1 RECENT\r\n" in counts["dovecot"][2], counts
    assert b"* 41 EXISTS\r\n" in counts["imapd"][3], counts
    recent_first = [x for x in counts["imapd"][3] if x.endswith(b" RECENT\r\n")]
    recent_first_dovecot = [x for x in counts["dovecot"][3] if x.endswith(b" RECENT\r\n")]
    assert recent_first == recent_first_dovecot, counts
