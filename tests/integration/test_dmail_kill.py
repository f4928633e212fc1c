"""A unix-format delivery SIGKILLed while it writes leaves no trace, and
never costs another writer's message: dmail (a 20 MB message) is killed a
moment into its commit, then real procmail appends its own message to the
same mbox (it knows nothing of our append journal), then the next of ours
to take the lock cuts the partial bytes out. Afterwards the INBOX holds
every acknowledged dmail message and every procmail message once, at most
whole big ones, never part of one; UW's mailutil counts the same."""
import os
import random
import re
import shutil
import subprocess
import sys
import time

import lib
from test_dmail import as_nobody, dmail_env
from test_mbx_uw import mailutil

ROUNDS = 8


def procmail_deliver(procmail, home, rc, i):
    msg = (f"From p{i}@example.net Tue Jan  2 10:00:00 2024\nFrom: p{i}@example.net\n"
           f"Subject: p{i}\nMessage-ID: <p{i}@x>\n\nprocmail's {i}\nFrom the middle, quoted\n").encode()
    r = subprocess.run([procmail, "-m", rc], input=msg, capture_output=True,
                       env={"HOME": home, "PATH": "/usr/bin:/bin"}, preexec_fn=as_nobody(home), timeout=240)
    assert r.returncode == 0, (r.returncode, r.stderr)


def test_dmail_killed_in_unix_commit_leaves_no_trace_and_keeps_procmails_mail():
    procmail = shutil.which("procmail")
    if not procmail:
        raise lib.Skip("procmail is not installed")
    home = lib.tempdir()
    rc = os.path.join(home, "procmailrc")
    with open(rc, "w") as f:
        f.write(f"DEFAULT={home}/INBOX\nLOGFILE={home}/procmail.log\n")
    big_body = (b"y" * 1023 + b"\n") * (20 * 1024)
    journal = f"{home}/.imapd/INBOX.append"
    rng = random.Random(5)
    acked, procmailed = set(), set()
    left_records = 0
    for i in range(ROUNDS):
        small = f"From: a@example.org\nSubject: s{i}\nMessage-ID: <s{i}@x>\n\nsmall {i}\n".encode()
        r = subprocess.run([lib.binary("dmail")], input=small, capture_output=True,
                           env=dmail_env(home, "unix"), preexec_fn=as_nobody(home), timeout=240)
        assert r.returncode == 0, r.stderr
        acked.add(f"s{i}")
        p = subprocess.Popen([lib.binary("dmail")], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dmail_env(home, "unix"),
                             preexec_fn=as_nobody(home))
        p.stdin.write(f"From: a@example.org\nSubject: b{i}\nMessage-ID: <b{i}@x>\n\n".encode() + big_body)
        p.stdin.close()
        time.sleep(0.02 + rng.random() * 0.12)
        p.kill()
        if p.wait() == 0:
            acked.add(f"b{i}")
        if os.path.exists(journal) and os.path.getsize(journal) > 0:
            left_records += 1
        lock = f"{home}/INBOX.lock"
        if os.path.exists(lock):
            os.unlink(lock)  # the killed writer's: procmail would wait for it (ours break it after 2 s)
        if i % 2 == 0:
            procmail_deliver(procmail, home, rc, i)  # after the partial bytes, if any
            procmailed.add(f"p{i}")
    s = lib.imapd_session(home, env={"MAIL": dmail_env(home, "unix")["MAIL"]})
    try:
        _, tagged = s.cmd("EXAMINE INBOX")
        assert b"OK" in tagged, tagged
        untagged, tagged = s.cmd("FETCH 1:* (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        assert b"OK" in tagged, tagged
        text = b"".join(untagged)
    finally:
        s.close()
    ids = [x.decode() for x in re.findall(rb"<([sbp]\d+)@x>", text)]
    sizes = [int(x) for x in re.findall(rb"RFC822.SIZE (\d+)", text)]
    found = set(ids)
    assert len(ids) == len(found), ids  # none twice
    assert len(sizes) == len(ids), (sizes, ids)  # no message without an id: no half of one
    assert acked | procmailed <= found, (acked, procmailed, found)
    extra = found - acked - procmailed
    assert all(x.startswith("b") for x in extra), extra  # killed after a whole commit
    for size in sizes:
        assert size < 1000 or size >= len(big_body), sizes
    assert not (os.path.exists(journal) and os.path.getsize(journal) > 0)
    if shutil.which("mailutil"):
        shutil.copyfile(f"{home}/INBOX", f"{home}/inbox-copy")  # UW takes only names relative to home
        if os.geteuid() == 0:
            lib.chown_tree(home, *[getattr(__import__("pwd").getpwnam("nobody"), a) for a in ("pw_uid", "pw_gid")])
        out = mailutil(home, "check", "inbox-copy")
        m = re.search(rb"\b(\d+) total in", out)
        assert m and int(m.group(1)) == len(ids), (out, len(ids))
    print(f"  unix: {left_records} of {ROUNDS} kills left an append record, repaired; "
          f"{len(extra)} big ones committed as killed", file=sys.stderr)
