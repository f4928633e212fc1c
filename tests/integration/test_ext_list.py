"""LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE and
CREATE-SPECIAL-USE (RFC 6154), STATUS=SIZE (RFC 8438), APPENDLIMIT
(RFC 7889) and QUOTA (RFC 9208): transcripts of every option and error
case, the same LIST commands against Dovecot on the same maildir tree, and
LIST-STATUS and quota with mbx and unix homes too."""
import os
import re

import lib

MSG = b"From: a@example.org\r\nSubject: test\r\n\r\nbody line\r\n"
FOLDERS = ["Sent", "Trash", "Drafts", "a", "a.b", "a.b.c", "x.y"]  # Maildir++ names; "x" exists only as a level


def make_maildir(home):
    root = os.path.join(home, "Maildir")
    for d in [""] + ["." + f for f in FOLDERS]:
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, d, sub), exist_ok=True)
    return root


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


def maildir_session(home, conf_text=""):
    return session(home, "maildir:" + os.path.join(home, "Maildir"), conf_text)


def format_homes():
    """(format, home, MAIL, mail root) for a fresh home in each format."""
    for fmt in ("maildir", "mbx", "unix"):
        home = lib.tempdir()
        if fmt == "maildir":
            root = make_maildir(home)
            yield fmt, home, "maildir:" + root, root
        else:
            root = os.path.join(home, "mail")
            os.makedirs(root)
            yield fmt, home, "%s:%s:INBOX=%s" % (fmt, root, os.path.join(home, "INBOX")), root


def ok(s, command, literals=()):
    untagged, tagged = s.cmd(command, literals)
    assert b" OK " in tagged, (command, tagged)
    return [l.rstrip(b"\r\n").decode() for l in untagged]


def tagged(s, command, literals=()):
    return s.cmd(command, literals)[1].rstrip(b"\r\n").decode().split(" ", 1)[1]


SPECIAL = "special_use = Sent:\\Sent, Trash:\\Trash, Drafts:\\Drafts\n"


