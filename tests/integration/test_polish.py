"""Small correctness items: special uses follow RENAME and go with DELETE;
index_dir holds every derived file (unix index, cache, modseq) so nothing
appears beside the mailbox; unsolicited FETCH has no UID unless CONDSTORE or
QRESYNC is on (as Dovecot); MAIL in a root-started session's environment does
not override mail_location. (MOVE at the quota limit: test_ext_list.py.)"""
import os
import re

import lib

MSG = b"From: a@example.org\r\nSubject: polish\r\n\r\nbody line\r\n"


def write_conf(home, text):
    path = os.path.join(home, "imapd.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def session(home, mail, conf_text=""):
    conf = write_conf(home, conf_text)
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": mail}
    return lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env,
                           preexec_fn=lib.imapd_preexec(home), cwd=home)


def ok(s, command, literals=()):
    untagged, tagged = s.cmd(command, literals)
    assert b" OK " in tagged, (command, untagged, tagged)
    return [l.rstrip(b"\r\n").decode() for l in untagged]


def make_maildir(root):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)


def read(path):
    with open(path) as f:
        return f.read()


def test_polish_special_use_follows_rename_and_delete():
    home = lib.tempdir()
    root = os.path.join(home, "Maildir")
    make_maildir(root)
    s = session(home, "maildir:" + root)
    ok(s, "CREATE Bin (USE (\\Trash))")
    ok(s, "CREATE Bin/Old (USE (\\Archive))")
    ok(s, "CREATE Outbox (USE (\\Sent))")
    ok(s, "RENAME Bin Waste")
    assert read(os.path.join(root, ".imapd-special-use")) == \
        "Outbox\t\\Sent\nWaste\t\\Trash\nWaste/Old\t\\Archive\n"
    listed = ok(s, 'LIST "" "*" RETURN (SPECIAL-USE)')
    assert any(l.endswith('"/" Waste') and "\\Trash" in l for l in listed), listed
    assert any(l.endswith('"/" Waste/Old') and "\\Archive" in l for l in listed), listed
    assert not any(l.endswith('"/" Bin') for l in listed), listed
    ok(s, "DELETE Outbox")
    assert read(os.path.join(root, ".imapd-special-use")) == "Waste\t\\Trash\nWaste/Old\t\\Archive\n"
    # Created again without USE, in a new session: no stale \Sent.
    s.close()
    s = session(home, "maildir:" + root)
    ok(s, "CREATE Outbox")
    assert ok(s, 'LIST "" "Outbox"') == ['* LIST (\\HasNoChildren) "/" Outbox']
    s.close()


def test_polish_special_use_rename_unix_levels():
    home = lib.tempdir()
    mail_dir = os.path.join(home, "mail")
    os.makedirs(mail_dir)
    mail = "unix:%s:INBOX=%s" % (mail_dir, os.path.join(home, "INBOX"))
    s = session(home, mail)
    ok(s, "CREATE a/Drafts (USE (\\Drafts))")
    ok(s, "RENAME a b")
    assert read(os.path.join(mail_dir, ".imapd-special-use")) == "b/Drafts\t\\Drafts\n"
    listed = ok(s, 'LIST (SPECIAL-USE) "" "*"')
    assert len(listed) == 1 and listed[0].endswith('"/" b/Drafts') and "\\Drafts" in listed[0], listed
    s.close()


def files_under(top):
    out = []
    for dirpath, _, files in os.walk(top):
        out += [os.path.relpath(os.path.join(dirpath, f), top) for f in files]
    return sorted(out)


def exercise(s, folder):
    ok(s, "APPEND %s (\\Flagged) {%d+}" % (folder, len(MSG)), [MSG])
    ok(s, "APPEND %s {%d+}" % (folder, len(MSG)), [MSG])
    ok(s, "ENABLE CONDSTORE")
    ok(s, "SELECT " + folder)
    ok(s, "FETCH 1:* (ENVELOPE BODYSTRUCTURE FLAGS MODSEQ)")
    ok(s, "STORE 1 +FLAGS (\\Seen)")
    ok(s, "FETCH 2 BODY[]")
    ok(s, "CLOSE")


