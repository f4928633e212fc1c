"""Mailbox commands of build/imapd compared with Dovecot's imap: the same
command sequences run against both on copies of one generated maildir, and
the answers are compared after normalising only what RFC 3501 leaves free
(text after OK/NO, untagged order, UIDVALIDITY values, \\Recent counts).
Plus error cases, size limits, configuration errors and two sessions on one
mailbox."""
import os
import re
import shutil
import subprocess

import lib

GENMAIL = os.path.join(lib.ROOT, "tests", "bench", "genmail.py")


def make_maildir(home, count=6, seed=7):
    subprocess.run(["python3", GENMAIL, "--count", str(count), "--seed", str(seed),
                    "--format", "maildir", os.path.join(home, "Maildir")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def dovecot_slash_session(home):
    """Dovecot preauthenticated on home/Maildir with '/' as the separator,
    as our server uses (Maildir++ layout on disk in both)."""
    if not os.path.exists(lib.DOVECOT_IMAP):
        raise lib.Skip("dovecot-imapd is not installed")
    conf = lib.dovecot_config(home)
    with open(conf, "a") as f:
        f.write("namespace inbox {\n  inbox = yes\n  separator = /\n}\n")
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    return lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
                           env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)


def ours_session(home, argv_extra=()):
    argv = [lib.binary("imapd"), *argv_extra]
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": "maildir:~/Maildir"}
    return lib.ImapSession(argv, env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)


def pair(count=6, seed=7):
    """(ours, dovecot) sessions on two copies of one generated maildir."""
    src = lib.tempdir()
    make_maildir(src, count, seed)
    homes = []
    for _ in range(2):
        h = lib.tempdir()
        shutil.copytree(os.path.join(src, "Maildir"), os.path.join(h, "Maildir"))
        homes.append(h)
    return ours_session(homes[0]), dovecot_slash_session(homes[1])


# Response codes whose presence must agree; other codes and texts are free.
COMPARED_CODES = (b"READ-WRITE", b"READ-ONLY", b"TRYCREATE", b"APPENDUID", b"COPYUID", b"TOOBIG")


def norm_tagged(line):
    m = re.match(rb"(\S+) (OK|NO|BAD) ?(\[[^\]]*\])?", line)
    assert m, line
    status, code = m.group(2), m.group(3) or b""
    if code and not code[1:].startswith(COMPARED_CODES):
        code = b""
    code = re.sub(rb"^\[(APPENDUID|COPYUID) \d+", rb"[\1 V", code)
    return status + (b" " + code if code else b"")


def expunged_originals(numbers):
    """The original sequence numbers a run of "* n EXPUNGE" removed: servers
    may report them in any order (each number valid when it is sent)."""
    remaining = list(range(1, 100001))
    return sorted(remaining.pop(n - 1) for n in numbers)


def norm_untagged(lines):
    out = []
    expunges = []
    for line in lines:
        line = line.rstrip(b"\r\n")
        if line.startswith(b"* OK [CLOSED]"):
            continue  # Dovecot's RFC 7162 extra, sent even without QRESYNC
        if line.startswith(b"* OK [MAILBOXID "):
            continue  # OBJECTID (RFC 8474), which Dovecot 2.3.19 lacks
        m = re.match(rb"^\* (\d+) EXPUNGE$", line)
        if m:
            expunges.append(int(m.group(1)))
            continue
        # \Recent is per session and our maildir driver's notion of it
        # differs from Dovecot's; RFC 3501 leaves it to the server.
        if re.match(rb"^\* \d+ RECENT$", line):
            continue
        line = re.sub(rb"([( ])RECENT \d+", rb"\1RECENT n", line)
        line = line.replace(b" \\Recent", b"").replace(b"\\Recent ", b"").replace(b"(\\Recent)", b"()")
        line = re.sub(rb"\[(UIDVALIDITY|COPYUID) \d+", rb"[\1 V", line)
        line = re.sub(rb" UIDVALIDITY \d+", b" UIDVALIDITY V", line)
        line = re.sub(rb"^(\* (OK|NO|BAD) \[[^\]]*\]).*", rb"\1", line)
        out.append(line)
    out += [b"* %d EXPUNGE (original)" % n for n in expunged_originals(expunges)]
    return sorted(out)


def run_both(ours, dov, commands):
    """Runs each command on both; returns the list of mismatches."""
    diffs = []
    for c in commands:
        literals = ()
        if isinstance(c, tuple):
            c, literals = c
        a_u, a_t = ours.cmd(c, literals)
        b_u, b_t = dov.cmd(c, literals)
        a = (norm_untagged(a_u), norm_tagged(a_t))
        b = (norm_untagged(b_u), norm_tagged(b_t))
        if a != b:
            diffs.append((c, a, b))
    return diffs


def assert_same(commands, count=6, seed=7):
    ours, dov = pair(count, seed)
    try:
        diffs = run_both(ours, dov, commands)
    finally:
        ours.close()
        dov.close()
    assert not diffs, "\n".join(f"{c!r}:\n  ours    {a}\n  dovecot {b}" for c, a, b in diffs)


def test_select_examine_like_dovecot():
    assert_same(["SELECT INBOX", "EXAMINE INBOX", "SELECT inbox", "STORE 2 -FLAGS (\\Seen)",
                 "SELECT INBOX", "UNSELECT", "SELECT nosuch", "NOOP", "CHECK", "CLOSE"])


def test_list_lsub_patterns_like_dovecot():
    assert_same(["CREATE a/b/c", "CREATE a", "CREATE d", 'CREATE "x y"', "CREATE e/",
                 'LIST "" ""', 'LIST "" "*"', 'LIST "" "%"', 'LIST "" "a/%"', 'LIST "a/" "%"',
                 'LIST "" "a*"', 'LIST "" "inbox"', 'LIST "" "nosuch"', 'LIST "" "%/%"',
                 "SUBSCRIBE a/b/c", "SUBSCRIBE d", 'LSUB "" "*"', 'LSUB "" "%"', 'LSUB "" "a/%"',
                 "UNSUBSCRIBE d", 'LSUB "" "*"'])


def test_create_rename_delete_then_list_like_dovecot():
    assert_same(["CREATE x", "CREATE x/y", "CREATE x", 'LIST "" "*"', "RENAME x z", 'LIST "" "*"',
                 "RENAME z/y w", "DELETE w", "DELETE nosuch", "RENAME nosuch q", "CREATE INBOX",
                 "DELETE INBOX", 'LIST "" "*"'])


def test_status_like_dovecot():
    assert_same(["STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)",
                 "STATUS INBOX (UNSEEN MESSAGES SIZE)", "STATUS INBOX (RECENT)",
                 "SELECT INBOX", "STORE 1:3 -FLAGS (\\Seen)", "STATUS INBOX (UNSEEN MESSAGES)",
                 "CREATE t", "STATUS t (MESSAGES UIDNEXT UNSEEN)", "STATUS nosuch (MESSAGES)"])


MESSAGE = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: appended\r\n"
           b"Date: Thu, 1 Feb 2024 13:45:00 +0100\r\n\r\nHello.\r\n")


