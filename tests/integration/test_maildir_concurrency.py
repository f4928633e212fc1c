"""The maildir driver under concurrency: sessions and deliveries on one
mailbox at once must not lose each other's flag changes, must all converge
on what a new session sees after NOOP, and an acknowledged UID EXPUNGE must
stay done (issues 16 and 17)."""
import os
import random
import re
import subprocess
import threading
import time

import lib
from test_dmail import as_nobody, dmail_env, message

MSG = b"From: a@example.org\r\nSubject: %s\r\n\r\nbody line\r\n"
# Each session changes only its own flag, with relative STOREs, so that the
# flag's final state on a message is that session's last acknowledged change.
ROUNDS = int(os.environ.get("MAILDIR_CONC_ROUNDS", "120"))
OWN_FLAG = ["\\Seen", "\\Answered", "\\Flagged"]


def select(home):
    s = lib.imapd_session(home)
    _, tagged = s.cmd("SELECT INBOX")
    assert b" OK " in tagged, tagged
    return s


def view(s):
    """{uid: set of flags without \\Recent} as the session sees it."""
    untagged, tagged = s.cmd("UID FETCH 1:* (FLAGS)")
    assert b" OK " in tagged, tagged
    out = {}
    for line in untagged:
        m = re.match(rb"\* \d+ FETCH \((.*)\)\r\n$", line)
        if not m:
            continue
        uid = re.search(rb"UID (\d+)", m.group(1))
        flags = re.search(rb"FLAGS \(([^)]*)\)", m.group(1))
        if uid and flags:
            out[int(uid.group(1))] = set(flags.group(1).decode().split()) - {"\\Recent"}
    return out


def uids(s):
    untagged, tagged = s.cmd("UID SEARCH ALL")
    assert b" OK " in tagged, tagged
    for line in untagged:
        if line.startswith(b"* SEARCH"):
            return [int(w) for w in line.split()[2:]]
    return []


def test_maildir_two_sessions_relative_stores_keep_both_changes():
    """Issue 16: +FLAGS (\\Answered) from one session and -FLAGS (\\Seen)
    from another leave (\\Answered) in both, not ()."""
    home = lib.tempdir()
    s0 = lib.imapd_session(home)
    s0.cmd("APPEND INBOX (\\Seen) {%d+}" % len(MSG % b"x"), [MSG % b"x"])
    s0.close()
    a, b = select(home), select(home)
    _, t = a.cmd("STORE 1 +FLAGS (\\Answered)")
    assert b" OK " in t, t
    _, t = b.cmd("STORE 1 -FLAGS (\\Seen)")
    assert b" OK " in t, t
    a.cmd("CHECK")
    b.cmd("CHECK")
    time.sleep(1.1)  # a change within the same clock tick is seen one second later (dir_state.hpp)
    for s in (a, b):
        s.cmd("NOOP")
        assert view(s) == {1: {"\\Answered"}}, view(s)
    a.close()
    b.close()


def session_worker(home, n, rounds, seed, record, errors):
    rnd = random.Random(seed)
    flag = OWN_FLAG[n]
    try:
        s = select(home)
        for i in range(rounds):
            op = rnd.random()
            known = uids(s) if op < 0.65 else []
            if op < 0.5 and known:
                uid = rnd.choice(known)
                sign = rnd.choice("+-")
                _, t = s.cmd("UID STORE %d %sFLAGS.SILENT (%s)" % (uid, sign, flag))
                if b" OK " in t:
                    record["flags"][(n, uid)] = sign == "+"
            elif op < 0.65 and known:
                uid = rnd.choice(known)
                _, t = s.cmd("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
                _, t2 = s.cmd("UID EXPUNGE %d" % uid)
                if b" OK " in t and b" OK " in t2:
                    record["expunged"].add(uid)
            elif op < 0.85:
                body = MSG % ("s%d-%d" % (n, i)).encode()
                _, t = s.cmd("APPEND INBOX {%d+}" % len(body), [body])
                assert b" OK " in t, t
                m = re.search(rb"APPENDUID \d+ (\d+)", t)
                record["appended"].add(int(m.group(1)))
            elif op < 0.95:
                s.cmd("NOOP")
            else:
                s.cmd("FETCH 1:* (FLAGS)")
        record["sessions"][n] = s
    except Exception as e:  # reported by the main thread
        errors.append("session %d: %r" % (n, e))


def test_maildir_sessions_and_deliveries_converge():
    """Issue 17: three sessions mixing relative STOREs, APPENDs and UID
    EXPUNGEs, with dmail deliveries at the same time; after NOOP each
    session's UID FETCH 1:* FLAGS is what a new session sees, every
    acknowledged change is there, every acknowledged expunge is done."""
    home = lib.tempdir()
    s0 = lib.imapd_session(home)
    for i in range(30):
        body = MSG % b"initial"
        s0.cmd("APPEND INBOX {%d+}" % len(body), [body])
    s0.close()
    preexec = as_nobody(home)
    record = {"flags": {}, "expunged": set(), "appended": set(), "sessions": {}}
    errors = []
    seed = random.randrange(1 << 30)
    threads = [threading.Thread(target=session_worker, args=(home, n, ROUNDS, seed + n, record, errors))
               for n in range(3)]

    delivered = []

    def deliver():
        for i in range(20):
            r = subprocess.run([lib.binary("dmail")], input=message("delivery %d" % i), capture_output=True,
                               env=dmail_env(home, "maildir"), preexec_fn=preexec, timeout=60)
            if r.returncode == 0:
                delivered.append(i)
            else:
                errors.append("dmail exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace")))
    threads.append(threading.Thread(target=deliver))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, (seed, errors)
    time.sleep(1.1)  # past the one-second window of same-tick changes (dir_state.hpp)
    views = {}
    for n, s in sorted(record["sessions"].items()):
        s.cmd("NOOP")
        views[n] = view(s)
        s.close()
    fresh_session = select(home)
    fresh = view(fresh_session)
    fresh_session.close()

    problems = []
    for n, v in views.items():
        missing, extra = sorted(set(fresh) - set(v)), sorted(set(v) - set(fresh))
        if missing or extra:
            problems.append("session %d lacks %s, has extra %s" % (n, missing, extra))
        stale = [u for u in v if u in fresh and v[u] != fresh[u]]
        if stale:
            problems.append("session %d: stale flags of %s" % (n, stale[:10]))
    survived = sorted(record["expunged"] & set(fresh))
    if survived:
        problems.append("expunged with OK but still there: %s" % survived)
    lost = sorted(record["appended"] - record["expunged"] - set(fresh))
    if lost:
        problems.append("appended and never expunged, but gone: %s" % lost)
    wrong = []
    for (n, uid), on in record["flags"].items():
        if uid in fresh and (OWN_FLAG[n] in fresh[uid]) != on:
            wrong.append((uid, OWN_FLAG[n], on))
    if wrong:
        problems.append("acknowledged STOREs lost: %s" % wrong[:10])
    expected = 30 + len(record["appended"]) + len(delivered) - len(record["expunged"])
    if len(fresh) != expected:
        problems.append("a new session sees %d messages, expected %d" % (len(fresh), expected))
    check = subprocess.run([lib.binary("mailtool"), "check", home + "/Maildir"], capture_output=True)
    if check.returncode != 0:
        problems.append("mailtool check: %s" % check.stdout.decode(errors="replace")[-500:])
    assert not problems, ("seed %d" % seed, problems)