def test_capabilities_advertised():
    home = lib.tempdir()
    make_maildir(home)
    s = maildir_session(home, "max_message_size = 10M\n")
    caps = ok(s, "CAPABILITY")[0].split()
    for c in ["LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE",
              "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "CHILDREN"]:
        assert c in caps, c
    assert "APPENDLIMIT=10485760" in caps
    assert "QUOTASET" not in caps  # SETQUOTA is refused: limits come from the configuration
    s.close()


def test_list_extended_transcripts():
    home = lib.tempdir()
    make_maildir(home)
    s = maildir_session(home, SPECIAL)
    ok(s, "SUBSCRIBE a/b/c")
    ok(s, "SUBSCRIBE Sent")
    ok(s, "SUBSCRIBE gone")
    # Sorted by name bytes; a plain LIST has children and special-use
    # attributes, RFC 5258 syntax only what RETURN asks for (as Dovecot).
    cases = [
        ('LIST "" "*"', [
            '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
            '* LIST (\\HasNoChildren) "/" INBOX',
            '* LIST (\\HasNoChildren \\Sent) "/" Sent',
            '* LIST (\\HasNoChildren \\Trash) "/" Trash',
            '* LIST (\\HasChildren) "/" a',
            '* LIST (\\HasChildren) "/" a/b',
            '* LIST (\\HasNoChildren) "/" a/b/c',
            '* LIST (\\Noselect \\HasChildren) "/" x',
            '* LIST (\\HasNoChildren) "/" x/y']),
        ('LIST (SUBSCRIBED) "" "*"', [
            '* LIST (\\Subscribed) "/" Sent',
            '* LIST (\\Subscribed) "/" a/b/c',
            '* LIST (\\NonExistent \\Subscribed) "/" gone']),
        ('LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN SPECIAL-USE)', [
            '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" Sent',
            '* LIST (\\HasNoChildren \\Subscribed) "/" a/b/c',
            '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" gone']),
        ('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"', [
            '* LIST (\\Subscribed) "/" Sent',
            '* LIST () "/" a ("CHILDINFO" ("SUBSCRIBED"))',
            '* LIST (\\NonExistent \\Subscribed) "/" gone']),
        ('LIST (SUBSCRIBED REMOTE) "" "a*"', [
            '* LIST (\\Subscribed) "/" a/b/c']),
        ('LIST "" ("Sent" "Trash" "x") RETURN (SUBSCRIBED)', [
            '* LIST (\\Subscribed) "/" Sent',
            '* LIST () "/" Trash',
            '* LIST (\\NonExistent) "/" x']),  # a maildir level that is only implied
        ('LIST "" "%" RETURN (CHILDREN SPECIAL-USE)', [
            '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
            '* LIST (\\HasNoChildren) "/" INBOX',
            '* LIST (\\HasNoChildren \\Sent) "/" Sent',
            '* LIST (\\HasNoChildren \\Trash) "/" Trash',
            '* LIST (\\HasChildren) "/" a',
            '* LIST (\\NonExistent \\HasChildren) "/" x']),
        ('LIST (SPECIAL-USE) "" "*"', [
            '* LIST (\\Drafts) "/" Drafts',
            '* LIST (\\Sent) "/" Sent',
            '* LIST (\\Trash) "/" Trash']),
        ('LIST "" ""', ['* LIST (\\Noselect) "/" ""']),
    ]
    for command, expected in cases:
        assert ok(s, command) == expected, command
    s.close()


def test_list_extended_errors():
    for fmt, home, mail, _ in format_homes():
        s = session(home, mail)
        for command in ['LIST (FOO) "" "*"', 'LIST (RECURSIVEMATCH) "" "*"', 'LIST (RECURSIVEMATCH REMOTE) "" "*"',
                        'LIST "" "*" RETURN (FOO)', 'LIST "" "*" RETURN (STATUS (BOGUS))',
                        'LIST "" "*" RETURN (STATUS)', 'LIST "" "*" FOO (CHILDREN)', 'LIST "" ()',
                        'CREATE z (FOO (\\Sent))']:
            assert tagged(s, command).startswith("BAD"), (fmt, command)
        s.close()


def test_list_status_and_status_size():
    for fmt, home, mail, _ in format_homes():
        s = session(home, mail, SPECIAL)
        if fmt != "maildir":
            ok(s, "CREATE Sent")
            ok(s, "CREATE x/y")  # a directory: "x" holds folders only
        ok(s, "APPEND Sent {%d+}" % len(MSG), [MSG])
        ok(s, "APPEND Sent (\\Seen) {%d+}" % len(MSG), [MSG])
        lines = ok(s, 'LIST "" ("Sent" "x" "nothing") RETURN (STATUS (MESSAGES UNSEEN SIZE))')
        # a mailbox file cannot have children: \\NoInferiors (Dovecot's mbox too)
        file_attr = "" if fmt == "maildir" else "\\NoInferiors"
        assert lines == [
            '* LIST (%s) "/" Sent' % file_attr,  # RETURN without SPECIAL-USE or CHILDREN: neither
            '* STATUS Sent (MESSAGES 2 UNSEEN 1 SIZE %d)' % (2 * len(MSG)),
            # no STATUS for a mailbox that does not exist (maildir: an implied
            # level; mbx/unix: a directory, which cannot be selected)
            '* LIST (%s) "/" x' % ("\\NonExistent" if fmt == "maildir" else "\\Noselect"),
        ], (fmt, lines)
        assert ok(s, "STATUS Sent (SIZE MESSAGES)") == ["* STATUS Sent (MESSAGES 2 SIZE %d)" % (2 * len(MSG))], fmt
        s.close()


def test_create_special_use_persists():
    for fmt, home, mail, root in format_homes():
        s = session(home, mail)
        assert tagged(s, "CREATE Junk (USE (\\Bogus))").startswith("NO [USEATTR]")
        assert not os.path.exists(os.path.join(root, ".Junk" if fmt == "maildir" else "Junk"))  # nothing created
        ok(s, "CREATE Junk (USE (\\Junk))")
        ok(s, "CREATE Old (USE (\\Archive \\Flagged))")
        s.close()
        with open(os.path.join(root, ".imapd-special-use")) as f:
            assert f.read() == "Junk\t\\Junk\nOld\t\\Archive \\Flagged\n"
        s = session(home, mail)  # a new session reads the user's file
        file_attr = "" if fmt == "maildir" else "\\NoInferiors "  # a mailbox file
        assert ok(s, 'LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)') == [
            '* LIST (%s\\Junk) "/" Junk' % file_attr,
            '* LIST (%s\\Archive \\Flagged) "/" Old' % file_attr], fmt
        # Deleted and created again without USE: the old use is forgotten.
        ok(s, "DELETE Old")
        ok(s, "CREATE Old")
        assert ok(s, 'LIST "" "Old"') == ['* LIST (%s) "/" Old' % (file_attr.strip() or "\\HasNoChildren")], fmt
        s.close()


def test_special_use_create_at_login():
    for fmt, home, mail, root in format_homes():
        s = session(home, mail, "special_use = Spam:\\Junk, Archive:\\Archive\nspecial_use_create = yes\n")
        file_attr = "" if fmt == "maildir" else "\\NoInferiors "  # a mailbox file
        assert ok(s, 'LIST (SPECIAL-USE) "" "*"') == ['* LIST (%s\\Archive) "/" Archive' % file_attr,
                                                      '* LIST (%s\\Junk) "/" Spam' % file_attr], fmt
        assert ok(s, 'STATUS Spam (MESSAGES)') == ['* STATUS Spam (MESSAGES 0)'], fmt
        s.close()
        if fmt == "maildir":
            assert os.path.isdir(os.path.join(root, ".Spam", "cur"))
            assert os.path.isdir(os.path.join(root, ".Archive", "cur"))
        else:
            assert os.path.isfile(os.path.join(root, "Spam")) and os.path.isfile(os.path.join(root, "Archive"))


def maildir_files(root):
    out = []
    for dirpath, _, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files if not dirpath.endswith("/tmp")]
    return sorted(out)


