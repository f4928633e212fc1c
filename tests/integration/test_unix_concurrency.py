"""Two or three sessions of ours (and dmail deliveries) on one unix (Berkeley
mbox) mailbox: a relative STORE starts from the flags stored on disk, not
from the session's copy (no lost updates), every session converges to what
a fresh session sees after NOOP, and a keyword another session created is
announced by FLAGS before a FETCH shows it (RFC 3501 7.2.6)."""
import os
import random
import re
import subprocess
import threading

import lib
from test_dmail import as_nobody
from test_mbx_uw import make_home

LOCATION = "unix:~/mail:INBOX=~/INBOX"


def home_with_inbox(count=5, status=b""):
    home = make_home()
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    with open(os.path.join(home, "INBOX"), "wb") as f:
        for i in range(1, count + 1):
            f.write(b"From sender@example.com Mon Jan  1 10:00:00 2001\nSubject: m%d\n%s\nbody %d\n\n"
                    % (i, status, i))
    return home


def session(home):
    s = lib.imapd_session(home, {"MAIL": LOCATION, "IMAPD_UNIX_FLAG_DELAY": "3600"})
    ok(s.cmd("SELECT INBOX"))
    return s


def ok(reply):
    assert b" OK" in reply[1], reply
    return reply


def flags_of(untagged):
    """{uid: sorted flags} of the FETCH (UID FLAGS) lines."""
    out = {}
    for line in untagged:
        m = re.match(rb"\* \d+ FETCH \((.*)\)\r\n$", line)
        if not m:
            continue
        uid = re.search(rb"UID (\d+)", m.group(1))
        fl = re.search(rb"FLAGS \(([^)]*)\)", m.group(1))
        if uid and fl:
            out[int(uid.group(1))] = sorted(f for f in fl.group(1).decode().split() if f != "\\Recent")
    return out


def fetch_flags(s):
    untagged, _ = ok(s.cmd("FETCH 1:* (UID FLAGS)"))
    return flags_of(untagged)


def test_relative_stores_of_two_sessions_both_count():
    """Issue 16: +FLAGS (\\Answered) from one session, -FLAGS (\\Seen) from
    another that has not synced since: both changes count, in both
    sessions and on disk."""
    for checkpoint_between in (False, True):
        home = home_with_inbox(status=b"Status: RO\n")
        a, b = session(home), session(home)
        ok(a.cmd("STORE 1 +FLAGS (\\Answered)"))
        if checkpoint_between:
            ok(a.cmd("CHECK"))  # the mbox is rewritten under b's copy
        untagged, _ = ok(b.cmd("STORE 1 -FLAGS (\\Seen)"))
        assert any(b"FLAGS (\\Answered)" in l for l in untagged), (checkpoint_between, untagged)
        ok(a.cmd("CHECK"))
        ok(b.cmd("CHECK"))
        for s in (a, b):
            untagged, _ = ok(s.cmd("FETCH 1 FLAGS"))
            assert untagged == [b"* 1 FETCH (FLAGS (\\Answered))\r\n"], (checkpoint_between, untagged)
        a.close()
        b.close()
        c = session(home)
        untagged, _ = ok(c.cmd("FETCH 1 FLAGS"))
        assert untagged == [b"* 1 FETCH (FLAGS (\\Answered))\r\n"], (checkpoint_between, untagged)
        c.close()


def test_a_removed_flag_is_not_brought_back_by_a_stale_session():
    """A session that saw another's +FLAGS (from the pending-flags file) and
    then the mbox rewritten without it must show the mbox's flags, and must
    not write its old copy back at its own checkpoint."""
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(a.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)"))
    ok(b.cmd("NOOP"))
    ok(a.cmd("STORE 2 -FLAGS.SILENT (\\Flagged)"))
    ok(a.cmd("CHECK"))
    untagged, _ = ok(b.cmd("NOOP"))
    assert any(re.match(rb"\* 2 FETCH \(FLAGS \(\)\)", l) for l in untagged), untagged
    ok(b.cmd("STORE 3 +FLAGS.SILENT (\\Seen)"))
    ok(b.cmd("CHECK"))
    ok(a.cmd("NOOP"))
    c = session(home)
    want = fetch_flags(c)
    assert want[2] == [] and want[3] == ["\\Seen"], want
    assert fetch_flags(a) == want and fetch_flags(b) == want
    for s in (a, b, c):
        s.close()


