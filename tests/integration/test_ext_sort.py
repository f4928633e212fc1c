"""SORT, THREAD, ESEARCH, ESORT, SEARCHRES and WITHIN against Dovecot on one
generated maildir (threads, odd subjects, missing and bad dates, encoded
words, duplicate and looping Message-IDs), and the same SORT/THREAD answers
from mbx and unix copies of that mailbox."""
import os
import re
import shutil
import subprocess
import sys

import lib

HERE = os.path.dirname(os.path.abspath(__file__))
GENMAIL = os.path.join(HERE, "..", "bench", "genmail.py")

# Messages that the generator does not make: each an edge of RFC 5256.
ODD = [
    b"From: a@example.org\r\nSubject: [list] Re: Fwd: odd one\r\nMessage-ID: <odd1@x>\r\n\r\nx\r\n",
    b"From: b@example.org\r\nSubject: odd one (fwd)\r\nDate: not a date\r\nMessage-ID: <odd2@x>\r\n\r\nx\r\n",
    b"From: c@example.org\r\nSubject: [fwd: odd one]\r\nMessage-ID: <odd1@x>\r\n\r\nduplicate id\r\n",
    b"From: =?UTF-8?Q?=C3=89mile?= <e@example.org>\r\nSubject: =?UTF-8?B?UmU6IMOpdMOp?=\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nReferences: <loop2@x>\r\nMessage-ID: <loop1@x>\r\n\r\nx\r\n",
    b"Subject: Re: =?UTF-8?B?w6l0w6k=?=\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    b"References: <loop1@x>\r\nMessage-ID: <loop2@x>\r\n\r\nno From\r\n",
    b"From: f@example.org\r\nTo: undisclosed-recipients:;\r\nSubject:\r\n"
    b"In-Reply-To: <never-seen@x>\r\nMessage-ID: <odd6@x>\r\n\r\nempty subject\r\n",
    b"From: g@example.org\r\nSubject: re: RE: [a][b]\r\nReferences: <never-seen@x>\r\n\r\nno id\r\n",
    b"From: \"Zed\" <z@example.org>\r\nCc: Carol <CAROL@example.org>\r\nSubject: [Fwd: [Fwd: nested]]\r\n"
    b"Date: Sun, 31 Dec 2023 23:59:59 -1200\r\n\r\nx\r\n",
]

SORT_KEYS = ["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"]


def make_maildir(home, count=300):
    maildir = os.path.join(home, "Maildir")
    subprocess.run([sys.executable, GENMAIL, "--count", str(count), "--seed", "5256", "--format", "maildir",
                    maildir], check=True, stderr=subprocess.DEVNULL)
    for i, msg in enumerate(ODD):
        path = os.path.join(maildir, "cur", "1800000000.M%dP1.odd,S=%d:2,S" % (i, len(msg)))
        with open(path, "wb") as f:
            f.write(msg)
        os.utime(path, (1700000000 + i * 3600, 1700000000 + i * 3600))
    return maildir


def answers(session, commands):
    untagged, tagged = session.cmd("SELECT INBOX")
    assert b" OK " in tagged, tagged
    out = []
    for c in commands:
        untagged, tagged = session.cmd(c)
        # MAILBOXID (OBJECTID) differs between copies, as UIDVALIDITY may (a
        # copy made a second later); Dovecot 2.3.19 has no MAILBOXID
        out.append(([re.sub(rb"UIDVALIDITY \d+", b"UIDVALIDITY v", u) for u in untagged
                     if not re.match(rb"\* \d+ (EXISTS|RECENT|EXPUNGE)", u)
                     and not u.startswith(b"* OK [MAILBOXID ")], tagged.split()[1]))
    session.close()
    return out


def sort_thread_commands():
    cmds = []
    for key in SORT_KEYS:
        cmds.append("SORT (%s) UTF-8 ALL" % key)
        cmds.append("UID SORT (REVERSE %s) UTF-8 ALL" % key)
    cmds += ["SORT (SUBJECT REVERSE DATE) UTF-8 SEEN", "SORT (FROM SUBJECT SIZE) US-ASCII UNFLAGGED",
             "THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL",
             "UID THREAD REFERENCES UTF-8 SEEN", "UID THREAD ORDEREDSUBJECT UTF-8 FLAGGED"]
    return cmds


def compare(home, commands):
    ours = answers(lib.imapd_session(home), commands)
    theirs = answers(lib.dovecot_session(home), commands)
    bad = [(c, a, b) for c, a, b in zip(commands, ours, theirs) if a != b]
    assert not bad, "differs from Dovecot: %r" % [(c, a[0][:1], b[0][:1], a[1], b[1]) for c, a, b in bad[:3]]
    return ours


def test_sort_thread_like_dovecot():
    home = lib.tempdir()
    if True:
        make_maildir(home)
        out = compare(home, sort_thread_commands())
        assert out[0][0][0].startswith(b"* SORT 1 ")  # ARRIVAL: not vacuous