def check_quota_enforced(home, mail, files_of, usage):
    """APPEND, COPY and MOVE over quota_storage are NO [OVERQUOTA] and leave
    the mail on disk unchanged; GETQUOTA/GETQUOTAROOT report the usage. The
    limit is set from the usage after one message, so that one more copy of
    it fits and a second does not (mbx and unix files have overhead)."""
    big = b"Subject: big\r\n\r\n" + b"x" * 900 + b"\r\n"
    s = session(home, mail)
    ok(s, "CREATE Other")
    ok(s, "APPEND INBOX {%d+}" % len(big), [big])
    s.close()
    limit = usage() + len(big) + 100
    s = session(home, mail, "quota_storage = %d\nquota_messages = 5\n" % limit)
    before = files_of()
    assert tagged(s, "APPEND INBOX {%d+} {%d+}" % (len(big), len(big)),
                  [big, big]).startswith("NO [OVERQUOTA]")  # MULTIAPPEND: neither message kept
    assert files_of() == before, (mail, before, files_of())
    roots = ok(s, "GETQUOTAROOT INBOX")
    assert roots[0] == '* QUOTAROOT INBOX ""'
    m = re.match(r'\* QUOTA "" \(STORAGE (\d+) (\d+) MESSAGE 1 5\)$', roots[1])
    assert m and int(m.group(2)) == limit // 1024, roots
    assert ok(s, 'GETQUOTA ""') == roots[1:]
    assert tagged(s, 'GETQUOTA "other"').startswith("NO")
    assert tagged(s, 'SETQUOTA "" (STORAGE 100)').startswith("NO")
    ok(s, "SELECT INBOX")
    ok(s, "COPY 1 Other")  # fits
    ok(s, "NOOP")  # mbx writes the message's no-longer-recent flag lazily
    before = files_of()
    assert tagged(s, "COPY 1 Other").startswith("NO [OVERQUOTA]")
    assert files_of() == before
    assert ok(s, "STATUS Other (MESSAGES)") == ["* STATUS Other (MESSAGES 1)"]
    # A MOVE inside the one quota root does not grow the usage: allowed at
    # the limit, so that a full mailbox can still be cleaned up (Dovecot's
    # quota plugin skips the check for a move within one root).
    ok(s, "MOVE 1 Other")
    assert ok(s, "STATUS Other (MESSAGES)") == ["* STATUS Other (MESSAGES 2)"]
    assert ok(s, "STATUS INBOX (MESSAGES)") == ["* STATUS INBOX (MESSAGES 0)"]
    s.close()


def test_quota_maildir():
    home = lib.tempdir()
    root = make_maildir(home)
    files = lambda: maildir_files(root)
    check_quota_enforced(home, "maildir:" + root, files,
                         lambda: sum(os.path.getsize(p) for p in files() if "/cur/" in p or "/new/" in p))


def file_state(paths, mbx):
    """The files' messages. In mbx, opening a mailbox rewrites state in place
    that is not the messages: the 2048-byte file header and each message's
    flags (a read-write open clears \\Recent, UW's fOLD bit), so those are
    left out."""
    def read(p):
        data = open(p, "rb").read()
        return re.sub(rb";[0-9a-f]{12}-", b";-", data[2048:]) if mbx else data

    def state():
        return [read(p) if os.path.exists(p) else None for p in paths]
    return state


