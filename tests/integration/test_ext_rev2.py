"""IMAP4rev2 (RFC 9051) beside IMAP4rev1: raw transcripts of the same
commands before and after ENABLE IMAP4rev2 in every mailbox format, the
errors that only IMAP4rev2 has, STATUS DELETED, [CLOSED] and the RFC 5530
response codes, and Dovecot 2.3.19 (which has no IMAP4rev2: it ignores
ENABLE IMAP4rev2) on the commands both answer alike."""
import os
import re

import lib

FORMATS = {
    "maildir": None,
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}

MESSAGE = b"From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n"

# What IMAP4rev2 includes (imapd/session/protocol_mode.cpp).
REQUIREMENTS = (b"LITERAL+ ENABLE IDLE NAMESPACE UNSELECT UIDPLUS ESEARCH SEARCHRES MOVE BINARY "
                b"LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE UTF8=ACCEPT").split()


def capabilities(session):
    return re.search(rb"\[CAPABILITY ([^\]]*)\]", session.greeting).group(1).split()


def rev2_session(home, env=None):
    s = lib.imapd_session(home, env)
    if b"IMAP4rev2" not in capabilities(s):
        s.close()
        raise lib.Skip("IMAP4rev2 is not advertised yet (it waits for UTF8=ACCEPT)")
    return s


def normalised(untagged):
    # MAILBOXID (OBJECTID, random; Dovecot 2.3.19 has none) left out
    return [re.sub(rb"UIDVALIDITY \d+", b"UIDVALIDITY n", l) for l in untagged
            if not l.startswith(b"* OK [MAILBOXID ")]


def transcript(home, env, rev2):
    """The same commands on a fresh home, with or without ENABLE IMAP4rev2:
    {command: (untagged, tagged without its tag)}."""
    s = rev2_session(home, env)
    out = {}

    def run(command, literals=(), key=None):
        untagged, tagged = s.cmd(command, literals)
        out[key or command] = (normalised(untagged), tagged.split(b" ", 1)[1])

    run("APPEND INBOX (\\Deleted) {%d+}" % len(MESSAGE), [MESSAGE])
    run("APPEND INBOX {%d+}" % len(MESSAGE), [MESSAGE])
    if rev2:
        run("ENABLE IMAP4rev2")
    for command in ("SELECT INBOX", "FETCH 1:* (FLAGS)", "SEARCH UNDELETED", "UID SEARCH UNDELETED",
                    "SEARCH SUBJECT nomatch", "STATUS INBOX (MESSAGES UNSEEN DELETED)",
                    "STATUS INBOX (RECENT)", "STORE 2 +FLAGS (\\Flagged)", "CHECK",
                    "LSUB \"\" \"*\""):
        run(command)
    run("SELECT INBOX", key="reselect")
    s.close()
    return out


FLAGS = b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
PERMANENT = b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"


