"""OBJECTID (RFC 8474): MAILBOXID in STATUS, SELECT/EXAMINE and CREATE's
tagged OK; EMAILID and THREADID in FETCH. Each in maildir, mbx and unix:
the id stays across sessions and RENAME, differs between mailboxes and is
new for a mailbox deleted and created again. In maildir it is the GUID
(G field) of dovecot-uidlist, the id Dovecot reports."""
import os
import re

import lib

FORMATS = {
    "maildir": None,
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}

MESSAGE = b"From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n"
OBJECTID = re.compile(rb"^[A-Za-z0-9_-]{1,255}$")


def ok(reply):
    untagged, tagged = reply
    assert b" OK " in tagged, (untagged, tagged)
    return untagged


def each_format(check):
    for fmt, env in FORMATS.items():
        home = lib.tempdir()
        try:
            check(home, env, fmt)
        except AssertionError as e:
            raise AssertionError("%s: %s" % (fmt, e)) from e


def status_id(s, name):
    lines = ok(s.cmd("STATUS %s (MAILBOXID)" % name))
    assert len(lines) == 1, lines
    m = re.match(rb"\* STATUS \S+ \(MAILBOXID \(([^)]*)\)\)\r\n$", lines[0])
    assert m, lines
    assert OBJECTID.match(m.group(1)), lines
    return m.group(1)


def create_id(s, name):
    untagged, tagged = s.cmd("CREATE " + name)
    m = re.search(rb" OK \[MAILBOXID \(([A-Za-z0-9_-]+)\)\] ", tagged)
    assert m, tagged
    return m.group(1)


def select_id(s, command, name):
    ids = [re.match(rb"\* OK \[MAILBOXID \(([^)]*)\)\]", l) for l in ok(s.cmd(command + " " + name))]
    ids = [m.group(1) for m in ids if m]
    assert len(ids) == 1, ids
    return ids[0]


def append(s, name, count):
    for _ in range(count):
        ok(s.cmd("APPEND %s {%d+}" % (name, len(MESSAGE)), [MESSAGE]))


def fetch_ids(s, items="EMAILID THREADID"):
    out = {}
    for line in ok(s.cmd("UID FETCH 1:* (%s)" % items)):
        m = re.match(rb"\* \d+ FETCH \(UID (\d+) EMAILID \(([^)]*)\) THREADID NIL\)\r\n$", line)
        assert m, line
        assert OBJECTID.match(m.group(2)), line
        out[int(m.group(1))] = m.group(2)
    return out


def test_objectid_advertised():
    s = lib.imapd_session(lib.tempdir())
    assert b" OBJECTID" in s.greeting, s.greeting
    s.close()


def test_mailboxid_stable_distinct_and_kept_by_rename():
    def check(home, env, fmt):
        s = lib.imapd_session(home, env)
        a = create_id(s, "a")
        b = create_id(s, "b")
        assert a != b
        assert status_id(s, "a") == a
        assert status_id(s, "b") == b
        inbox = status_id(s, "INBOX")
        assert inbox not in (a, b)
        s.close()
        s = lib.imapd_session(home, env)
        assert status_id(s, "a") == a
        assert status_id(s, "INBOX") == inbox
        ok(s.cmd("RENAME a c"))
        assert status_id(s, "c") == a
        assert b"NO" in s.cmd("STATUS a (MAILBOXID)")[1]
        s.close()
        s = lib.imapd_session(home, env)
        assert status_id(s, "c") == a
        s.close()
    each_format(check)


def test_mailboxid_new_after_delete_and_create():
    def check(home, env, fmt):
        s = lib.imapd_session(home, env)
        first = create_id(s, "x")
        append(s, "x", 1)
        ok(s.cmd("DELETE x"))
        second = create_id(s, "x")
        assert second != first
        assert status_id(s, "x") == second
        s.close()
    each_format(check)


def test_select_and_examine_report_status_id():
    def check(home, env, fmt):
        s = lib.imapd_session(home, env)
        box = create_id(s, "box")
        append(s, "box", 2)
        assert select_id(s, "SELECT", "box") == box
        assert status_id(s, "box") == box  # the selected mailbox too
        assert select_id(s, "EXAMINE", "INBOX") == status_id(s, "INBOX")
        s.close()
    each_format(check)


def test_mailboxid_other_status_items():
    def check(home, env, fmt):
        s = lib.imapd_session(home, env)
        box = create_id(s, "box")
        lines = ok(s.cmd("STATUS box (MESSAGES MAILBOXID UIDNEXT)"))
        assert lines == [b"* STATUS box (MESSAGES 0 UIDNEXT 1 MAILBOXID (" + box + b"))\r\n"], lines
        s.close()
    each_format(check)


def test_emailid_unique_stable_and_threadid_nil():
    def check(home, env, fmt):
        s = lib.imapd_session(home, env)
        ok(s.cmd("CREATE box"))
        ok(s.cmd("CREATE other"))
        append(s, "box", 3)
        append(s, "other", 3)
        ok(s.cmd("SELECT box"))
        ids = fetch_ids(s)
        assert sorted(ids) == [1, 2, 3], ids
        assert len(set(ids.values())) == 3, ids
        # a single item, and in the sequence form
        untagged = ok(s.cmd("FETCH 2 EMAILID"))
        assert untagged == [b"* 2 FETCH (EMAILID (" + ids[2] + b"))\r\n"], untagged
        ok(s.cmd("SELECT other"))
        others = fetch_ids(s)
        assert not set(others.values()) & set(ids.values()), (ids, others)
        s.close()
        s = lib.imapd_session(home, env)
        ok(s.cmd("SELECT box"))
        assert fetch_ids(s) == ids
        ok(s.cmd("RENAME box moved"))
        ok(s.cmd("SELECT moved"))
        assert fetch_ids(s) == ids
        s.close()
    each_format(check)


def test_fetch_objectid_items_are_bad_when_misspelt():
    s = lib.imapd_session(lib.tempdir())
    ok(s.cmd("SELECT INBOX"))
    assert b" BAD " in s.cmd("FETCH 1:* (EMAILIDS)")[1]
    s.close()


def test_maildir_mailboxid_is_uidlist_guid():
    home = lib.tempdir()
    s = lib.imapd_session(home)
    box = create_id(s, "box")
    inbox = status_id(s, "INBOX")
    s.close()

    def guid(path):
        with open(path, "rb") as f:
            header = f.readline().split()
        fields = [w[1:] for w in header[1:] if w.startswith(b"G")]
        assert len(fields) == 1, header
        return fields[0]

    assert box == guid(os.path.join(home, "Maildir", ".box", "dovecot-uidlist"))
    assert inbox == guid(os.path.join(home, "Maildir", "dovecot-uidlist"))


def test_maildir_mailboxid_kept_by_dovecot():
    """Dovecot 2.3.19 has no OBJECTID, but it keeps the uidlist's GUID as
    its mailbox GUID: after Dovecot rewrites the uidlist the id is the same."""
    home = lib.tempdir()
    s = lib.imapd_session(home)
    box = create_id(s, "box")
    append(s, "box", 1)
    s.close()
    d = lib.dovecot_session(home)
    ok(d.cmd("SELECT box"))
    ok(d.cmd("APPEND box {%d+}" % len(MESSAGE), [MESSAGE]))
    ok(d.cmd("STORE 1:* +FLAGS (\\Seen)"))
    d.close()
    s = lib.imapd_session(home)
    assert status_id(s, "box") == box
    ok(s.cmd("SELECT box"))
    assert len(fetch_ids(s)) == 2
    s.close()
