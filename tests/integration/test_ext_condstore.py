"""CONDSTORE and QRESYNC (RFC 7162): transcripts of every command form and
error, a differential run against Dovecot on the same kind of maildir
(modseq numbers differ between servers, so they are compared by rank), and
QRESYNC resyncs after another imapd session, Dovecot, UW mailutil or a
direct edit of the mailbox file changed flags and expunged messages, in
maildir, mbx and unix."""
import os
import re
import shutil
import subprocess

import lib

FORMATS = {
    "maildir": {"MAIL": "maildir:~/Maildir"},
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}


def message(n):
    return b"From: a@example.org\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)


def new_home(fmt="maildir", count=4, dovecot=False, box="INBOX"):
    home = lib.tempdir("condstore-")
    if fmt == "maildir":
        os.makedirs(os.path.join(home, "Maildir"))
    else:
        os.makedirs(os.path.join(home, "mail"))
    s = lib.dovecot_session(home) if dovecot else lib.imapd_session(home, FORMATS[fmt])
    if box != "INBOX":
        ok(s.cmd("CREATE " + box))
    for i in range(1, count + 1):
        m = message(i)
        _, t = s.cmd("APPEND %s {%d+}" % (box, len(m)), [m])
        assert b" OK" in t, t
    s.close()
    return home


def session(home, fmt="maildir"):
    return lib.imapd_session(home, FORMATS[fmt])


def ok(reply):
    untagged, tagged = reply
    assert b" OK" in tagged.split(b"\r\n")[0][:12], (untagged, tagged)
    return untagged, tagged


def code_number(lines, code):
    for l in lines:
        m = re.search(rb"\[" + code + rb" (\d+)\]", l)
        if m:
            return int(m.group(1))
    raise AssertionError((code, lines))


def fetch_uids(lines):
    """{uid: line} of the untagged FETCH responses."""
    out = {}
    for l in lines:
        m = re.match(rb"\* \d+ FETCH \(.*UID (\d+)", l)
        if m:
            out[int(m.group(1))] = l
    return out


def vanished(lines, earlier=True):
    prefix = b"* VANISHED (EARLIER) " if earlier else b"* VANISHED "
    uids = set()
    for l in lines:
        if l.startswith(prefix):
            for part in l[len(prefix):].strip().split(b","):
                a, _, b = part.partition(b":")
                uids.update(range(int(a), int(b or a) + 1))
    return uids


def known_state(home, fmt, box="INBOX"):
    """UIDVALIDITY and HIGHESTMODSEQ as a QRESYNC client would keep them."""
    s = session(home, fmt)
    ok(s.cmd("ENABLE QRESYNC"))
    untagged, _ = ok(s.cmd("SELECT " + box))
    state = code_number(untagged, b"UIDVALIDITY"), code_number(untagged, b"HIGHESTMODSEQ")
    s.close()
    return state


def resync(home, fmt, state, box="INBOX"):
    s = session(home, fmt)
    ok(s.cmd("ENABLE QRESYNC"))
    untagged, _ = ok(s.cmd("SELECT %s (QRESYNC (%d %d))" % ((box,) + state)))
    s.close()
    return untagged


# --- transcripts -----------------------------------------------------------

def check_capability_and_enable(fmt):
    s = session(new_home(fmt, count=0), fmt)
    untagged, _ = ok(s.cmd("CAPABILITY"))
    caps = untagged[0].split()
    assert b"CONDSTORE" in caps and b"QRESYNC" in caps, (fmt, caps)
    assert s.cmd("ENABLE CONDSTORE")[0] == [b"* ENABLED CONDSTORE\r\n"]
    assert s.cmd("ENABLE QRESYNC CONDSTORE")[0] == [b"* ENABLED QRESYNC\r\n"]
    s.close()


def test_capability_and_enable():
    for fmt in FORMATS:
        check_capability_and_enable(fmt)