def check_switches(env):
    rev1 = transcript(lib.tempdir(), env, False)
    rev2 = transcript(lib.tempdir(), env, True)
    assert rev2["ENABLE IMAP4rev2"] == ([b"* ENABLED IMAP4rev2\r\n"], b"OK ENABLE completed\r\n")
    # SELECT: no RECENT, no UNSEEN code, a LIST response (RFC 9051 6.3.2).
    # (How many messages are \Recent differs by format: mbx counts one.)
    select1 = [re.sub(rb"^\* \d+ RECENT", b"* n RECENT", l) for l in rev1["SELECT INBOX"][0]]
    assert select1 == [
        FLAGS, PERMANENT, b"* 2 EXISTS\r\n", b"* n RECENT\r\n", b"* OK [UNSEEN 1] First unseen.\r\n",
        b"* OK [UIDVALIDITY n] UIDs valid\r\n", b"* OK [UIDNEXT 3] Predicted next UID\r\n"], select1
    assert rev2["SELECT INBOX"][0] == [
        FLAGS, PERMANENT, b"* 2 EXISTS\r\n", b'* LIST () "/" INBOX\r\n',
        b"* OK [UIDVALIDITY n] UIDs valid\r\n", b"* OK [UIDNEXT 3] Predicted next UID\r\n"]
    # Selecting again: [CLOSED] first in both modes.
    for t in (rev1, rev2):
        assert t["reselect"][0][0] == b"* OK [CLOSED] Previous mailbox closed.\r\n", t["reselect"]
    # No \Recent in FETCH or STORE: the rev1 answers without it are the rev2 ones.
    def without_recent(lines):
        return [l.replace(b" \\Recent", b"").replace(b"\\Recent", b"") for l in lines]
    assert b"\\Recent" in b"".join(rev1["FETCH 1:* (FLAGS)"][0])
    assert without_recent(rev1["FETCH 1:* (FLAGS)"][0]) == rev2["FETCH 1:* (FLAGS)"][0]
    assert rev2["FETCH 1:* (FLAGS)"][0] == [b"* 1 FETCH (FLAGS (\\Deleted))\r\n",
                                            b"* 2 FETCH (FLAGS ())\r\n"]
    assert without_recent(rev1["STORE 2 +FLAGS (\\Flagged)"][0]) == rev2["STORE 2 +FLAGS (\\Flagged)"][0]
    assert rev2["STORE 2 +FLAGS (\\Flagged)"][0] == [b"* 2 FETCH (FLAGS (\\Flagged))\r\n"]
    # SEARCH answers ESEARCH (RFC 9051 6.4.4).
    assert rev1["SEARCH UNDELETED"][0] == [b"* SEARCH 2\r\n"]
    assert rev2["SEARCH UNDELETED"][0] == [b'* ESEARCH (TAG "t6") ALL 2\r\n']
    assert rev1["UID SEARCH UNDELETED"][0] == [b"* SEARCH 2\r\n"]
    assert rev2["UID SEARCH UNDELETED"][0] == [b'* ESEARCH (TAG "t7") UID ALL 2\r\n']
    assert rev1["SEARCH SUBJECT nomatch"][0] == [b"* SEARCH\r\n"]
    assert rev2["SEARCH SUBJECT nomatch"][0] == [b'* ESEARCH (TAG "t8")\r\n']
    # STATUS: DELETED in both, RECENT only in rev1.
    for t in (rev1, rev2):
        assert t["STATUS INBOX (MESSAGES UNSEEN DELETED)"] == (
            [b"* STATUS INBOX (MESSAGES 2 UNSEEN 2 DELETED 1)\r\n"], b"OK Status completed\r\n")
        # CHECK and LSUB are kept for rev1 clients and answer alike.
        assert t["CHECK"][1].startswith(b"OK")
        assert t["LSUB \"\" \"*\""][1].startswith(b"OK")
    assert re.match(rb"\* STATUS INBOX \(RECENT \d\)\r\n$", rev1["STATUS INBOX (RECENT)"][0][0])
    assert rev1["STATUS INBOX (RECENT)"][1] == b"OK Status completed\r\n"
    assert rev2["STATUS INBOX (RECENT)"] == ([], b"BAD RECENT is not a STATUS item in IMAP4rev2\r\n")
    for untagged, tagged in rev2.values():
        for line in untagged:
            assert b"RECENT" not in line and b"\\Recent" not in line, line


def test_rev2_switches_maildir():
    check_switches(FORMATS["maildir"])


def test_rev2_switches_mbx():
    check_switches(FORMATS["mbx"])


def test_rev2_switches_unix():
    check_switches(FORMATS["unix"])


def test_rev2_advertised_only_when_complete():
    s = lib.imapd_session(lib.tempdir())
    caps = capabilities(s)
    untagged, tagged = s.cmd("CAPABILITY")
    assert untagged[0].split()[2:] == caps
    missing = [c for c in REQUIREMENTS if c not in caps]
    if missing:
        assert b"IMAP4rev2" not in caps, missing
        untagged, tagged = s.cmd("ENABLE IMAP4rev2")
        assert untagged == [b"* ENABLED\r\n"], untagged  # not offered: ignored (RFC 5161)
    else:
        assert caps[:2] == [b"IMAP4rev1", b"IMAP4rev2"], caps
    s.close()


