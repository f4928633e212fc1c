"""IDLE on a unix (Berkeley mbox) INBOX and on an mbx INBOX: deliveries by
procmail and by dmail, and another session's rewrite of the mbox (STORE
then EXPUNGE renames a new file over it), are reported within a second
(inotify through Mailbox::change_fd, not IDLE's 30 s re-check)."""
import os
import shutil
import subprocess
import time

import lib
from test_dmail import as_nobody
from test_imapd_idle import MESSAGE, Idler, append, record

UNIX = {"MAIL": "unix:~/mail:INBOX=~/INBOX"}
MBX = {"MAIL": "mbx:~/mail:INBOX=~/INBOX"}


def home_with_inbox(env):
    home = lib.tempdir()
    os.makedirs(os.path.join(home, "mail"))
    s = lib.imapd_session(home, env)
    _, tagged = s.cmd("SELECT INBOX")  # creates INBOX in the format
    assert b"OK" in tagged, tagged
    s.close()
    return home


def dmail(home, env, subject):
    msg = b"From: a@example.org\nSubject: " + subject.encode() + b"\n\nhello\n"
    r = subprocess.run([lib.binary("dmail")], input=msg, capture_output=True,
                       env={"HOME": home, "PATH": "/usr/bin:/bin", "MAIL": env["MAIL"].replace("~", home)},
                       preexec_fn=as_nobody(home), timeout=30)
    assert r.returncode == 0, r.stderr


def test_unix_idle_sees_dmail_and_procmail_deliveries():
    home = home_with_inbox(UNIX)
    a = Idler(home, UNIX)
    t0 = time.monotonic()
    dmail(home, UNIX, "one")
    record("unix dmail delivery", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    if shutil.which("procmail"):
        rc = os.path.join(home, "procmailrc")
        with open(rc, "w") as f:
            f.write(f":0:\n{home}/INBOX\n")
        os.chmod(rc, 0o644)
        t0 = time.monotonic()
        r = subprocess.run(["procmail", "-m", rc], input=b"From x@example.org Thu Nov 26 00:00:00 2026\n" + MESSAGE,
                           capture_output=True, env={"HOME": home, "PATH": "/usr/bin:/bin"},
                           preexec_fn=as_nobody(home), timeout=30)
        assert r.returncode == 0, r.stderr
        # procmail itself may take a second (it naps after warnings such as
        # nobody's home /nonexistent): the delay counts from its exit, when
        # the message is in the file.
        t0 = time.monotonic()
        record("unix procmail delivery", a.wait_for(rb"\* 2 EXISTS\r\n", t0))
    a.done()


def test_unix_idle_sees_append_and_rewrite_by_another_session():
    home = home_with_inbox(UNIX)
    a = Idler(home, UNIX)
    b = lib.imapd_session(home, UNIX)
    t0 = time.monotonic()
    append(b)
    record("unix APPEND", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    append(b)
    a.wait_for(rb"\* 2 EXISTS\r\n", t0)
    _, tagged = b.cmd("SELECT INBOX")
    assert b"OK" in tagged, tagged
    t0 = time.monotonic()
    _, tagged = b.cmd("STORE 1 +FLAGS (\\Deleted)")
    assert b"OK" in tagged, tagged
    _, tagged = b.cmd("EXPUNGE")  # a rewrite: a new file renamed over INBOX
    assert b"OK" in tagged, tagged
    record("unix EXPUNGE (rewrite)", a.wait_for(rb"\* 1 EXPUNGE\r\n", t0))
    # and the watch follows the new file: a delivery into it is seen too
    t0 = time.monotonic()
    dmail(home, UNIX, "after the rewrite")
    record("unix delivery after a rewrite", a.wait_for(rb"\* 2 EXISTS\r\n", t0))
    a.done()
    b.close()


def test_mbx_idle_sees_dmail_delivery():
    home = home_with_inbox(MBX)
    a = Idler(home, MBX)
    t0 = time.monotonic()
    dmail(home, MBX, "one")
    record("mbx dmail delivery", a.wait_for(rb"\* 1 EXISTS\r\n", t0))
    a.done()