ESEARCH_COMMANDS = [
    "SEARCH RETURN (MIN MAX COUNT ALL) SEEN", "UID SEARCH RETURN () FLAGGED",
    "SEARCH RETURN (COUNT) DELETED", "SEARCH RETURN (MIN MAX) DELETED",
    "SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL", "UID SORT RETURN (ALL) (REVERSE DATE) UTF-8 SEEN",
    "SEARCH RETURN (SAVE) FLAGGED", "UID FETCH $ (UID)", "SEARCH $", "SEARCH RETURN (SAVE) $ SEEN",
    "FETCH $ (UID)", "UID SEARCH RETURN (SAVE MIN MAX) UNSEEN", "SEARCH $ ALL",
    "SORT RETURN (SAVE MIN) (SIZE) UTF-8 ALL", "UID SEARCH UID $", "SEARCH RETURN (SAVE) SEEN",
    "STORE $ +FLAGS.SILENT (\\Answered)", "SEARCH ANSWERED", "SEARCH RETURN (SAVE) DELETED",
    "FETCH $ (UID)", "SEARCH 1,$", "SEARCH OLDER 1", "SEARCH YOUNGER 1",
    "SEARCH YOUNGER 2000000000 OLDER 1", "SORT (FOO) UTF-8 ALL", "SORT (DATE) KOI8-QQ ALL",
    "THREAD FOO UTF-8 ALL", "SEARCH RETURN (FOO) ALL", "UNSELECT", "SELECT INBOX", "SEARCH $",
]


def test_esearch_esort_searchres_within_like_dovecot():
    home = lib.tempdir()
    if True:
        make_maildir(home, 120)
        commands = ESEARCH_COMMANDS
        out = compare(home, commands)
        assert out[7][0] and out[7][1] == b"OK"  # UID FETCH $ found something


def test_searchres_empty_and_reset():
    home = lib.tempdir()
    if True:
        make_maildir(home, 20)
        s = lib.imapd_session(home)
        s.cmd("SELECT INBOX")
        untagged, tagged = s.cmd("FETCH $ (UID)")  # before any SAVE: empty, OK
        assert tagged.split()[1] == b"OK" and not [u for u in untagged if b"FETCH" in u], (untagged, tagged)
        untagged, tagged = s.cmd("SEARCH RETURN (SAVE) ALL")
        assert tagged.split()[1] == b"OK" and not untagged  # SAVE alone: no ESEARCH
        untagged, tagged = s.cmd("SEARCH $")
        assert untagged[0].split()[2:4] == [b"1", b"2"], untagged
        untagged, tagged = s.cmd("SEARCH RETURN (SAVE) CHARSET KOI8-QQ ALL")
        assert b"[BADCHARSET" in tagged, tagged
        untagged, tagged = s.cmd("SEARCH $")  # a failed SAVE leaves $ empty
        assert untagged == [b"* SEARCH\r\n"], untagged
        s.cmd("SEARCH RETURN (SAVE) ALL")
        s.cmd("UNSELECT")
        s.cmd("SELECT INBOX")
        untagged, tagged = s.cmd("SEARCH $")  # SELECT resets it
        assert untagged == [b"* SEARCH\r\n"], untagged
        untagged, tagged = s.cmd("CAPABILITY")
        caps = untagged[0].split()
        for c in [b"SORT", b"SORT=DISPLAY", b"ESORT", b"THREAD=ORDEREDSUBJECT", b"THREAD=REFERENCES",
                  b"ESEARCH", b"SEARCHRES", b"WITHIN"]:
            assert c in caps, (c, caps)
        s.close()


def copy_mailbox(home, env):
    """Appends every message of home/Maildir, in order, with its flags and
    internal date, to the INBOX that env's MAIL names."""
    src = lib.imapd_session(home)
    src.cmd("SELECT INBOX")
    dst = lib.imapd_session(home, env=env)
    untagged, tagged = src.cmd("FETCH 1:* (FLAGS INTERNALDATE)")
    for line in untagged:
        m = re.match(rb"\* (\d+) FETCH \(FLAGS \(([^)]*)\) INTERNALDATE (\"[^\"]+\")\)", line)
        if not m:
            continue
        body_lines, tagged = src.cmd("FETCH %s BODY.PEEK[]" % m.group(1).decode())
        raw = body_lines[0]
        start = raw.index(b"}\r\n") + 3
        size = int(raw[raw.index(b"{") + 1:start - 3])
        data = raw[start:start + size]
        flags = b" ".join(f for f in m.group(2).split() if f != b"\\Recent").decode()
        untagged2, tagged2 = dst.cmd("APPEND INBOX (%s) %s {%d+}" % (flags, m.group(3).decode(), len(data)), [data])
        assert b" OK " in tagged2, tagged2
    src.close()
    dst.close()


def test_sort_thread_same_in_mbx_and_unix():
    home = lib.tempdir()
    if True:
        make_maildir(home, 80)
        commands = sort_thread_commands()
        commands = [c for c in commands if not c.startswith("UID ")]  # UIDs differ between copies
        reference = answers(lib.imapd_session(home), commands)
        for env in ({"MAIL": "mbx:~/mail:INBOX=~/INBOX.mbx"}, {"MAIL": "unix:~/mail:INBOX=~/INBOX.mbox"}):
            copy_mailbox(home, env)
            got = answers(lib.imapd_session(home, env=env), commands)
            for c, a, b in zip(commands, reference, got):
                assert a == b, (env, c, a[0][:1], b[0][:1])


def test_esearch_searchres_within_same_in_mbx_and_unix():
    """The ESEARCH/ESORT/SEARCHRES/WITHIN transcript (without UIDs, which
    differ between copies) from mbx and unix copies of the maildir."""
    home = lib.tempdir()
    make_maildir(home, 60)
    commands = [c for c in ESEARCH_COMMANDS if "UID" not in c]
    reference = answers(lib.imapd_session(home), commands)
    assert any(a[0] for a in reference[:4]), reference[:4]  # not vacuous
    for env in ({"MAIL": "mbx:~/mail:INBOX=~/INBOX.mbx"}, {"MAIL": "unix:~/mail:INBOX=~/INBOX.mbox"}):
        copy_mailbox(home, env)
        got = answers(lib.imapd_session(home, env=env), commands)
        for c, a, b in zip(commands, reference, got):
            assert a == b, (env, c, a, b)
