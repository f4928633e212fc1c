"""dmail: delivery into each format (checked with mailtool and through
imapd), forged status headers removed, the unix From line's sender, folders
that cannot be had going to INBOX, exit codes, and real procmail filing by
Subject through dmail. Run as nobody when we are root (dmail delivers for its
invoking user)."""
import os
import pwd
import re
import shutil
import subprocess

import lib

FORMATS = ("mbx", "unix", "maildir")


def location(home, fmt):
    if fmt == "maildir":
        return f"maildir:{home}/Maildir"
    return f"{fmt}:{home}/mail:INBOX={home}/INBOX"


def inbox_path(home, fmt):
    return f"{home}/Maildir" if fmt == "maildir" else f"{home}/INBOX"


def folder_path(home, fmt, name):
    return f"{home}/Maildir/.{name}" if fmt == "maildir" else f"{home}/mail/{name}"


def as_nobody(home):
    """preexec_fn running the child as nobody when we are root (home chowned)."""
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")
    lib.chown_tree(home, pw.pw_uid, pw.pw_gid)

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def dmail_env(home, fmt):
    return {"HOME": home, "PATH": "/usr/bin:/bin", "MAIL": location(home, fmt)}


def dmail(home, fmt, args, message, preexec=None, check=True):
    """Runs dmail; returns the CompletedProcess."""
    r = subprocess.run([lib.binary("dmail")] + list(args), input=message, capture_output=True,
                       env=dmail_env(home, fmt), preexec_fn=preexec or as_nobody(home), timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"dmail {args} exit {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r


def ls(path):
    """mailtool ls: (uidvalidity, [(uid, [flags and keywords], size)])."""
    out = subprocess.run([lib.binary("mailtool"), "ls", path], capture_output=True, check=True).stdout.decode()
    lines = out.splitlines()
    msgs = []
    for line in lines[2:]:
        words = line.split()
        msgs.append((int(words[0]), words[1:-1], int(words[-1])))
    return int(lines[0].split()[1]), msgs


def cat(path, uid):
    return subprocess.run([lib.binary("mailtool"), "cat", path, str(uid)], capture_output=True, check=True).stdout


def message(subject, extra=b"", body=b"hello\n"):
    return (b"From: Alice <alice@example.com>\nTo: nobody@example.com\nSubject: " + subject.encode() +
            b"\nMessage-ID: <" + subject.encode().replace(b" ", b".") + b"@example.com>\n" + extra + b"\n" + body)


FORGED = (b"Status: RO\nX-Status: DF\nx-keywords: $Forged\n  $Forged2\nX-UID: 4000000000\n"
          b"X-IMAP: 1 4000000001\nX-IMAPbase: 1 4000000001 $Forged\n")


def test_dmail_delivers_into_each_format():
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, [], message("to inbox"))
        dmail(home, fmt, ["-k", "work,$Label1", "+work"], message("to work"))
        dmail(home, fmt, ["+work"], message("to work again", body=b"From me\nline\n"))
        _, inbox = ls(inbox_path(home, fmt))
        assert [m[0] for m in inbox] == [1], (fmt, inbox)
        _, work = ls(folder_path(home, fmt, "work"))
        assert [m[0] for m in work] == [1, 2], (fmt, work)
        assert sorted(work[0][1]) == ["$Label1", "work"], (fmt, work)
        assert work[1][1] == [], (fmt, work)
        stored = cat(folder_path(home, fmt, "work"), 2)
        assert b"Subject: to work again\n" in stored.replace(b"\r\n", b"\n"), (fmt, stored)
        if fmt == "unix":
            assert b"\n>From me\n" in stored, stored  # quoted as mbox needs
        # A new folder is made in mail_location's format.
        fmtname = subprocess.run([lib.binary("mailtool"), "ls", "-f", fmt, folder_path(home, fmt, "work")],
                                 capture_output=True)
        assert fmtname.returncode == 0, (fmt, fmtname.stderr)


def test_dmail_removes_forged_status_headers():
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+box"], message("forged", extra=FORGED))
        path = folder_path(home, fmt, "box")
        _, msgs = ls(path)
        assert len(msgs) == 1 and msgs[0][0] == 1 and msgs[0][1] == [], (fmt, msgs)
        stored = cat(path, 1)
        for word in (b"$Forged", b"4000000000", b"Status: RO", b"X-Status: DF"):
            assert word not in stored, (fmt, word, stored)
        assert b"Subject: forged" in stored
        if fmt != "unix":  # the unix driver hides its own status lines from cat
            assert b"X-UID" not in stored and b"X-IMAP" not in stored, (fmt, stored)
        raw = open(path, "rb").read() if fmt != "maildir" else b""
        assert b"$Forged" not in raw and b"4000000000" not in raw, (fmt, raw)