def check_select_condstore_fetch_store_search_status(fmt):
    home = new_home(fmt)
    s = session(home, fmt)
    untagged, _ = ok(s.cmd("SELECT INBOX (CONDSTORE)"))
    highest = code_number(untagged, b"HIGHESTMODSEQ")
    untagged, _ = ok(s.cmd("FETCH 1:* (MODSEQ)"))
    assert len(untagged) == 4 and all(b"MODSEQ (%d)" % highest in l for l in untagged), (fmt, untagged)
    untagged, _ = ok(s.cmd("STORE 2 +FLAGS (\\Seen)"))
    m = re.match(rb"\* 2 FETCH \(UID 2 MODSEQ \((\d+)\) FLAGS \(\\Seen \\Recent\)\)", untagged[0])
    assert m and int(m.group(1)) > highest, (fmt, untagged)
    stored = int(m.group(1))
    untagged, _ = ok(s.cmd("STORE 3 +FLAGS.SILENT (\\Flagged)"))
    assert re.match(rb"\* 3 FETCH \(UID 3 MODSEQ \((\d+)\)\)", untagged[0]), (fmt, untagged)
    untagged, _ = ok(s.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % highest))
    assert sorted(fetch_uids(untagged)) == [2, 3], (fmt, untagged)
    untagged, _ = ok(s.cmd("SEARCH MODSEQ %d" % (highest + 1)))
    assert untagged[0].startswith(b"* SEARCH 2 3 (MODSEQ "), (fmt, untagged)
    untagged, _ = ok(s.cmd("SEARCH MODSEQ %d" % (10 ** 18)))
    assert untagged == [b"* SEARCH\r\n"], (fmt, untagged)
    untagged, _ = ok(s.cmd("STATUS INBOX (HIGHESTMODSEQ MESSAGES)"))
    assert re.match(rb"\* STATUS INBOX \(MESSAGES 4 HIGHESTMODSEQ (\d+)\)", untagged[0]), (fmt, untagged)
    assert int(re.search(rb"HIGHESTMODSEQ (\d+)", untagged[0]).group(1)) > stored
    s.close()


def test_select_condstore_fetch_store_search_status():
    for fmt in FORMATS:
        check_select_condstore_fetch_store_search_status(fmt)