def deliver(home, n):
    for i in range(n):
        msg = b"From: x@example.com\nSubject: delivered %d\n\nhello\n" % i
        r = subprocess.run([lib.binary("dmail")], input=msg, capture_output=True, timeout=60,
                           env={"HOME": home, "PATH": "/usr/bin:/bin", "MAIL": LOCATION},
                           preexec_fn=as_nobody(home))
        assert r.returncode == 0, r.stderr


KEYWORDS = ["$Label1", "$Label2", "$Label3", "\\Seen", "\\Flagged", "\\Answered", "\\Deleted", "\\Draft"]


def random_work(s, rnd, ops, errors):
    try:
        for _ in range(ops):
            untagged, _ = s.cmd("NOOP")
            count = max([int(m.group(1)) for l in untagged for m in [re.match(rb"\* (\d+) EXISTS", l)] if m] +
                        [s.count])
            s.count = count
            r = rnd.random()
            if r < 0.08:
                s.cmd("APPEND INBOX (\\Seen $Label2) {12+}", [b"Subject: a\r\n"])
            elif r < 0.12:
                s.cmd("EXPUNGE")
            elif count:
                lo = rnd.randint(1, count)
                hi = min(count, lo + rnd.randint(0, 3))
                op = rnd.choice(["+", "-", ""])
                flags = " ".join(rnd.sample(KEYWORDS, rnd.randint(1, 3)))
                s.cmd(f"STORE {lo}:{hi} {op}FLAGS.SILENT ({flags})")
            if rnd.random() < 0.05:
                s.cmd("CHECK")
    except Exception as e:  # noqa: BLE001 - reported by the main thread
        errors.append(repr(e))