def test_append_like_dovecot():
    n = len(MESSAGE)
    assert_same([
        (f'APPEND INBOX (\\Seen \\Flagged) "01-Feb-2024 13:45:00 +0100" {{{n}+}}', [MESSAGE]),
        (f"APPEND INBOX {{{n}+}}", [MESSAGE]),
        (f"APPEND nosuch {{{n}+}}", [MESSAGE]),
        "CREATE t",
        (f'APPEND t (\\Draft $Label1) " 3-Mar-2023 01:02:03 -0700" {{{n}+}}', [MESSAGE]),
        (f'APPEND t {{{n}+}} (\\Answered) {{{n}+}}', [MESSAGE, MESSAGE]),  # MULTIAPPEND
        "SELECT t", "FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)",
        "SELECT INBOX",
        (f"APPEND INBOX {{{n}+}}", [MESSAGE]),  # EXISTS in the selected mailbox
        "FETCH 7:* (UID FLAGS INTERNALDATE)",
    ])


def test_copy_move_like_dovecot():
    assert_same([
        "SELECT INBOX", "COPY 1:2 t", "CREATE t", "STORE 1 +FLAGS ($Work \\Answered)",
        "COPY 1:2 t", "UID COPY 3,5 t", "UID COPY 100 t", "COPY 9 t",
        "MOVE 4 t", "UID MOVE 5:* t", "FETCH 1:* (UID FLAGS)",
        "SELECT t", "FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)",
        "STATUS INBOX (MESSAGES UIDNEXT)",
    ])


def test_expunge_like_dovecot():
    assert_same(["SELECT INBOX", "STORE 1:4 +FLAGS.SILENT (\\Deleted)", "UID EXPUNGE 2:3",
                 "FETCH 1:* (UID)", "EXPUNGE", "FETCH 1:* (UID)", "EXPUNGE",
                 "EXAMINE INBOX", "EXPUNGE"])


def test_bad_names_refused_like_dovecot():
    names = ["../x", "a/../b", "/etc/passwd", "~root", ".x", "a/.b", "a//b"]
    commands = []
    for name in names:
        commands += [f'SELECT "{name}"', f'CREATE "{name}"', f'STATUS "{name}" (MESSAGES)']
    assert_same(commands)