def test_rev2_unsolicited_exists_has_no_recent():
    """Another session's APPEND reaches a rev2 session as EXISTS alone."""
    for env in FORMATS.values():
        home = lib.tempdir()
        a = rev2_session(home, env)
        a.cmd("ENABLE IMAP4rev2")
        a.cmd("SELECT INBOX")
        b = lib.imapd_session(home, env)
        assert b.cmd("APPEND INBOX {%d+}" % len(MESSAGE), [MESSAGE])[1].startswith(b"t1 OK")
        b.close()
        untagged, tagged = a.cmd("NOOP")
        assert untagged == [b"* 1 EXISTS\r\n"], (env, untagged)
        untagged, tagged = a.cmd("FETCH 1 FLAGS")
        assert untagged == [b"* 1 FETCH (FLAGS ())\r\n"], (env, untagged)
        a.close()


def test_rev2_list_status_recent_is_bad_and_implied_levels_nonexistent():
    home = lib.tempdir()
    s = rev2_session(home)
    assert s.cmd("CREATE a/b")[1].startswith(b"t1 OK")
    before, _ = s.cmd('LIST "" "*"')
    assert b'* LIST (\\Noselect \\HasChildren) "/" a\r\n' in before, before
    s.cmd("ENABLE IMAP4rev2")
    after, _ = s.cmd('LIST "" "*"')
    # Maildir++ has no directory for "a": IMAP4rev2's LIST is RFC 5258's.
    assert b'* LIST (\\NonExistent \\HasChildren) "/" a\r\n' in after, after
    untagged, tagged = s.cmd('LIST "" "*" RETURN (STATUS (MESSAGES RECENT))')
    assert untagged == [] and tagged == b"t5 BAD RECENT is not a STATUS item in IMAP4rev2\r\n", tagged
    untagged, tagged = s.cmd('LIST "" "a/*" RETURN (STATUS (MESSAGES DELETED))')
    # RETURN makes it RFC 5258 syntax: children attributes only when asked.
    assert untagged == [b'* LIST () "/" a/b\r\n',
                        b'* STATUS a/b (MESSAGES 0 DELETED 0)\r\n'], untagged
    s.close()


def test_status_deleted_every_format():
    for name, env in FORMATS.items():
        s = lib.imapd_session(lib.tempdir(), env)
        for flags in ("(\\Deleted)", "(\\Deleted \\Seen)", "(\\Seen)"):
            s.cmd("APPEND INBOX %s {%d+}" % (flags, len(MESSAGE)), [MESSAGE])
        untagged, tagged = s.cmd("STATUS INBOX (DELETED MESSAGES)")
        assert untagged == [b"* STATUS INBOX (MESSAGES 3 DELETED 2)\r\n"], (name, untagged)
        s.cmd("SELECT INBOX")
        s.cmd("STORE 3 +FLAGS (\\Deleted)")
        untagged, tagged = s.cmd("STATUS INBOX (DELETED)")  # the selected mailbox's view
        assert untagged == [b"* STATUS INBOX (DELETED 3)\r\n"], (name, untagged)
        s.cmd("EXPUNGE")
        untagged, tagged = s.cmd("STATUS INBOX (DELETED MESSAGES)")
        assert untagged == [b"* STATUS INBOX (MESSAGES 0 DELETED 0)\r\n"], (name, untagged)
        untagged, tagged = s.cmd("STATUS INBOX (DELETED BOGUS)")
        assert tagged.split(b" ")[1] == b"BAD", tagged
        s.close()