def test_polish_index_dir_unix():
    home = lib.tempdir()
    mail_dir = os.path.join(home, "mail")
    os.makedirs(mail_dir)
    mail = "unix:%s:INBOX=%s" % (mail_dir, os.path.join(home, "INBOX"))
    s = session(home, mail, "index_dir = ~/.imapd-index\nspool =\n")
    ok(s, "CREATE Folder")
    exercise(s, "Folder")
    exercise(s, "INBOX")
    s.close()
    assert not os.path.exists(os.path.join(mail_dir, ".imapd")), files_under(mail_dir)
    assert not os.path.exists(os.path.join(home, ".imapd")), files_under(home)
    assert files_under(mail_dir) == ["Folder"]
    kinds = {f.rsplit(".", 1)[1] for f in files_under(os.path.join(home, ".imapd-index"))}
    assert {"index", "cache", "modseq"} <= kinds, kinds
    # A second session reads them back: the same flags.
    s = session(home, mail, "index_dir = ~/.imapd-index\nspool =\n")
    ok(s, "SELECT Folder")
    flags = ok(s, "FETCH 1:* FLAGS")
    assert flags == ['* 1 FETCH (FLAGS (\\Flagged \\Seen))', '* 2 FETCH (FLAGS (\\Seen))'], flags
    s.close()


def test_polish_index_dir_maildir():
    home = lib.tempdir()
    root = os.path.join(home, "Maildir")
    make_maildir(root)
    s = session(home, "maildir:" + root, "index_dir = ~/.imapd-index\n")
    ok(s, "CREATE Folder")
    exercise(s, "Folder")
    exercise(s, "INBOX")
    s.close()
    # imapd-recent is mailbox state kept beside dovecot-uidlist, under its
    # lock (as dovecot-uidlist stays in a maildir whatever INDEX= says).
    inside = [f for f in files_under(root) if "imapd-" in f and not f.endswith("imapd-recent")]
    assert inside == [], inside
    kinds = {f.rsplit(".", 1)[1] for f in files_under(os.path.join(home, ".imapd-index"))}
    assert {"cache", "modseq"} <= kinds, kinds


def test_polish_unsolicited_fetch_without_uid_as_dovecot():
    """Another session sets \\Seen; NOOP tells the flags. Without CONDSTORE
    or QRESYNC: no UID, the line Dovecot sends; with QRESYNC: UID and MODSEQ."""
    def transcript(open_session):
        home = lib.tempdir()
        make_maildir(os.path.join(home, "Maildir"))
        a = open_session(home)
        ok(a, "APPEND INBOX {%d+}" % len(MSG), [MSG])
        ok(a, "SELECT INBOX")
        b = open_session(home)
        ok(b, "SELECT INBOX")
        ok(b, "STORE 1 +FLAGS.SILENT (\\Seen)")
        b.close()
        lines = [l for l in ok(a, "NOOP") if "FETCH" in l]
        a.close()
        return lines

    ours = transcript(lambda home: lib.imapd_session(home))
    assert ours == ["* 1 FETCH (FLAGS (\\Seen \\Recent))"], ours
    try:
        theirs = transcript(lambda home: lib.dovecot_session(home))
        assert theirs == ours, (theirs, ours)
    except lib.Skip:
        pass

    home = lib.tempdir()
    make_maildir(os.path.join(home, "Maildir"))
    a = lib.imapd_session(home)
    ok(a, "APPEND INBOX {%d+}" % len(MSG), [MSG])
    ok(a, "ENABLE QRESYNC")
    ok(a, "SELECT INBOX")
    b = lib.imapd_session(home)
    ok(b, "SELECT INBOX")
    ok(b, "STORE 1 +FLAGS.SILENT (\\Seen)")
    b.close()
    lines = [l for l in ok(a, "NOOP") if "FETCH" in l]
    assert len(lines) == 1 and re.match(r"\* 1 FETCH \(UID 1 FLAGS \(\\Seen \\Recent\) MODSEQ \(\d+\)\)$",
                                        lines[0]), lines
    a.close()


