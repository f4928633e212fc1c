"""APPEND, MULTIAPPEND and COPY into the mailbox the session has selected
go through the session's own mailbox instance (imapd/commands/mailbox_util
target_mailbox): checked in maildir, mbx and unix that the EXISTS comes once,
APPENDUID/COPYUID name the right UIDs, another session sees the messages,
and a MULTIAPPEND that fails part way leaves nothing."""
import os
import re

import lib

FORMATS = {
    "maildir": {"MAIL": "maildir:~/Maildir"},
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}

MESSAGE = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: %d\r\n"
           b"Date: Thu, 1 Feb 2024 13:45:00 +0100\r\n\r\nBody %d.\r\n")


def message(n):
    return MESSAGE % (n, n)


def ok(reply):
    untagged, tagged = reply
    assert tagged.split()[1] == b"OK", tagged
    return untagged, tagged


def exists_lines(untagged):
    return [line for line in untagged if re.match(rb"\* \d+ EXISTS", line)]


def append(session, n, flags=""):
    m = message(n)
    return session.cmd(f"APPEND INBOX {flags}{{{len(m)}+}}", [m])


def session_in(home, fmt):
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    return lib.imapd_session(home, FORMATS[fmt])


def uidvalidity(untagged):
    for line in untagged:
        m = re.search(rb"\[UIDVALIDITY (\d+)\]", line)
        if m:
            return int(m.group(1))
    raise AssertionError(untagged)


def check_format(fmt):
    home = lib.tempdir()
    a = session_in(home, fmt)
    for n in (1, 2):
        ok(append(a, n))  # not selected yet: a separate instance
    untagged, _ = ok(a.cmd("SELECT INBOX"))
    assert b"* 2 EXISTS\r\n" in untagged, untagged
    validity = uidvalidity(untagged)

    # One APPEND into the selected mailbox: one EXISTS, the next UID.
    untagged, tagged = ok(append(a, 3, "(\\Flagged) "))
    assert exists_lines(untagged) == [b"* 3 EXISTS\r\n"], (fmt, untagged)
    assert f"[APPENDUID {validity} 3]".encode() in tagged, (fmt, tagged)
    untagged, _ = ok(a.cmd("NOOP"))
    assert exists_lines(untagged) == [], (fmt, untagged)
    untagged, _ = ok(a.cmd("FETCH 3 (UID FLAGS)"))
    assert untagged == [b"* 3 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\n"], (fmt, untagged)

    # MULTIAPPEND: two messages, one EXISTS, both UIDs.
    m4, m5 = message(4), message(5)
    untagged, tagged = ok(a.cmd(f"APPEND INBOX {{{len(m4)}+}} (\\Seen) {{{len(m5)}+}}", [m4, m5]))
    assert exists_lines(untagged) == [b"* 5 EXISTS\r\n"], (fmt, untagged)
    assert f"[APPENDUID {validity} 4:5]".encode() in tagged, (fmt, tagged)

    # Another session's message first, then ours: both reported, in order.
    b = session_in(home, fmt)
    ok(append(b, 6))
    untagged, tagged = ok(append(a, 7))
    assert exists_lines(untagged)[-1] == b"* 7 EXISTS\r\n", (fmt, untagged)
    assert f"[APPENDUID {validity} 7]".encode() in tagged, (fmt, tagged)

    # A MULTIAPPEND whose second message is refused leaves nothing.
    m8 = message(8)
    _, tagged = a.cmd(f"APPEND INBOX {{{len(m8)}+}} {{0+}}", [m8, b""])
    assert tagged.split()[1] in (b"NO", b"BAD"), (fmt, tagged)
    untagged, _ = ok(a.cmd("NOOP"))
    assert exists_lines(untagged) == [], (fmt, untagged)

    # COPY into the selected mailbox: one EXISTS, COPYUID names the new UID.
    untagged, tagged = ok(a.cmd("COPY 1 INBOX"))
    assert exists_lines(untagged) == [b"* 8 EXISTS\r\n"], (fmt, untagged)
    assert f"[COPYUID {validity} 1 8]".encode() in tagged, (fmt, tagged)

    untagged, _ = ok(a.cmd("FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    subjects = [re.search(rb"Subject: (\d+)", line).group(1) for line in untagged]
    assert subjects == [b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"1"], (fmt, untagged)
    a.close()

    # A new session sees the same messages, UIDs and flags.
    untagged, _ = ok(b.cmd("SELECT INBOX"))
    assert b"* 8 EXISTS\r\n" in untagged, (fmt, untagged)
    assert uidvalidity(untagged) == validity
    untagged, _ = ok(b.cmd("UID FETCH 1:* (FLAGS BODY.PEEK[TEXT])"))
    assert len(untagged) == 8, (fmt, untagged)
    assert b"UID 5 " in untagged[4] and b"\\Seen" in untagged[4], (fmt, untagged[4])
    assert b"Body 7." in untagged[6] and b"UID 7 " in untagged[6], (fmt, untagged[6])
    assert b"UID 8 " in untagged[7] and b"Body 1." in untagged[7], (fmt, untagged[7])
    untagged, _ = ok(b.cmd("STATUS INBOX (MESSAGES UIDNEXT)"))
    assert untagged == [b"* STATUS INBOX (MESSAGES 8 UIDNEXT 9)\r\n"], (fmt, untagged)
    b.close()
    if fmt == "maildir":
        assert os.listdir(os.path.join(home, "Maildir", "tmp")) == [], "a refused message left a file"


def test_append_into_selected_maildir():
    check_format("maildir")


def test_append_into_selected_mbx():
    check_format("mbx")


def test_append_into_selected_unix():
    check_format("unix")
