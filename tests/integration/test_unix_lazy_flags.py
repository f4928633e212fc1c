"""Lazy flag writes in unix (Berkeley mbox) mailboxes: a STORE leaves the
mbox as it was (the change waits in the pending-flags file), other sessions
of ours see it at their next command, and the mbox gets it at CHECK, CLOSE,
LOGOUT, EXPUNGE and after the delay (IMAPD_UNIX_FLAG_DELAY); a killed
session loses no message, and UW's mailutil reads the flags once written."""
import os
import re
import signal
import time

import lib
from test_mbx_uw import make_home, mailutil, need_mailutil

MESSAGES = b"".join(
    b"From sender@example.com Mon Jan  1 10:00:0%d 2001\nSubject: m%d\n\nbody %d\n\n" % (i, i, i)
    for i in range(1, 6))


def home_with_inbox():
    home = make_home()
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    with open(os.path.join(home, "inbox.mbox"), "wb") as f:
        f.write(MESSAGES)
    return home


def session(home, delay=None):
    env = {"MAIL": "unix:~/mail:INBOX=~/inbox.mbox"}
    if delay is not None:
        env["IMAPD_UNIX_FLAG_DELAY"] = str(delay)
    s = lib.imapd_session(home, env)
    _, tagged = s.cmd("SELECT INBOX")
    assert b"OK" in tagged, tagged
    return s


def flagged_in_file(home):
    """The subjects of the messages whose X-Status says \\Flagged."""
    data = open(os.path.join(home, "inbox.mbox"), "rb").read()
    out = []
    for part in re.split(rb"\nFrom ", data):
        head = part.split(b"\n\n", 1)[0]
        subj = re.search(rb"^Subject: (\S+)", head, re.M)
        xs = re.search(rb"^X-Status: (\S*)", head, re.M)
        if subj and xs and b"F" in xs.group(1):
            out.append(subj.group(1).decode())
    return out


def ok(reply):
    assert b" OK" in reply[1], reply
    return reply


def test_two_sessions_see_each_others_store_at_noop():
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(a.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)"))
    assert flagged_in_file(home) == [], "a STORE alone must not rewrite the mbox"
    untagged, _ = ok(b.cmd("NOOP"))
    assert any(re.match(rb"\* 2 FETCH \(FLAGS \(.*\\Flagged", l) for l in untagged), untagged
    ok(b.cmd("STORE 3 +FLAGS.SILENT ($Work)"))
    untagged, _ = ok(a.cmd("NOOP"))
    assert any(re.match(rb"\* 3 FETCH \(FLAGS \(.*\$Work", l) for l in untagged), untagged
    # A third session opened now sees both.
    c = session(home)
    untagged, _ = ok(c.cmd("FETCH 2:3 FLAGS"))
    assert b"\\Flagged" in untagged[0] and b"$Work" in untagged[1], untagged
    for s in (a, b, c):
        s.cmd("LOGOUT")
    assert flagged_in_file(home) == ["m2"]


def test_flags_reach_the_file_at_check_close_logout():
    home = home_with_inbox()
    s = session(home)
    ok(s.cmd("STORE 1 +FLAGS.SILENT (\\Flagged)"))
    assert flagged_in_file(home) == []
    ok(s.cmd("CHECK"))
    assert flagged_in_file(home) == ["m1"]
    ok(s.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)"))
    ok(s.cmd("CLOSE"))
    assert flagged_in_file(home) == ["m1", "m2"]
    ok(s.cmd("SELECT INBOX"))
    ok(s.cmd("STORE 3 +FLAGS.SILENT (\\Flagged)"))
    assert flagged_in_file(home) == ["m1", "m2"]
    s.cmd("LOGOUT")
    s.proc.wait(timeout=10)
    assert flagged_in_file(home) == ["m1", "m2", "m3"]


def test_flags_reach_the_file_after_the_delay_while_idle():
    home = home_with_inbox()
    s = session(home, delay=1)
    ok(s.cmd("STORE 4 +FLAGS.SILENT (\\Flagged)"))
    assert flagged_in_file(home) == []
    deadline = time.time() + 10
    while time.time() < deadline and flagged_in_file(home) != ["m4"]:
        time.sleep(0.2)
    assert flagged_in_file(home) == ["m4"], "the idle session did not write its flags in time"
    ok(s.cmd("NOOP"))
    s.cmd("LOGOUT")


def test_killed_session_keeps_every_message_and_the_next_writes_its_flags():
    home = home_with_inbox()
    s = session(home)
    ok(s.cmd("STORE 1:5 +FLAGS.SILENT (\\Flagged)"))
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait(timeout=10)
    data = open(os.path.join(home, "inbox.mbox"), "rb").read()
    for i in range(1, 6):
        assert b"Subject: m%d\n" % i in data and b"body %d\n" % i in data
    t = session(home)
    untagged, _ = ok(t.cmd("FETCH 1:* FLAGS"))
    assert len(untagged) == 5 and all(b"\\Flagged" in l for l in untagged), untagged
    t.cmd("LOGOUT")
    t.proc.wait(timeout=10)
    assert flagged_in_file(home) == ["m1", "m2", "m3", "m4", "m5"]


def test_expunge_writes_pending_flags_first():
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(a.cmd("STORE 5 +FLAGS.SILENT (\\Flagged)"))
    ok(b.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
    untagged, _ = ok(b.cmd("EXPUNGE"))
    assert b"* 1 EXPUNGE\r\n" in untagged, untagged
    assert flagged_in_file(home) == ["m5"]
    a.cmd("LOGOUT")
    b.cmd("LOGOUT")


def test_mailutil_reads_the_flags_after_logout():
    need_mailutil()
    home = home_with_inbox()
    s = session(home)
    ok(s.cmd("STORE 2,4 +FLAGS.SILENT (\\Flagged \\Seen)"))
    s.cmd("LOGOUT")
    s.proc.wait(timeout=10)
    mailutil(home, "copy", "-kw", "inbox.mbox", "#driver.unix/copy.mbox")
    data = open(os.path.join(home, "copy.mbox"), "rb").read()
    flagged = re.findall(rb"Subject: (m\d)\n(?:[^\n]+\n)*?X-Status: [^\n]*F", data)
    assert sorted(flagged) == [b"m2", b"m4"], data[:2000]