def test_polish_root_session_ignores_mail_env():
    """A systemd unit's Environment=MAIL=... must not redirect every user's
    mail: after a LOGIN in a root-started imapd, mail_location alone counts."""
    from test_login_env import Client, Site, free_port
    import subprocess
    import time
    site = Site()
    elsewhere = os.path.join(site.dir, "elsewhere")
    tool = "/usr/bin/systemd-socket-activate"
    if not os.path.exists(tool):
        raise lib.Skip("systemd-socket-activate is not installed")
    port = free_port()
    proc = subprocess.Popen([tool, "-l", "127.0.0.1:%d" % port, "-a", "--inetd",
                             "-E", "MAIL=maildir:" + elsewhere,
                             lib.binary("imapd"), "-c", site.conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)
        assert proc.poll() is None, proc.stderr.read()
        c = Client(port)
        c.starttls()
        _, tagged = c.cmd("LOGIN fred pw-fred")
        assert b" OK " in tagged, tagged
        _, tagged = c.cmd("APPEND INBOX", MSG)
        assert b" OK " in tagged, tagged
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not os.path.exists(elsewhere)
    new = os.path.join(site.home("fred"), "Maildir", "new")
    cur = os.path.join(site.home("fred"), "Maildir", "cur")
    assert len(os.listdir(new)) + len(os.listdir(cur)) == 1


def test_polish_move_at_quota_limit_as_dovecot():
    """At the storage limit COPY is refused and MOVE within the one quota
    root is allowed, in our imapd and in Dovecot's quota plugin (count
    backend) alike."""
    big = b"Subject: big\r\n\r\n" + b"x" * 3000 + b"\r\n"

    def transcript(s):
        out = []
        for command in ("CREATE Trash", "SELECT INBOX", "COPY 1 Trash", "MOVE 1 Trash", "STATUS Trash (MESSAGES)"):
            untagged, tagged = s.cmd(command)
            status = tagged.split()[1].decode()
            out.append((command, status, b"[OVERQUOTA]" in tagged or b"Quota exceeded" in tagged))
            if command.startswith("STATUS"):
                out.append([l.rstrip(b"\r\n").decode() for l in untagged])
        s.close()
        return out

    home = lib.tempdir()
    make_maildir(os.path.join(home, "Maildir"))
    s = session(home, "maildir:" + os.path.join(home, "Maildir"))
    ok(s, "APPEND INBOX {%d+}" % len(big), [big])
    s.close()
    ours = transcript(session(home, "maildir:" + os.path.join(home, "Maildir"), "quota_storage = 4K\n"))
    assert ours == [("CREATE Trash", "OK", False), ("SELECT INBOX", "OK", False), ("COPY 1 Trash", "NO", True),
                    ("MOVE 1 Trash", "OK", False), ("STATUS Trash (MESSAGES)", "OK", False),
                    ["* STATUS Trash (MESSAGES 1)"]], ours

    if not os.path.exists(lib.DOVECOT_IMAP):
        return
    home = lib.tempdir()
    make_maildir(os.path.join(home, "Maildir"))
    d = lib.dovecot_session(home)
    ok(d, "APPEND INBOX {%d+}" % len(big), [big])
    d.close()
    conf = lib.dovecot_config(home)
    with open(conf, "a") as f:
        f.write("mail_plugins = quota\nprotocol imap {\n  mail_plugins = quota imap_quota\n}\n"
                "plugin {\n  quota = count:User quota\n  quota_rule = *:storage=4K\n"
                "  quota_vsizes = yes\n}\n")
    import pwd
    pw = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
    if pw:
        lib.chown_tree(home, pw.pw_uid, pw.pw_gid)

    def preexec():
        if pw:
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
    d = lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf], env={"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"},
                        preexec_fn=preexec, cwd=home)
    theirs = transcript(d)
    assert theirs == ours, theirs