def from_lines(path):
    return [l for l in open(path, "rb").read().split(b"\n") if l.startswith(b"From ")]


def test_dmail_unix_from_line_sender():
    home = lib.tempdir()
    dmail(home, "unix", ["-f", "opt@example.org", "+f"], message("one"))
    dmail(home, "unix", ["-r", "<r@example.org>", "+f"], message("two"))
    dmail(home, "unix", ["+f"], b"From env@example.net Mon Jan  1 10:00:00 2001\n" + message("three"))
    dmail(home, "unix", ["+f"], message("four"))
    dmail(home, "unix", ["+f"], b"Subject: five\n\nno from\n")
    dmail(home, "unix", ["-f", "<>", "+f"], message("six"))
    senders = [l.split()[1] for l in from_lines(folder_path(home, "unix", "f"))]
    assert senders[-6:] == [b"opt@example.org", b"r@example.org", b"env@example.net", b"alice@example.com",
                            b"MAILER-DAEMON", b"MAILER-DAEMON"], senders
    _, msgs = ls(folder_path(home, "unix", "f"))
    assert [m[0] for m in msgs] == [1, 2, 3, 4, 5, 6]
    # the envelope line passed on stdin is not kept as a second From line
    assert b"env@example.net Mon Jan" not in cat(folder_path(home, "unix", "f"), 3)


def test_dmail_bad_folder_names_go_to_inbox():
    for fmt in FORMATS:
        home = lib.tempdir()
        for i, name in enumerate(["../escape", "/etc/escape", "~root/x", "a/../../b", "."]):
            r = dmail(home, fmt, ["+" + name], message(f"bad {i}"))
            assert b"INBOX" in r.stderr, (fmt, name, r.stderr)
        _, inbox = ls(inbox_path(home, fmt))
        assert len(inbox) == 5, (fmt, inbox)
        assert not os.path.exists(os.path.join(os.path.dirname(home), "escape"))
        assert not os.path.exists("/etc/escape")
        # +INBOX and +inbox are the INBOX
        dmail(home, fmt, ["+inbox"], message("inbox lower"))
        dmail(home, fmt, ["+INBOX"], message("inbox upper"))
        assert len(ls(inbox_path(home, fmt))[1]) == 7


def test_dmail_usage_and_user_errors():
    home = lib.tempdir()
    r = dmail(home, "mbx", ["-x"], message("x"), check=False)
    assert r.returncode == 64, r
    r = dmail(home, "mbx", ["+a", "+b"], message("x"), check=False)
    assert r.returncode == 64, r
    r = dmail(home, "mbx", ["no-such-user-zz"], message("x"), check=False)
    assert r.returncode == 67, r
    r = dmail(home, "mbx", [], b"", check=False)
    assert r.returncode == 65, r
    if os.geteuid() == 0:  # nobody may not deliver for root
        r = dmail(home, "mbx", ["root"], message("x"), check=False)
        assert r.returncode == 77, r


def test_dmail_as_root_for_user():
    """dmail USER run by root (an MTA's mailbox_command): the mail belongs to
    the user and is written with the user's rights."""
    if os.geteuid() != 0:
        raise lib.Skip("needs root")
    home = lib.tempdir()
    pw = pwd.getpwnam("nobody")
    lib.chown_tree(home, pw.pw_uid, pw.pw_gid)
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"mail_location = mbx:{home}/mail:INBOX={home}/INBOX\n")
    r = subprocess.run([lib.binary("dmail"), "-c", conf, "nobody"], input=message("for nobody"),
                       capture_output=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert r.returncode == 0, r.stderr
    st = os.stat(f"{home}/INBOX")
    assert st.st_uid == pw.pw_uid, st
    assert len(ls(f"{home}/INBOX")[1]) == 1


def test_dmail_too_big_is_refused():
    home = lib.tempdir()
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write("max_message_size = 1K\n")
    dmail(home, "mbx", ["-c", conf], message("small"))
    r = dmail(home, "mbx", ["-c", conf], message("big", body=b"x" * 5000 + b"\n"), check=False)
    assert r.returncode == 77, r
    assert len(ls(inbox_path(home, "mbx"))[1]) == 1


def make_unwritable(path, fmt, writable=False):
    if fmt == "maildir":
        for sub in ("", "tmp", "new", "cur"):
            os.chmod(os.path.join(path, sub), 0o700 if writable else 0o500)
    else:
        os.chmod(path, 0o600 if writable else 0o400)


def test_dmail_unwritable_folder_goes_to_inbox():
    """A folder that exists but cannot be written is our mistake, not the
    sender's: the message goes to INBOX with a warning (as Dovecot's LDA
    does) instead of exit 77, which would bounce it; the folder is unchanged."""
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+ro"], message("first"))
        path = folder_path(home, fmt, "ro")
        before = ls(path)
        make_unwritable(path, fmt)
        r = dmail(home, fmt, ["+ro"], message("second"), check=False)
        make_unwritable(path, fmt, writable=True)
        assert r.returncode == 0, (fmt, r.returncode, r.stderr)
        err = r.stderr.decode(errors="replace")
        assert 'cannot deliver to folder "ro"' in err and "delivering to INBOX" in err, (fmt, err)
        assert ls(path) == before, (fmt, ls(path), before)
        inbox = ls(inbox_path(home, fmt))[1]
        assert len(inbox) == 1 and b"Subject: second" in cat(inbox_path(home, fmt), inbox[0][0]), fmt


def test_dmail_unwritable_inbox_is_a_temporary_failure():
    """When INBOX cannot be written either, exit 75: the MTA keeps the
    message and retries once the administrator fixed the permissions."""
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, [], message("first"))
        path = inbox_path(home, fmt)
        before = ls(path)
        make_unwritable(path, fmt)
        r = dmail(home, fmt, [], message("second"), check=False)
        make_unwritable(path, fmt, writable=True)
        assert r.returncode == 75, (fmt, r.returncode, r.stderr)
        assert ls(path) == before, (fmt, ls(path), before)