def test_bad_names_get_clear_text():
    home = lib.tempdir()
    make_maildir(home, 1)
    s = ours_session(home)
    for name in ("../x", "/etc/passwd", "~root", ".x"):
        _, tagged = s.cmd(f'SELECT "{name}"')
        assert tagged.startswith(b"t%d NO " % s.tag_no) and b"name" in tagged, tagged
    s.close()
    assert not os.path.exists(os.path.join(home, "x"))


def test_delete_with_children_leaves_noselect_level():
    home = lib.tempdir()
    make_maildir(home, 1)
    s = ours_session(home)
    assert s.cmd("CREATE p/c")[1].startswith(b"t1 OK")
    assert s.cmd("CREATE p")[1].startswith(b"t2 OK")
    assert s.cmd("DELETE p")[1].startswith(b"t3 OK")
    untagged, _ = s.cmd('LIST "" "p*"')
    assert untagged == [b'* LIST (\\Noselect \\HasChildren) "/" p\r\n',
                        b'* LIST (\\HasNoChildren) "/" p/c\r\n'], untagged
    _, tagged = s.cmd("SELECT p")
    assert tagged.startswith(b"t5 NO"), tagged
    s.close()


def test_append_over_size_limit_is_toobig_and_writes_nothing():
    home = lib.tempdir()
    make_maildir(home, 1)
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write("max_message_size = 1K\n")
    s = ours_session(home, ["-c", conf])
    big = b"Subject: big\r\n\r\n" + b"x" * 2000 + b"\r\n"
    # A synchronising literal: refused before the client sends a byte.
    s.send(b"a1 APPEND INBOX {%d}\r\n" % len(big))
    line = s.read_response_line()
    assert line.startswith(b"a1 NO [TOOBIG]"), line
    _, tagged = s.cmd("STATUS INBOX (MESSAGES)")
    untagged, _ = s.cmd("STATUS INBOX (MESSAGES)")
    assert untagged == [b"* STATUS INBOX (MESSAGES 1)\r\n"], untagged
    small = MESSAGE
    _, tagged = s.cmd(f"APPEND INBOX {{{len(small)}+}}", [small])
    assert re.match(rb"t\d+ OK \[APPENDUID \d+ 2\]", tagged), tagged
    s.close()


def test_bad_configuration_is_bye_with_detail_on_stderr():
    home = lib.tempdir()
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write("# test\nmail_locaton = maildir:~/Maildir\n")
    os.chmod(home, 0o755)
    proc = subprocess.run([lib.binary("imapd"), "-c", conf], input=b"", capture_output=True,
                          env={"HOME": home, "PATH": "/usr/bin:/bin"},
                          preexec_fn=lib.imapd_preexec(home), timeout=30)
    assert proc.stdout.startswith(b"* BYE "), proc.stdout
    assert b"mail_locaton" not in proc.stdout, proc.stdout
    assert f"{conf}:2".encode() in proc.stderr, proc.stderr
    missing = os.path.join(home, "nosuch.conf")
    proc = subprocess.run([lib.binary("imapd"), "-c", missing], input=b"", capture_output=True,
                          env={"HOME": home, "PATH": "/usr/bin:/bin"},
                          preexec_fn=lib.imapd_preexec(home), timeout=30)
    assert proc.stdout.startswith(b"* BYE "), proc.stdout


def test_changes_reach_a_second_session_at_noop():
    home = lib.tempdir()
    make_maildir(home, 3)
    a, b = ours_session(home), ours_session(home)
    for s in (a, b):
        assert s.cmd("SELECT INBOX")[1].startswith(b"t1 OK")
    _, tagged = a.cmd(f"APPEND INBOX {{{len(MESSAGE)}+}}", [MESSAGE])
    assert tagged.startswith(b"t2 OK"), tagged
    untagged, _ = b.cmd("NOOP")
    assert b"* 4 EXISTS\r\n" in untagged, untagged
    a.cmd("NOOP")
    a.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    untagged, _ = a.cmd("EXPUNGE")
    assert untagged[0] == b"* 2 EXPUNGE\r\n", untagged
    # a RECENT follows when message 2 was recent here, as Dovecot sends it
    assert all(re.match(rb"\* \d+ RECENT\r\n", l) for l in untagged[1:]), untagged
    untagged, _ = b.cmd("NOOP")
    assert b"* 2 EXPUNGE\r\n" in untagged, untagged
    untagged, _ = b.cmd("STATUS INBOX (MESSAGES)")
    assert untagged == [b"* STATUS INBOX (MESSAGES 3)\r\n"], untagged
    a.close()
    b.close()
