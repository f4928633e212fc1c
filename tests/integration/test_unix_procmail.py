"""Real procmail delivering into a unix INBOX (its own dot lock and kernel
locks, recipe ":0:") 200 times while an imapd session has INBOX selected and
sets flags: every message arrives once and intact, and the flags set by the
session are kept."""
import os
import pwd
import random
import re
import shutil
import subprocess
import threading
import time

import lib

COUNT = 200


def message(i):
    # the envelope line an MTA hands procmail (in -m mode it adds none)
    return (f"From sender{i}@example.com Thu Nov 26 00:00:{i % 60:02d} 2026\n"
            f"From: sender{i}@example.com\nTo: nobody@example.com\n"
            f"Subject: delivery {i}\nMessage-ID: <p-{i}@example.com>\n\n"
            f"body of {i}\nFrom a line that needs quoting {i}\nend {i}\n").encode()


def body(i):
    return f"body of {i}\r\n>From a line that needs quoting {i}\r\nend {i}\r\n".encode()


def as_nobody():
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def exists_in(untagged):
    n = None
    for line in untagged:
        m = re.match(rb"\* (\d+) EXISTS", line)
        if m:
            n = int(m.group(1))
    return n


def test_procmail_delivers_while_session_sets_flags():
    if not shutil.which("procmail"):
        raise lib.Skip("procmail is not installed")
    home = lib.tempdir("unix-procmail-")
    os.mkdir(os.path.join(home, "mail"))
    inbox = os.path.join(home, "INBOX")
    rc = os.path.join(home, "procmailrc")
    with open(rc, "w") as f:
        # procmail waits LOCKSLEEP (default 8 s) whenever it finds the dot
        # lock taken (by the session's sync or rewrite): 1 s keeps this short
        f.write(f"LOGFILE={home}/procmail.log\nLOCKSLEEP=1\n:0:\n{inbox}\n")
    os.chmod(rc, 0o644)
    s = lib.imapd_session(home, env={"MAIL": "unix:~/mail:INBOX=~/INBOX"})  # chowns home to nobody
    failures = []

    def deliver():
        for i in range(COUNT):
            p = subprocess.run(["procmail", "-m", rc], input=message(i), capture_output=True,
                               env={"HOME": home, "PATH": "/usr/bin:/bin"}, cwd=home,
                               preexec_fn=as_nobody(), timeout=30)
            if p.returncode != 0:
                failures.append((i, p.returncode, p.stderr))
            time.sleep(0.01 + random.random() * 0.01)  # paced: the session must get STOREs in between

    flagged = set()
    stores = 0
    rng = random.Random(5)
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        worker = threading.Thread(target=deliver)
        deadline = time.time() + 50
        worker.start()
        while worker.is_alive() and time.time() < deadline:
            untagged, tagged = s.cmd("NOOP")
            assert b"OK" in tagged, tagged
            n = exists_in(untagged)
            if n:
                seq = rng.randint(1, n)
                untagged, tagged = s.cmd(f"FETCH {seq} (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                assert b"OK" in tagged, (seq, n, tagged, untagged)
                mid = re.search(rb"<(p-\d+)@", b"".join(untagged))
                assert mid, untagged
                untagged, tagged = s.cmd(f"STORE {seq} +FLAGS (\\Flagged)")
                assert b"OK" in tagged, (tagged, untagged)
                flagged.add(mid.group(1))
                stores += 1
            time.sleep(0.05)
        worker.join(timeout=max(1, deadline - time.time()))
        assert not worker.is_alive(), ("deliveries took too long", open(inbox, "rb").read().count(b"\nMessage-ID: <p-"))
        assert not failures, failures[:3]

        noop, _ = s.cmd("NOOP")
        untagged, tagged = s.cmd("FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] BODY.PEEK[TEXT])")
        assert b"OK" in tagged, (tagged, noop, open(inbox, "rb").read()[:3000])
        seen = {}
        for line in untagged:
            mid = re.search(rb"<p-(\d+)@", line)
            if not mid:
                continue
            i = int(mid.group(1))
            assert i not in seen, f"message {i} twice"
            flags = re.search(rb"FLAGS \(([^)]*)\)", line).group(1).split()
            seen[i] = flags
            assert body(i) in line, line
        assert sorted(seen) == list(range(COUNT))
        assert stores >= 10, f"only {stores} STOREs (each rewrites the file) during the deliveries"
        for mid in flagged:
            assert b"\\Flagged" in seen[int(mid[2:])], (mid, seen[int(mid[2:])])
    finally:
        s.close()

    # on disk: each Message-ID once, the flagged ones with X-Status F
    data = open(inbox, "rb").read()
    parts = re.split(rb"\n\nFrom |^From ", data)
    ids = []
    for part in parts[1:]:
        head = part.split(b"\n\n", 1)[0]
        mid = re.search(rb"^Message-ID: <(p-\d+)@", head, re.M | re.I)
        if not mid:
            continue  # UW's folder-internal-data pseudo-message
        ids.append(mid.group(1))
        xs = re.search(rb"^X-Status: (.*)$", head, re.M)
        if mid.group(1) in flagged:
            assert xs and b"F" in xs.group(1), head
    assert sorted(ids) == sorted(b"p-%d" % i for i in range(COUNT))