def test_closed_on_reselect_as_dovecot():
    """[CLOSED] before the new mailbox's responses, and when a SELECT fails
    after closing the previous one; Dovecot 2.3.19 sends the same lines."""
    def lines(session):
        out = []
        for command in ("SELECT INBOX", "EXAMINE INBOX", "SELECT nosuch", "EXAMINE INBOX"):
            untagged, tagged = session.cmd(command)
            out.append([l for l in untagged if b"CLOSED" in l])
        session.close()
        return out
    home = lib.tempdir()
    ours = lines(lib.imapd_session(home))
    closed = [b"* OK [CLOSED] Previous mailbox closed.\r\n"]
    assert ours == [[], closed, closed, []], ours
    dhome = lib.tempdir()
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(dhome, "Maildir", d))
    assert lines(lib.dovecot_session(dhome)) == ours


def test_response_codes_on_common_failures():
    for name, env in FORMATS.items():
        home = lib.tempdir()
        s = lib.imapd_session(home, env)
        checks = [
            ("SELECT nosuch", b"NO [NONEXISTENT]"),
            ("EXAMINE nosuch", b"NO [NONEXISTENT]"),
            ("STATUS nosuch (MESSAGES)", b"NO [NONEXISTENT]"),
            ("DELETE nosuch", b"NO [NONEXISTENT]"),
            ("RENAME nosuch other", b"NO [NONEXISTENT]"),
            ("CREATE box", b"OK"),
            ("CREATE box", b"NO [ALREADYEXISTS]"),
            ("CREATE other", b"OK"),
            ("RENAME other box", b"NO [ALREADYEXISTS]"),
            ("DELETE INBOX", b"NO [CANNOT]"),
            ("APPEND nosuch {%d+}" % len(MESSAGE), b"NO [TRYCREATE]"),
        ]
        for command, expected in checks:
            literals = [MESSAGE] if command.startswith("APPEND") else []
            untagged, tagged = s.cmd(command, literals)
            assert tagged.split(b" ", 1)[1].startswith(expected), (name, command, tagged)
        if name != "maildir":  # a directory level with a mailbox under it
            assert s.cmd("CREATE lvl/box")[1].split(b" ")[1] == b"OK"
            untagged, tagged = s.cmd("DELETE lvl")
            assert tagged.split(b" ", 1)[1].startswith(b"NO [HASCHILDREN]"), (name, tagged)
        # A mailbox the user may not read is NOPERM, not NONEXISTENT.
        assert s.cmd("CREATE locked")[1].split(b" ")[1] == b"OK"
        path = os.path.join(home, "Maildir", ".locked") if name == "maildir" else os.path.join(home, "mail", "locked")
        os.chmod(path, 0)
        try:
            for command in ("SELECT locked", "STATUS locked (MESSAGES)", "DELETE locked"):
                untagged, tagged = s.cmd(command)
                assert tagged.split(b" ", 1)[1].startswith(b"NO [NOPERM]"), (name, command, tagged)
        finally:
            os.chmod(path, 0o700)
        s.close()


def test_dovecot_2_3_has_no_rev2():
    """The comparison the issue asks for has no other side: Dovecot 2.3.19
    does not offer IMAP4rev2, ignores ENABLE IMAP4rev2 and keeps answering
    as IMAP4rev1, which is what our server does for a client that does not
    enable it. The rev1 answers agree."""
    home = lib.tempdir()
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(home, "Maildir", d))
    d = lib.dovecot_session(home)
    assert b"IMAP4rev2" not in capabilities(d)
    untagged, tagged = d.cmd("ENABLE IMAP4rev2")
    assert b"IMAP4rev2" not in b"".join(untagged) and tagged.startswith(b"t1 OK")
    ours = lib.imapd_session(lib.tempdir())

    def answers(session):
        session.cmd("APPEND INBOX (\\Deleted) {%d+}" % len(MESSAGE), [MESSAGE])
        session.cmd("APPEND INBOX {%d+}" % len(MESSAGE), [MESSAGE])
        out = []
        for command in ("SELECT INBOX", "SEARCH UNDELETED", "UID SEARCH SUBJECT nomatch",
                        "FETCH 1:* (FLAGS)"):
            untagged, tagged = session.cmd(command)
            out.append(normalised(untagged))
        session.close()
        return out
    assert answers(d) == answers(ours)