def check_unchangedsince_conflict_gives_modified(fmt):
    home = new_home(fmt)
    s = session(home, fmt)
    untagged, _ = ok(s.cmd("SELECT INBOX (CONDSTORE)"))
    highest = code_number(untagged, b"HIGHESTMODSEQ")
    ok(s.cmd("STORE 1 +FLAGS (\\Seen)"))
    # message 1 changed after `highest`: refused; message 2 did not: stored
    untagged, tagged = ok(s.cmd("STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % highest))
    assert b"[MODIFIED 1]" in tagged, (fmt, tagged)
    assert list(fetch_uids(untagged)) == [2], (fmt, untagged)
    _, tagged = ok(s.cmd("UID STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)"))
    assert b"[MODIFIED 1]" in tagged, (fmt, tagged)
    untagged, _ = ok(s.cmd("FETCH 1 FLAGS"))
    assert b"\\Answered" not in untagged[0] and b"\\Flagged" not in untagged[0], (fmt, untagged)
    s.close()


def test_unchangedsince_conflict_gives_modified():
    for fmt in FORMATS:
        check_unchangedsince_conflict_gives_modified(fmt)


def check_changedsince_without_enable_turns_condstore_on(fmt):
    s = session(new_home(fmt), fmt)
    untagged, _ = ok(s.cmd("SELECT INBOX"))
    assert not any(b"HIGHESTMODSEQ" in l for l in untagged), (fmt, untagged)
    untagged, _ = ok(s.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE 1)"))
    # RFC 7162 3.1: the first enabling command announces HIGHESTMODSEQ.
    assert untagged[0].startswith(b"* OK [HIGHESTMODSEQ "), (fmt, untagged)
    untagged = untagged[1:]
    assert len(untagged) == 4 and all(b"MODSEQ (" in l for l in untagged), (fmt, untagged)
    untagged, _ = ok(s.cmd("STORE 1 +FLAGS (\\Seen)"))  # now with UID and MODSEQ
    assert re.match(rb"\* 1 FETCH \(UID 1 MODSEQ \(\d+\) FLAGS", untagged[0]), (fmt, untagged)
    s.close()


def test_changedsince_without_enable_turns_condstore_on():
    for fmt in FORMATS:
        check_changedsince_without_enable_turns_condstore_on(fmt)


def check_errors(fmt):
    s = session(new_home(fmt), fmt)
    _, tagged = s.cmd("SELECT INBOX (QRESYNC (1 1))")
    assert b" BAD " in tagged, tagged  # QRESYNC not enabled
    _, tagged = s.cmd("SELECT INBOX (FOO)")
    assert b" BAD " in tagged, (fmt, tagged)
    ok(s.cmd("SELECT INBOX"))
    _, tagged = s.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    assert b" BAD " in tagged, tagged  # VANISHED needs QRESYNC
    ok(s.cmd("ENABLE QRESYNC"))
    _, tagged = s.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    assert b" BAD " in tagged, tagged  # VANISHED needs UID FETCH
    _, tagged = s.cmd("UID FETCH 1:* (FLAGS) (VANISHED)")
    assert b" BAD " in tagged, tagged  # VANISHED needs CHANGEDSINCE
    _, tagged = s.cmd("STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)")
    assert b" BAD " in tagged, (fmt, tagged)
    s.close()


def test_errors():
    for fmt in FORMATS:
        check_errors(fmt)


def check_expunge_and_move_with_qresync_give_vanished(fmt):
    home = new_home(fmt)
    s = session(home, fmt)
    ok(s.cmd("CREATE Other"))
    ok(s.cmd("ENABLE QRESYNC"))
    untagged, _ = ok(s.cmd("SELECT INBOX"))
    highest = code_number(untagged, b"HIGHESTMODSEQ")
    ok(s.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)"))
    untagged, tagged = ok(s.cmd("EXPUNGE"))
    assert untagged == [b"* VANISHED 2\r\n", b"* 3 RECENT\r\n"], (fmt, untagged)
    assert code_number([tagged], b"HIGHESTMODSEQ") > highest
    untagged, _ = ok(s.cmd("UID MOVE 3:4 Other"))
    assert vanished(untagged, earlier=False) == {3, 4}, (fmt, untagged)
    assert not any(b"EXPUNGE" in l for l in untagged), (fmt, untagged)
    untagged, _ = ok(s.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % highest))
    assert vanished(untagged) == {2, 3, 4}, (fmt, untagged)
    s.close()


def test_expunge_and_move_with_qresync_give_vanished():
    for fmt in FORMATS:
        check_expunge_and_move_with_qresync_give_vanished(fmt)


def test_expunge_with_condstore_raises_highestmodseq():
    for fmt in FORMATS:
        home = new_home(fmt)
        s = session(home, fmt)
        untagged, _ = ok(s.cmd("SELECT INBOX (CONDSTORE)"))
        before = code_number(untagged, b"HIGHESTMODSEQ")
        ok(s.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
        untagged, tagged = ok(s.cmd("EXPUNGE"))
        assert untagged == [b"* 1 EXPUNGE\r\n", b"* 3 RECENT\r\n"], (fmt, untagged)
        assert code_number([tagged], b"HIGHESTMODSEQ") > before + 1, (fmt, tagged)
        s.close()


# --- resync after other writers ---------------------------------------------

def change_with_imapd(home, fmt):
    """Another (non-CONDSTORE) imapd session: flags on 2, expunges 3."""
    s = session(home, fmt)
    ok(s.cmd("SELECT INBOX"))
    ok(s.cmd("STORE 2 +FLAGS (\\Flagged $Work)"))
    ok(s.cmd("STORE 3 +FLAGS (\\Deleted)"))
    ok(s.cmd("EXPUNGE"))
    s.close()


def check_resync(untagged):
    assert vanished(untagged) == {3}, untagged
    changed = fetch_uids(untagged)
    assert sorted(changed) == [2], untagged
    assert b"\\Flagged" in changed[2] and b"$Work" in changed[2], changed


def test_qresync_after_other_imapd_session_every_format():
    for fmt in FORMATS:
        home = new_home(fmt)
        state = known_state(home, fmt)
        change_with_imapd(home, fmt)
        check_resync(resync(home, fmt, state))
        # a second resync from the new state reports nothing
        untagged = resync(home, fmt, known_state(home, fmt))
        assert not fetch_uids(untagged) and not vanished(untagged), (fmt, untagged)


def check_qresync_after_concurrent_condstore_session(fmt):
    home = new_home(fmt)
    a, b = session(home, fmt), session(home, fmt)
    ok(a.cmd("ENABLE QRESYNC"))
    untagged, _ = ok(a.cmd("SELECT INBOX"))
    highest = code_number(untagged, b"HIGHESTMODSEQ")
    ok(b.cmd("ENABLE CONDSTORE"))
    ok(b.cmd("SELECT INBOX"))
    ok(b.cmd("STORE 1 +FLAGS (\\Answered)"))
    ok(b.cmd("STORE 4 +FLAGS (\\Deleted)"))
    ok(b.cmd("EXPUNGE"))
    untagged, _ = ok(a.cmd("NOOP"))
    assert vanished(untagged, earlier=False) == {4}, (fmt, untagged)
    changed = fetch_uids(untagged)
    assert sorted(changed) == [1] and b"MODSEQ (" in changed[1], (fmt, untagged)
    untagged, _ = ok(a.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % highest))
    assert vanished(untagged) == {4} and sorted(fetch_uids(untagged)) == [1], (fmt, untagged)
    a.close()
    b.close()


def test_qresync_after_concurrent_condstore_session():
    for fmt in FORMATS:
        check_qresync_after_concurrent_condstore_session(fmt)


def test_qresync_after_dovecot_changed_the_maildir():
    home = new_home("maildir")
    state = known_state(home, "maildir")
    d = lib.dovecot_session(home)
    ok(d.cmd("SELECT INBOX"))
    ok(d.cmd("STORE 2 +FLAGS (\\Flagged $Work)"))
    ok(d.cmd("STORE 3 +FLAGS (\\Deleted)"))
    ok(d.cmd("EXPUNGE"))
    d.close()
    check_resync(resync(home, "maildir", state))


def uw(home, *argv):
    if not shutil.which("mailutil"):
        raise lib.Skip("mailutil (uw-mailutils) is not installed")
    pre = lib.imapd_preexec(home)
    proc = subprocess.run(["mailutil", *argv], capture_output=True, timeout=60, cwd=home,
                          env={"HOME": home, "PATH": "/usr/bin:/bin", "TZ": "UTC"}, preexec_fn=pre)
    return proc.stdout + proc.stderr


def test_qresync_after_uw_mailutil_and_file_edit():
    for fmt in ("mbx", "unix"):
        home = new_home(fmt, box="box")
        state = known_state(home, fmt, "box")
        # UW's c-client expunges message 3; then, for unix, a direct edit of
        # the file gives message 2 a flag (the X-Status header UW writes).
        out = uw(home, "prune", "mail/box", "SUBJECT m3")
        assert b"1 message(s) purged" in out, out
        untagged = resync(home, fmt, state, "box")
        assert vanished(untagged) == {3} and not fetch_uids(untagged), (fmt, untagged)
        if fmt == "unix":
            state = known_state(home, fmt, "box")
            path = os.path.join(home, "mail", "box")
            data = open(path, "rb").read()
            i = data.index(b"X-Status: ", data.index(b"Subject: m1"))
            data = data[:i] + b"X-Status: F" + data[i + len(b"X-Status: "):]
            open(path, "wb").write(data)
            untagged = resync(home, fmt, state, "box")
            changed = fetch_uids(untagged)
            assert sorted(changed) == [1] and b"\\Flagged" in changed[1], untagged


# --- differential against Dovecot -------------------------------------------

SCRIPT = [
    "ENABLE QRESYNC",
    "SELECT INBOX (CONDSTORE)",
    "FETCH 1:* (MODSEQ FLAGS)",
    "STORE 1 +FLAGS (\\Seen)",
    "STORE 2 +FLAGS.SILENT (\\Seen)",
    "UID STORE 1:2 (UNCHANGEDSINCE {H}) +FLAGS (\\Flagged)",
    "UID STORE 3 (UNCHANGEDSINCE {H}) +FLAGS (\\Answered)",
    "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {H})",
    "SEARCH MODSEQ {H}",
    "STORE 4 +FLAGS (\\Deleted)",
    "EXPUNGE",
    "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {H} VANISHED)",
    "CLOSE",
    "SELECT INBOX (QRESYNC ({V} {H} 1:10))",
]


def transcript(s):
    out, highest, validity = [], 0, 0
    for template in SCRIPT:
        cmd = template.replace("{H}", str(highest)).replace("{V}", str(validity))
        untagged, tagged = s.cmd(cmd)
        if cmd.startswith("SELECT INBOX (CONDSTORE)"):
            highest = code_number(untagged, b"HIGHESTMODSEQ")
            validity = code_number(untagged, b"UIDVALIDITY")
        out.append((template, untagged, tagged))
    s.close()
    return out


def normalise(script):
    """Modseqs replaced by their rank, UIDVALIDITY dropped, tagged lines cut
    to status and code, RECENT lines (Dovecot sends one after EXPUNGE) left out."""
    values = sorted({int(v) for _, u, t in script for l in u + [t]
                     for v in re.findall(rb"(?:MODSEQ \(|HIGHESTMODSEQ |MODSEQ )(\d+)", l)})
    rank = {v: i for i, v in enumerate(values)}

    def fix(l):
        l = re.sub(rb"(MODSEQ \(|HIGHESTMODSEQ |MODSEQ )(\d+)",
                   lambda m: m.group(1) + b"#%d" % rank[int(m.group(2))], l)
        return re.sub(rb"UIDVALIDITY \d+", b"UIDVALIDITY v", l)
    out = []
    for cmd, untagged, tagged in script:
        lines = [fix(l) for l in untagged if not re.match(rb"\* \d+ RECENT", l) and b"[UNSEEN" not in l
                 and b"[MAILBOXID" not in l]  # OBJECTID, which Dovecot 2.3.19 lacks
        tagged = re.sub(rb" \[MAILBOXID \([^)]*\)\]", b"", tagged)
        m = re.match(rb"\S+ (\w+)( \[[^\]]*\])?", tagged)
        out.append((cmd, lines, fix(m.group(1) + (m.group(2) or b""))))
    return out


def test_differential_against_dovecot():
    ours = transcript(lib.imapd_session(new_home()))
    theirs = transcript(lib.dovecot_session(new_home(dovecot=True)))
    for a, b in zip(normalise(ours), normalise(theirs)):
        assert a == b, (a, b)


def test_delete_and_rename_take_the_modseq_file_along():
    for fmt in ("mbx", "unix"):
        home = new_home(fmt, box="box")
        known_state(home, fmt, "box")
        hidden = os.path.join(home, "mail", ".imapd")
        assert os.path.exists(os.path.join(hidden, "box.modseq")), os.listdir(hidden)
        s = session(home, fmt)
        modseq_files = lambda: sorted(n for n in os.listdir(hidden) if ".modseq" in n)
        ok(s.cmd("RENAME box box2"))
        assert modseq_files() == ["box2.modseq"], os.listdir(hidden)
        ok(s.cmd("DELETE box2"))
        assert modseq_files() == [], os.listdir(hidden)
        s.close()


def test_mailbox_in_a_directory_the_user_cannot_write_answers_nomodseq():
    if os.geteuid() != 0:
        raise lib.Skip("needs root to make a spool-like directory the session cannot write")
    import pwd
    pw = pwd.getpwnam("nobody")
    spool = lib.tempdir("condstore-spool-")
    os.chmod(spool, 0o755)  # like /var/mail without the group: readable, not writable
    inbox = os.path.join(spool, "INBOX")
    open(inbox, "wb").write(b"From a@example.org Thu Jan  1 00:00:00 2026\n" + message(1).replace(b"\r\n", b"\n") + b"\n")
    os.chown(inbox, pw.pw_uid, pw.pw_gid)
    home = lib.tempdir("condstore-")
    os.makedirs(os.path.join(home, "mail"))
    s = lib.imapd_session(home, {"MAIL": "unix:~/mail:INBOX=" + inbox})
    ok(s.cmd("ENABLE CONDSTORE"))
    untagged, _ = ok(s.cmd("EXAMINE INBOX"))
    assert b"* OK [NOMODSEQ] No permanent modsequences\r\n" in untagged, untagged
    _, tagged = s.cmd("FETCH 1 (FLAGS) (CHANGEDSINCE 1)")
    assert b" BAD " in tagged and b"NOMODSEQ" in tagged, tagged
    untagged, _ = ok(s.cmd("STATUS INBOX (HIGHESTMODSEQ)"))
    assert untagged == [b"* STATUS INBOX (HIGHESTMODSEQ 0)\r\n"], untagged
    s.close()


def check_fetch_that_sets_seen_gives_a_new_modseq(fmt):
    s = session(new_home(fmt), fmt)
    untagged, _ = ok(s.cmd("SELECT INBOX (CONDSTORE)"))
    highest = code_number(untagged, b"HIGHESTMODSEQ")
    untagged, _ = ok(s.cmd("FETCH 1 (BODY[TEXT])"))
    assert untagged[0].startswith(b"* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT]"), (fmt, untagged)
    m = re.match(rb"\* 1 FETCH \(UID 1 MODSEQ \((\d+)\)\)", untagged[1])  # as Dovecot, plus the UID
    assert m and int(m.group(1)) > highest, (fmt, untagged)
    untagged, _ = ok(s.cmd("FETCH 1 (BODY[TEXT])"))  # already \Seen: nothing changes
    assert len(untagged) == 1, (fmt, untagged)
    untagged, _ = ok(s.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % highest))
    assert list(fetch_uids(untagged)) == [1], (fmt, untagged)
    s.close()


def test_fetch_that_sets_seen_gives_a_new_modseq():
    for fmt in FORMATS:
        check_fetch_that_sets_seen_gives_a_new_modseq(fmt)