def test_sessions_converge_after_noop_with_deliveries():
    """Three sessions mixing STORE (absolute and relative), APPEND, EXPUNGE
    and CHECK while dmail delivers: after NOOP each one's FETCH 1:* (UID
    FLAGS) is what a fresh session sees."""
    seed = int(os.environ.get("UNIX_CONCURRENCY_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    rnd = random.Random(seed)
    home = home_with_inbox(count=30)
    sessions = [session(home) for _ in range(3)]
    for s in sessions:
        s.count = 30
    errors = []
    threads = [threading.Thread(target=random_work, args=(s, random.Random(rnd.random()), 60, errors))
               for s in sessions]
    threads.append(threading.Thread(target=deliver, args=(home, 10)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for s in sessions:
        ok(s.cmd("NOOP"))
    fresh = session(home)
    want = fetch_flags(fresh)
    for n, s in enumerate(sessions):
        got = fetch_flags(s)
        stale = {u: (got.get(u), want.get(u)) for u in set(got) | set(want) if got.get(u) != want.get(u)}
        assert not stale, f"seed {seed}: session {n}: {len(stale)} differ: {sorted(stale.items())[:10]}"
    for s in sessions + [fresh]:
        s.close()


def test_new_keyword_is_announced_before_a_fetch_shows_it():
    """A keyword another session created reaches this one as FLAGS first,
    then the FETCH that uses it (RFC 3501 7.2.6)."""
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(a.cmd("STORE 1 +FLAGS.SILENT ($NewOne)"))
    untagged, _ = ok(b.cmd("NOOP"))
    flags_at = [i for i, l in enumerate(untagged) if l.startswith(b"* FLAGS ") and b"$NewOne" in l]
    fetch_at = [i for i, l in enumerate(untagged) if b"FETCH" in l and b"$NewOne" in l]
    assert flags_at and fetch_at and flags_at[0] < fetch_at[0], untagged
    # A new message delivered with a new keyword: FLAGS before its FETCH too.
    subprocess.run([lib.binary("dmail"), "-k", "$Delivered"], input=b"Subject: k\n\nhi\n", check=True,
                   env={"HOME": home, "PATH": "/usr/bin:/bin", "MAIL": LOCATION}, preexec_fn=as_nobody(home))
    untagged, _ = ok(b.cmd("NOOP"))
    ok(b.cmd("FETCH 6 FLAGS"))
    untagged2, _ = ok(a.cmd("NOOP"))
    for u in (untagged, untagged2):
        assert any(l.startswith(b"* FLAGS ") and b"$Delivered" in l for l in u), u
    # A STORE that meets the other session's new keyword in the stored flags
    # announces it before its own FETCH shows it.
    ok(a.cmd("STORE 2 +FLAGS.SILENT ($Other)"))
    untagged, _ = ok(b.cmd("STORE 2 +FLAGS (\\Flagged)"))
    flags_at = [i for i, l in enumerate(untagged) if l.startswith(b"* FLAGS ") and b"$Other" in l]
    fetch_at = [i for i, l in enumerate(untagged) if b"FETCH" in l and b"$Other" in l]
    assert flags_at and fetch_at and flags_at[0] < fetch_at[0], untagged
    for s in (a, b):
        s.close()


def test_checkpoint_keeps_a_message_expunged_elsewhere_until_it_can_be_told():
    """Another session expunged message 1 while this one may not be told
    (after a FETCH); this one's CHECK rewrites the mbox: the message must
    not vanish from its view untold, and the EXPUNGE must come."""
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(b.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
    ok(b.cmd("EXPUNGE"))
    untagged, _ = ok(a.cmd("FETCH 1 (FLAGS)"))
    assert not any(b"EXPUNGE" in l for l in untagged), untagged
    ok(a.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)"))
    told = []
    for cmd in ("CHECK", "NOOP"):
        untagged, _ = ok(a.cmd(cmd))
        told += untagged
    assert told.count(b"* 1 EXPUNGE\r\n") == 1, told
    ok(b.cmd("NOOP"))
    assert fetch_flags(a) == fetch_flags(b), (fetch_flags(a), fetch_flags(b))
    for s in (a, b):
        s.close()


def test_recent_goes_to_one_session_only():
    """A delivered message is \\Recent in one session of ours, not in each
    that reads it (RFC 3501 2.3.2)."""
    home = home_with_inbox(status=b"Status: RO\n")
    a, b = session(home), session(home)
    deliver(home, 2)
    ok(a.cmd("NOOP"))
    ok(b.cmd("NOOP"))
    recent = 0
    for s in (a, b):
        untagged, _ = ok(s.cmd("FETCH 6:7 FLAGS"))
        assert len(untagged) == 2, untagged
        recent += sum(b"\\Recent" in l for l in untagged)
    assert recent == 2, recent
    c = session(home)  # opened while neither has written "O" yet
    untagged, _ = ok(c.cmd("FETCH 1:* FLAGS"))
    assert not any(b"\\Recent" in l for l in untagged), untagged
    for s in (a, b, c):
        s.close()


def test_expunge_catching_up_gives_no_modseq_0():
    """An EXPUNGE that finds the mbox rewritten by another session catches
    up first; the flag changes it meets are reported with their MODSEQ
    (CONDSTORE), never MODSEQ (0)."""
    home = home_with_inbox()
    a, b = session(home), session(home)
    ok(a.cmd("ENABLE CONDSTORE"))
    ok(a.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
    ok(b.cmd("APPEND INBOX {12+}", [b"Subject: n\r\n"]))
    ok(b.cmd("CHECK"))
    ok(b.cmd("STORE 6 +FLAGS.SILENT (\\Flagged)"))
    untagged, _ = ok(a.cmd("EXPUNGE"))
    assert not any(b"MODSEQ (0)" in l for l in untagged), untagged
    assert any(b"UID 6 " in l and b"\\Flagged" in l for l in untagged), untagged
    for s in (a, b):
        s.close()