def test_dmail_through_imapd():
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["-k", "todo", "+lists/dev"], message("to dev", extra=FORGED))
        dmail(home, fmt, [], message("to inbox"))
        s = lib.imapd_session(home, env={"MAIL": location(home, fmt)})
        try:
            untagged, tagged = s.cmd('SELECT "lists/dev"')
            assert b"OK" in tagged, (fmt, tagged, untagged)
            assert b"* 1 EXISTS\r\n" in untagged, (fmt, untagged)
            untagged, tagged = s.cmd("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT STATUS X-UID)])")
            text = b"".join(untagged)
            assert b"todo" in text and b"$Forged" not in text and b"\\Seen" not in text, (fmt, text)
            assert b"Subject: to dev" in text and b"X-UID:" not in text and b"Status:" not in text, (fmt, text)
            untagged, tagged = s.cmd("STATUS INBOX (MESSAGES)")
            assert b"MESSAGES 1" in b"".join(untagged), (fmt, untagged)
        finally:
            s.close()


PROCMAILRC = """SHELL=/bin/sh
MAIL={mail}
LOGFILE={home}/procmail.log
VERBOSE=yes

:0 w
* ^Subject:.*\\[dev\\]
| {dmail} +dev

:0 w
* ^Subject:.*invoice
| {dmail} -k billing +accounts/invoices

:0 w
| {dmail}
"""


def test_dmail_under_procmail():
    procmail = shutil.which("procmail")
    if not procmail:
        raise lib.Skip("procmail is not installed")
    for fmt in FORMATS:
        home = lib.tempdir()
        rc = os.path.join(home, ".procmailrc")
        with open(rc, "w") as f:
            f.write(PROCMAILRC.format(mail=location(home, fmt), home=home, dmail=lib.binary("dmail")))
        mails = [("[dev] build broken", "dev"), ("your invoice 42", "accounts/invoices"),
                 ("hello", "INBOX"), ("[dev] fixed", "dev")]
        for subject, _ in mails:
            msg = b"From sender@example.org Mon Jan  1 10:00:00 2001\n" + message(subject, extra=FORGED)
            r = subprocess.run([procmail, "-m", rc], input=msg, capture_output=True,
                               env={"HOME": home, "PATH": "/usr/bin:/bin"}, preexec_fn=as_nobody(home),
                               timeout=60)
            assert r.returncode == 0, (fmt, r.returncode, r.stderr, open(f"{home}/procmail.log").read())
        def count(name):
            path = inbox_path(home, fmt) if name == "INBOX" else folder_path(home, fmt, name)
            if fmt == "maildir" and name != "INBOX":
                path = f"{home}/Maildir/." + name.replace("/", ".")
            return ls(path)[1]
        assert len(count("dev")) == 2, fmt
        inv = count("accounts/invoices")
        assert len(inv) == 1 and inv[0][1] == ["billing"], (fmt, inv)
        assert len(count("INBOX")) == 1, fmt
        if fmt == "unix":
            assert all(l.split()[1] == b"sender@example.org"
                       for l in from_lines(folder_path(home, fmt, "dev"))[1:]), from_lines(folder_path(home, fmt, "dev"))
        # and through imapd
        s = lib.imapd_session(home, env={"MAIL": location(home, fmt)})
        try:
            untagged, tagged = s.cmd('STATUS "dev" (MESSAGES UIDNEXT)')
            assert b"MESSAGES 2" in b"".join(untagged), (fmt, untagged, tagged)
        finally:
            s.close()
