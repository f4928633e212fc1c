"""The spool snarf as imapd wires it: a spool given by the configuration
(-c) is moved into the user's INBOX when INBOX is selected, and emptied."""
import os
import re

import lib

SPOOL = (
    b"From alice@example.com Mon Jan  1 10:00:00 2001\n"
    b"Message-ID: <spool-1@example.com>\nSubject: one\n\nbody one\n>From quoted\n\n"
    b"From bob@example.com Tue Jan  2 11:30:00 2001\n"
    b"Message-ID: <spool-2@example.com>\nSubject: two\n\nbody two\n\n"
)


def session(home, conf, mail):
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": mail}
    return lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env,
                           preexec_fn=lib.imapd_preexec(home), cwd=home)


def spool_home(fmt, spool_line):
    home = lib.tempdir("unix-spool-")
    os.mkdir(os.path.join(home, "mail"))
    spool = os.path.join(home, "spool")
    with open(spool, "wb") as f:
        f.write(SPOOL)
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(spool_line.format(spool=spool) + "fsync = no\n")
    return home, conf, spool


def exists_count(untagged):
    for line in untagged:
        m = re.match(rb"\* (\d+) EXISTS", line)
        if m:
            return int(m.group(1))
    raise AssertionError(untagged)


def check_snarf(fmt):
    home, conf, spool = spool_home(fmt, "spool = {spool}\n")
    s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        assert exists_count(untagged) == 2
        untagged, tagged = s.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] BODY.PEEK[TEXT])")
        text = b"".join(untagged)
        assert b"<spool-1@example.com>" in text and b"<spool-2@example.com>" in text
        assert b"body one\r\nFrom quoted" in text or b">From quoted" in text
    finally:
        s.close()
    assert os.path.getsize(spool) == 0
    assert os.path.getsize(os.path.join(home, "INBOX")) > 0
    # a second session finds the messages in INBOX once, not twice
    s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 2
    finally:
        s.close()


def test_spool_snarfed_into_unix_inbox():
    check_snarf("unix")


def test_spool_snarfed_into_mbx_inbox():
    check_snarf("mbx")


def test_spool_left_alone_when_it_is_the_inbox():
    home, conf, spool = spool_home("unix", "spool = {spool}\n")
    s = session(home, conf, f"unix:~/mail:INBOX={spool}")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 2
    finally:
        s.close()
    assert os.path.getsize(spool) > 0


def test_no_spool_when_the_key_is_empty():
    home, conf, spool = spool_home("unix", 'spool = ""\n# {spool}\n')
    s = session(home, conf, "unix:~/mail:INBOX=~/INBOX")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 0
    finally:
        s.close()
    assert os.path.getsize(spool) == len(SPOOL)


def test_spool_snarf_while_procmail_delivers():
    """procmail delivers 100 messages into the spool (its dot lock and
    kernel locks) while sessions keep selecting INBOX, each moving what is
    in the spool: every message ends in INBOX exactly once."""
    import shutil
    import subprocess
    import threading
    import time
    if not shutil.which("procmail"):
        raise lib.Skip("procmail is not installed")
    home, conf, spool = spool_home("unix", "spool = {spool}\n")
    open(spool, "wb").close()
    rc = os.path.join(home, "procmailrc")
    with open(rc, "w") as f:
        f.write(f"LOCKSLEEP=1\n:0:\n{spool}\n")
    preexec = lib.imapd_preexec(home)  # chowns home to nobody
    count = 100
    failures = []

    def deliver():
        for i in range(count):
            msg = (f"From s{i}@example.com Thu Nov 26 00:00:00 2026\n"
                   f"Message-ID: <sp-{i}@example.com>\nSubject: {i}\n\nbody {i}\n").encode()
            p = subprocess.run(["procmail", "-m", rc], input=msg, capture_output=True, timeout=30,
                               env={"HOME": home, "PATH": "/usr/bin:/bin"}, cwd=home, preexec_fn=preexec)
            if p.returncode != 0:
                failures.append((i, p.returncode, p.stderr))

    worker = threading.Thread(target=deliver)
    worker.start()
    # procmail sleeps LOCKSLEEP (1 s) whenever a session holds the spool's
    # dot lock: 100 deliveries take 30-35 s on a quiet machine; the bound is
    # for a loaded one (the full suite failed once at 50 s).
    deadline = time.time() + 100
    while worker.is_alive() and time.time() < deadline:
        s = session(home, conf, "unix:~/mail:INBOX=~/INBOX")
        try:
            _, tagged = s.cmd("SELECT INBOX")
            assert b"OK" in tagged, tagged
        finally:
            s.close()
        time.sleep(0.05)
    worker.join(timeout=max(1, deadline - time.time()))
    assert not worker.is_alive() and not failures, failures[:3]
    s = session(home, conf, "unix:~/mail:INBOX=~/INBOX")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == count
        untagged, tagged = s.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        ids = sorted(int(m) for m in re.findall(rb"<sp-(\d+)@", b"".join(untagged)))
        assert ids == list(range(count))
    finally:
        s.close()
    assert os.path.getsize(spool) == 0
