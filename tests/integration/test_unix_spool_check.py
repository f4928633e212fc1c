"""The spool snarf at every check of a selected INBOX (NOOP, CHECK, the sync
after each command, IDLE's re-check), not only at SELECT: new mail that
procmail writes into the spool while a session has INBOX selected arrives
in INBOX exactly once, and the spool is emptied."""
import os
import re
import shutil
import subprocess
import threading
import time

import lib
from test_dmail import as_nobody
from test_unix_spool import session

COUNT = 30


def spool_home():
    home = lib.tempdir("spool-check-")
    os.mkdir(os.path.join(home, "mail"))
    spool = os.path.join(home, "spool")
    open(spool, "wb").close()
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"spool = {spool}\n")
    return home, conf, spool


def last_exists(untagged, current):
    for line in untagged:
        m = re.match(rb"\* (\d+) EXISTS", line)
        if m:
            current = int(m.group(1))
    return current


def message(i):
    return (f"From sender{i}@example.com Thu Nov 26 00:00:00 2026\n"
            f"From: sender{i}@example.com\nSubject: spool {i}\nMessage-ID: <s-{i}@example.com>\n\n"
            f"body {i}\n").encode()


def message_ids(s):
    untagged, tagged = s.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert b"OK" in tagged, tagged
    return re.findall(rb"<(s-\d+)@", b"".join(untagged))


def check_format(fmt, command):
    home, conf, spool = spool_home()
    s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")  # chowns home
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged and last_exists(untagged, None) == 0, (untagged, tagged)
        with open(spool, "ab") as f:
            f.write(message(0))
        untagged, tagged = s.cmd(command)
        assert b"OK" in tagged, tagged
        assert last_exists(untagged, 0) == 1, (fmt, command, untagged)
        assert os.path.getsize(spool) == 0
    finally:
        s.close()


def test_spool_snarfed_at_noop_and_check():
    for fmt in ("unix", "mbx", "maildir"):
        for command in ("NOOP", "CHECK"):
            check_format(fmt, command)


def test_spool_snarfed_while_procmail_delivers_into_it():
    if not shutil.which("procmail"):
        raise lib.Skip("procmail is not installed")
    for fmt in ("unix", "mbx"):
        home, conf, spool = spool_home()
        rc = os.path.join(home, "procmailrc")
        with open(rc, "w") as f:
            f.write(f"LOCKSLEEP=1\n:0:\n{spool}\n")
        os.chmod(rc, 0o644)
        s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")
        failures = []

        def deliver():
            try:
                for i in range(COUNT):
                    p = subprocess.run(["procmail", "-m", rc], input=message(i), capture_output=True,
                                       env={"HOME": home, "PATH": "/usr/bin:/bin"}, cwd=home,
                                       preexec_fn=as_nobody(home), timeout=30)
                    if p.returncode != 0:
                        failures.append((i, p.returncode, p.stderr))
                    time.sleep(0.005)
            except Exception as e:  # a dead thread must fail the test, not shorten it
                failures.append(("delivery thread", repr(e)))

        try:
            untagged, tagged = s.cmd("SELECT INBOX")
            assert b"OK" in tagged, tagged
            n = last_exists(untagged, 0)
            worker = threading.Thread(target=deliver)
            worker.start()
            checks = 0
            while worker.is_alive():
                untagged, tagged = s.cmd("NOOP")
                assert b"OK" in tagged, tagged
                n = last_exists(untagged, n)
                checks += 1
                time.sleep(0.02)
            worker.join()
            assert not failures, failures[:3]
            untagged, tagged = s.cmd("NOOP")
            n = last_exists(untagged, n)
            assert n == COUNT, (fmt, n, checks)
            ids = message_ids(s)
            assert sorted(ids) == sorted(b"s-%d" % i for i in range(COUNT)), (fmt, ids)
            assert os.path.getsize(spool) == 0, fmt
        finally:
            s.close()
