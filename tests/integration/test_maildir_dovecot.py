"""The maildir driver against the real Dovecot: one maildir served by both,
in turn, keeps its UIDs, UIDVALIDITY, flags and keywords."""
import os
import re
import subprocess

import lib

MSG = b"From: a@example.org\r\nSubject: test\r\n\r\nbody line\r\n"


def mailtool(*args, stdin=b""):
    p = subprocess.run([lib.binary("mailtool"), *args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout.decode()


def mailtool_ls(path):
    """(uidvalidity, uidnext, {uid: (set of flags and keywords, size)})"""
    lines = mailtool("ls", path).splitlines()
    uidvalidity = int(lines[0].split()[1])
    uidnext = int(lines[1].split()[1])
    msgs = {}
    for line in lines[2:]:
        w = line.split()
        msgs[int(w[0])] = (set(w[1:-1]), int(w[-1]))
    return uidvalidity, uidnext, msgs


def dovecot_state(home, mailbox="INBOX"):
    s = lib.dovecot_session(home)
    untagged, tagged = s.cmd("SELECT " + mailbox)
    assert b" OK " in tagged, tagged
    uidvalidity = None
    for line in untagged:
        m = re.search(rb"UIDVALIDITY (\d+)", line)
        if m:
            uidvalidity = int(m.group(1))
    untagged, tagged = s.cmd("UID FETCH 1:* (UID FLAGS RFC822.SIZE)")
    msgs = {}
    for line in untagged:
        m = re.match(rb"\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\) RFC822.SIZE (\d+)\)", line)
        if m:
            flags = set(m.group(2).decode().split()) - {"\\Recent"}
            msgs[int(m.group(1))] = (flags, int(m.group(3)))
    s.close()
    return uidvalidity, msgs


def dovecot_fill(home):
    s = lib.dovecot_session(home)
    for flags in ["\\Seen \\Flagged foo bar", "\\Deleted bar", "", "\\Answered \\Draft baz"]:
        untagged, tagged = s.cmd("APPEND INBOX (%s) {%d+}" % (flags, len(MSG)), [MSG])
        assert b" OK " in tagged, tagged
    s.cmd("SELECT INBOX")
    s.cmd("EXPUNGE")
    s.cmd("UID STORE 3 +FLAGS (\\Seen qux)")
    s.cmd("CREATE sub.level")
    s.cmd("APPEND sub.level (\\Seen) {%d+}" % len(MSG), [MSG])
    s.close()


def test_mailtool_reads_what_dovecot_wrote():
    home = lib.tempdir()
    dovecot_fill(home)
    maildir = os.path.join(home, "Maildir")
    uv, uidnext, ours = mailtool_ls(maildir)
    duv, theirs = dovecot_state(home)
    assert uv == duv
    assert ours == theirs, (ours, theirs)
    assert uidnext == 5
    uv2, _, sub = mailtool_ls(os.path.join(maildir, ".sub.level"))
    duv2, dsub = dovecot_state(home, "sub.level")
    assert uv2 == duv2 and sub == dsub


def test_dovecot_reads_what_mailtool_appended():
    home = lib.tempdir()
    dovecot_fill(home)
    maildir = os.path.join(home, "Maildir")
    uid = int(mailtool("append", "-F", "\\Seen newkw foo", maildir, stdin=MSG).strip())
    assert uid == 5
    uid2 = int(mailtool("append", maildir, stdin=b"Subject: lf only\n\nbody\n").strip())
    assert uid2 == 6
    duv, theirs = dovecot_state(home)
    assert theirs[5] == ({"\\Seen", "newkw", "foo"}, len(MSG))
    assert theirs[6] == (set(), len(b"Subject: lf only\r\n\r\nbody\r\n"))
    uv, _, ours = mailtool_ls(maildir)
    assert uv == duv and ours == theirs


def test_alternating_keeps_uidvalidity_and_uids():
    home = lib.tempdir()
    maildir = os.path.join(home, "Maildir")
    # We create the maildir; Dovecot must accept our uidlist.
    first = int(mailtool("append", "-F", "\\Flagged", maildir, stdin=MSG).strip())
    assert first == 1
    uv, _, _ = mailtool_ls(maildir)
    for round_no in range(3):
        s = lib.dovecot_session(home)
        untagged, tagged = s.cmd("APPEND INBOX (kw%d) {%d+}" % (round_no, len(MSG)), [MSG])
        assert b"[APPENDUID %d " % uv in tagged, tagged
        s.close()
        mailtool("append", maildir, stdin=MSG)
        # New mail delivered straight into new/ by another program.
        with open(os.path.join(maildir, "new", "99%d.delivered.host" % round_no), "wb") as f:
            f.write(MSG)
        ours_uv, _, ours = mailtool_ls(maildir)
        duv, theirs = dovecot_state(home)
        assert ours_uv == uv == duv
        assert ours == theirs, (ours, theirs)
    assert sorted(ours) == list(range(1, 11))  # 1 + 3 rounds of 3


def test_message_in_new_is_moved_to_cur_like_dovecot():
    home = lib.tempdir()
    maildir = os.path.join(home, "Maildir")
    mailtool("append", maildir, stdin=MSG)
    with open(os.path.join(maildir, "new", "1234.x.host"), "wb") as f:
        f.write(MSG)
    # A read-only open (mailtool ls, EXAMINE, STATUS) leaves it in new/, as
    # Dovecot's EXAMINE does: the session that moves it is the one it is
    # \Recent in.
    mailtool_ls(maildir)
    assert os.listdir(os.path.join(maildir, "new")) == ["1234.x.host"]
    s = lib.imapd_session(home)
    untagged, tagged = s.cmd("SELECT INBOX")
    assert b" OK " in tagged and b"* 2 RECENT\r\n" in untagged, untagged
    s.close()
    assert os.listdir(os.path.join(maildir, "new")) == []
    assert "1234.x.host:2," in os.listdir(os.path.join(maildir, "cur"))


def test_bad_path_is_a_clear_error():
    p = subprocess.run([lib.binary("mailtool"), "ls", "/nonexistent/x"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # "mailtool ls: no mailbox at /nonexistent/x": the tool, the command, the path.
    assert p.returncode != 0 and p.stderr.startswith(b"mailtool ls: ") and b"/nonexistent/x" in p.stderr, p.stderr