def test_quota_and_list_status_mbx_and_unix():
    for fmt in ("mbx", "unix"):
        home = lib.tempdir()
        mail_dir = os.path.join(home, "mail")
        os.makedirs(mail_dir)
        inbox = os.path.join(home, "INBOX")
        mail = "%s:%s:INBOX=%s" % (fmt, mail_dir, inbox)
        paths = [inbox, os.path.join(mail_dir, "Other")]
        check_quota_enforced(home, mail, file_state(paths, fmt == "mbx"), lambda: sum(os.path.getsize(p) for p in paths))
        s = session(home, mail)
        lines = ok(s, 'LIST "" "*" RETURN (STATUS (MESSAGES))')
        assert lines == ['* LIST () "/" INBOX', '* STATUS INBOX (MESSAGES 0)',
                         '* LIST (\\NoInferiors) "/" Other', '* STATUS Other (MESSAGES 2)'], (fmt, lines)
        s.close()


# --- The same LIST commands against Dovecot on the same maildir tree ---

def dovecot_session(home):
    if not os.path.exists(lib.DOVECOT_IMAP):
        raise lib.Skip("dovecot-imapd is not installed")
    conf = lib.dovecot_config(home)
    with open(conf, "a") as f:
        f.write("namespace inbox {\n  inbox = yes\n  separator = /\n"
                "  mailbox Sent {\n    special_use = \\Sent\n  }\n"
                "  mailbox Trash {\n    special_use = \\Trash\n  }\n"
                "  mailbox Drafts {\n    special_use = \\Drafts\n  }\n}\n")
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    preexec = lib.imapd_preexec(home)
    return lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
                           env=env, preexec_fn=preexec, cwd=home)


def normalise(lines):
    """Dovecot quotes every mailbox name and orders attributes its own way;
    compare attribute sets and names. Attributes become sorted tuples, not
    frozensets: the lines are sorted by repr, and two equal frozensets can
    repr in different orders (string hashing is randomised per run), which
    made equal answers compare unequal now and then."""
    out = []
    for line in lines:
        m = re.match(r'\* LIST \(([^)]*)\) "/" "?([^" ]*)"?(.*)$', line)
        if m:
            # The extended data's tag is an astring: Dovecot writes CHILDINFO
            # as an atom, we quote it as RFC 5258's examples do.
            out.append(("LIST", tuple(sorted(m.group(1).split())), m.group(2), m.group(3).strip().replace('"CHILDINFO"', "CHILDINFO")))
            continue
        m = re.match(r'\* STATUS "?([^" ]*)"? \((.*)\)$', line)
        out.append(("STATUS", m.group(1), tuple(sorted(re.findall(r"\w+ \d+", m.group(2))))) if m else line)
    return sorted(out, key=repr)


DIFF_COMMANDS = [
    'LIST "" "*"',
    'LIST "" "%"',
    'LIST "" "a/%"',
    'LIST (SUBSCRIBED) "" "*"',
    'LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)',
    'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"',
    'LIST (SUBSCRIBED RECURSIVEMATCH) "" "*"',
    'LIST "" ("Sent" "a/*") RETURN (SUBSCRIBED)',
    'LIST (SPECIAL-USE) "" "*"',
    'LIST "" "*" RETURN (SPECIAL-USE)',
    'LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN UIDNEXT))',
    'LIST (SUBSCRIBED) "" "%" RETURN (STATUS (MESSAGES))',
]


def test_list_extended_against_dovecot():
    home = lib.tempdir()
    make_maildir(home)
    ours = maildir_session(home, SPECIAL)
    ok(ours, "APPEND Sent {%d+}" % len(MSG), [MSG])
    for name in ("a/b/c", "Sent", "gone", "x"):
        ok(ours, "SUBSCRIBE " + name)
    ours.close()
    ours = maildir_session(home, SPECIAL)
    ours_out = [normalise(ok(ours, c)) for c in DIFF_COMMANDS]
    ours.close()
    dove = dovecot_session(home)
    dove_out = [normalise(ok(dove, c)) for c in DIFF_COMMANDS]
    dove.close()
    for command, a, b in zip(DIFF_COMMANDS, ours_out, dove_out):
        assert a == b, (command, a, b)
