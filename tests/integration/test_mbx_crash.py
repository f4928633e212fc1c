"""mbx crash safety: imapd sessions SIGKILLed at random moments while they
append, set flags (rewritten in place) and expunge (compaction): every
message whose APPEND was answered OK and that was not deleted is in the file
once and whole, and UW's mailutil still opens the file and counts them.
And dmail SIGKILLed during its commit (a large message, killed after a
short random delay) leaves exactly the messages that were acknowledged."""
import os
import random
import re
import subprocess
import time

import lib
from test_dmail import as_nobody, dmail_env
from test_mbx_uw import make_home, mailutil, need_mailutil

ROUNDS = 15


def test_killed_mbx_sessions_leave_acknowledged_mail_intact_for_uw():
    need_mailutil()
    home = make_home()
    env = {"MAIL": "mbx:~/mail:INBOX=~/box.mbx"}
    rng = random.Random(11)
    kept = {}  # message id -> body (CRLF), acknowledged and never \Deleted
    for round_no in range(ROUNDS):
        s = lib.imapd_session(home, env=env)
        _, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        mid = f"r{round_no}-sure"
        body = f"body {mid}\r\nend\r\n"
        msg = f"Message-ID: <{mid}@example.com>\r\n\r\n{body}".encode()
        _, tagged = s.cmd("APPEND INBOX {%d+}" % len(msg), [msg])
        assert b"OK" in tagged, tagged
        kept[mid] = body
        batch, sent = b"", {}
        for j in range(6):
            mid = f"r{round_no}-{j}"
            body = f"body {mid}\r\n" + "x" * rng.randint(0, 20000) + "\r\nend\r\n"
            msg = f"Message-ID: <{mid}@example.com>\r\nSubject: {mid}\r\n\r\n{body}".encode()
            flags = "(\\Deleted)" if j % 3 == 0 else "()"
            tag = f"a{j}".encode()
            batch += tag + b" APPEND INBOX " + flags.encode() + b" {%d+}\r\n" % len(msg) + msg + b"\r\n"
            sent[tag] = (mid, j % 3 == 0, body)
        batch += b"s STORE 1:* +FLAGS (\\Seen)\r\ne EXPUNGE\r\n"
        s.send(batch)
        time.sleep(rng.random() * 0.05)
        s.proc.kill()
        out = s.proc.stdout.read()
        s.proc.wait()
        for tag, (mid, deleted, body) in sent.items():
            if re.search(rb"(?m)^" + tag + rb" OK", out) and not deleted:
                kept[mid] = body
    assert kept, "no APPEND was acknowledged"
    # The live messages as we read them: each acknowledged one once and whole.
    s = lib.imapd_session(home, env=env)
    try:
        _, tagged = s.cmd("EXAMINE INBOX")
        assert b"OK" in tagged, tagged
        untagged, tagged = s.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] BODY.PEEK[TEXT])")
        assert b"OK" in tagged, tagged
        text = b"".join(untagged)
        ids = re.findall(rb"<(r\d+-(?:sure|\d))@", text)
        for mid, body in kept.items():
            assert ids.count(mid.encode()) == 1, (mid, ids)
            assert text.count(body.encode()) == 1, mid
    finally:
        s.close()
    out = mailutil(home, "check", "box.mbx")
    m = re.search(rb"\b(\d+) total in", out)
    assert m and int(m.group(1)) == len(ids), (out, len(ids))


def test_dmail_killed_during_commit_leaves_only_acknowledged_messages():
    """A 20 MB delivery is killed after a random delay (often while it holds
    the lock and has written part of the bytes); quick deliveries between
    are acknowledged. Afterwards the mailbox holds exactly the acknowledged
    ones (and at most whole big ones, never half of one)."""
    big_body = (b"y" * 1023 + b"\n") * (20 * 1024)
    # unix: the killed delivery's append journal lets the next locker cut its
    # bytes back (drivers/unix/append_repair.hpp; test_dmail_kill.py adds
    # procmail writing after the partial bytes).
    for fmt in ("mbx", "unix", "maildir"):
        home = lib.tempdir()
        rng = random.Random(3)
        acked = set()
        big_done = 0
        left_locks = 0
        for i in range(8):
            small = f"From: a@example.org\nSubject: s{i}\nMessage-ID: <s{i}@x>\n\nsmall {i}\n".encode()
            r = subprocess.run([lib.binary("dmail")], input=small, capture_output=True,
                               env=dmail_env(home, fmt), preexec_fn=as_nobody(home), timeout=60)
            assert r.returncode == 0, (fmt, r.stderr)
            acked.add(f"s{i}")
            p = subprocess.Popen([lib.binary("dmail")], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=dmail_env(home, fmt),
                                 preexec_fn=as_nobody(home))
            p.stdin.write(f"From: a@example.org\nSubject: b{i}\nMessage-ID: <b{i}@x>\n\n".encode() + big_body)
            p.stdin.close()  # all on its stdin: the kill lands in the write or commit
            time.sleep(rng.random() * 0.15)
            p.kill()
            if p.wait() == 0:
                acked.add(f"b{i}")
                big_done += 1
            lock = f"{home}/INBOX.lock"
            if os.path.exists(lock):
                os.unlink(lock)  # the killed writer's (broken after 2 s anyway)
            # maildir: a kill between taking dovecot-uidlist.lock and
            # renaming it leaves the lock; the next small delivery breaks it
            # at once (its mark names a dead PID, lock/excl_lock_owner.hpp)
            # instead of waiting out Dovecot's 2-minute stale timeout, which
            # made it overrun the 60 s above now and then.
            if os.path.exists(f"{home}/Maildir/dovecot-uidlist.lock"):
                left_locks += 1
        s = lib.imapd_session(home, env={"MAIL": dmail_env(home, fmt)["MAIL"]})
        try:
            _, tagged = s.cmd("EXAMINE INBOX")
            assert b"OK" in tagged, tagged
            untagged, tagged = s.cmd("FETCH 1:* (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            assert b"OK" in tagged, tagged
            text = b"".join(untagged)
            ids = re.findall(rb"<([sb]\d+)@x>", text)
            sizes = [int(x) for x in re.findall(rb"RFC822.SIZE (\d+)", text)]
        finally:
            s.close()
        found = {x.decode() for x in ids}
        assert len(ids) == len(found), (fmt, ids)  # none twice
        assert {x for x in acked if x.startswith("s")} <= found, (fmt, acked, found)
        extra = found - acked
        # a big one whose exit status we killed after its commit may be there, whole
        assert all(x.startswith("b") for x in extra), (fmt, extra)
        for size in sizes:
            assert size < 1000 or size >= len(big_body), (fmt, sizes)  # no half message
        print(f"  dmail {fmt}: {big_done} big deliveries finished, {len(extra)} committed as killed, "
              f"{left_locks} uidlist locks left by kills and broken", file=__import__("sys").stderr)
