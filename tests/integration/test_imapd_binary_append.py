"""APPEND of a literal8 (RFC 3516 4.2) whose parts have Content-Transfer-
Encoding binary: the octets (NUL, bare CR and LF) must come back unchanged
in BINARY[part], and BINARY.SIZE must be their count, in maildir, mbx and
unix alike, although mbx and unix store lines with their own line ends.
Dovecot stores such parts base64-encoded; so do we, and every FETCH item
answers as Dovecot's does (ImapTest's append-binary)."""
import os

import lib

FORMATS = {
    "maildir": {"MAIL": "maildir:~/Maildir"},
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}

OCTETS = b"\x00-\xe4\n\r\n\n"  # ImapTest's append-binary body: 7 octets
LONG = bytes(range(256)) * 3 + b"\r\n\r"

SINGLE = (b"From: user@domain.org\r\nDate: Sat, 24 Mar 2007 23:00:00 +0200\r\n"
          b"Mime-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
          b"Content-Transfer-Encoding: binary\r\n\r\n" + OCTETS)

MULTI = (b"From: user@domain.org\r\nSubject: parts\r\nMime-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n"
         b"--xx\r\nContent-Type: text/plain\r\n\r\nplain text\r\n"
         b"--xx\r\nContent-Transfer-Encoding: BINARY\r\nContent-Type: application/x-data\r\n\r\n"
         + LONG + b"\r\n"
         b"--xx\r\nContent-Type: message/rfc822\r\n\r\n"
         b"Subject: inner\r\nContent-Type: application/octet-stream\r\n"
         b"Content-Transfer-Encoding: Binary\r\n\r\n" + OCTETS + b"\r\n"
         b"--xx--\r\n")

# A folded field: Dovecot leaves such a part as it is (and then refuses
# BINARY of the whole message with [UNKNOWN-CTE]); we convert it too.
FOLDED = (b"Subject: folded\r\nContent-Transfer-Encoding:\r\n binary\r\n\r\n" + LONG)

# (message, {section: the octets BINARY[section] must give})
CASES = [(SINGLE, {"1": OCTETS}), (MULTI, {"2": LONG, "3.1": OCTETS, "1": b"plain text"})]
OWN_CASES = CASES + [(FOLDED, {"1": LONG})]

FETCHES = ["BODYSTRUCTURE", "RFC822.SIZE", "BODY.PEEK[]", "BINARY.SIZE[1]", "BINARY.PEEK[1]",
           "BINARY.SIZE[2]", "BINARY.PEEK[2]", "BINARY.SIZE[3.1]", "BINARY.PEEK[3.1]", "BODY.PEEK[3.1]"]


def append_literal8(session, message):
    session.tag_no += 1
    tag = b"b%d" % session.tag_no
    session.send(tag + b" APPEND INBOX ~{%d}\r\n" % len(message))
    line = session.read_response_line()
    assert line.startswith(b"+"), line
    session.send(message + b"\r\n")
    line = session.read_response_line()
    assert line.startswith(tag + b" OK"), line


def answers(session):
    for message, _ in CASES:
        append_literal8(session, message)
    _, tagged = session.cmd("SELECT INBOX")
    assert b" OK " in tagged, tagged
    out = {}
    for seq in range(1, len(CASES) + 1):
        for item in FETCHES:
            untagged, tagged = session.cmd("FETCH %d (%s)" % (seq, item))
            assert b" OK " in tagged, (item, tagged)
            out[(seq, item)] = untagged
    session.close()
    return out


def test_binary_parts_of_a_literal8_append_come_back_unchanged():
    for fmt, env in FORMATS.items():
        home = lib.tempdir()
        os.makedirs(os.path.join(home, "mail"))
        session = lib.imapd_session(home, env)
        for message, _ in OWN_CASES:
            append_literal8(session, message)
        session.cmd("SELECT INBOX")
        for seq, (message, sections) in enumerate(OWN_CASES, 1):
            for section, octets in sections.items():
                untagged, tagged = session.cmd("FETCH %d (BINARY.SIZE[%s] BINARY.PEEK[%s])"
                                               % (seq, section, section))
                assert b" OK " in tagged, (fmt, tagged)
                assert untagged[0].endswith(b"}\r\n" + octets + b")\r\n"), (fmt, section, untagged)
                assert b"BINARY.SIZE[%s] %d " % (section.encode(), len(octets)) in untagged[0], \
                    (fmt, section, untagged)
        session.close()


def test_literal8_append_answers_as_dovecot():
    home_d = lib.tempdir()
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(home_d, "Maildir", sub))
    expected = answers(lib.dovecot_session(home_d))
    problems = []
    for fmt, env in FORMATS.items():
        home = lib.tempdir()
        os.makedirs(os.path.join(home, "mail"))
        got = answers(lib.imapd_session(home, env))
        for key, lines in expected.items():
            # A unix mbox message ends with a line end: the driver adds one
            # to a message without (as the base64 of SINGLE is), so there
            # only the BINARY items are Dovecot's.
            if fmt == "unix" and key[0] == 1 and not key[1].startswith("BINARY"):
                continue
            if got[key] != lines:
                problems.append("%s %s:\n  dovecot %r\n  imapd   %r" % (fmt, key, lines, got[key]))
    assert not problems, "\n".join(problems[:8])
