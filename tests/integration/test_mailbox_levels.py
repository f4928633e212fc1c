"""The folder tree of the file-per-mailbox formats (mbx, unix) against
Dovecot's mbox storage, which passes all of ImapTest: a name ending in the
separator is a directory (\\Noselect) that holds mailboxes, a mailbox file
holds none (\\NoInferiors, CREATE under it NO [CANNOT]), DELETE removes an
empty directory, SELECT/STATUS of a directory are NO. The same commands go
to both servers; tagged results (and ALREADYEXISTS/NONEXISTENT/CANNOT/
TRYCREATE) and LIST/LSUB lines (as sets, attributes as sets) must agree.
Dovecot's old-format subscriptions file (Maildir++ names with '.') too."""
import os
import re

import lib

# Codes whose presence must agree; Dovecot 2.3 has no code for "isn't
# selectable" or "has children" (we say CANNOT and HASCHILDREN there).
COMPARED_CODES = (b"ALREADYEXISTS", b"NONEXISTENT", b"TRYCREATE")


def dovecot_mbox_session(home):
    if not os.path.exists(lib.DOVECOT_IMAP):
        raise lib.Skip("dovecot-imapd is not installed")
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    conf = lib.dovecot_config(home)
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    return lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf, "-o",
                            "mail_location=mbox:~/mail:INBOX=~/mail/inbox"],
                           env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)


def ours_session(home, fmt):
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    return lib.imapd_session(home, {"MAIL": f"{fmt}:~/mail:INBOX=~/INBOX"})


def norm(untagged, tagged):
    m = re.match(rb"\S+ (OK|NO|BAD) ?(\[[A-Z-]+)?", tagged)
    status = m.group(1) + (m.group(2) + b"]" if m.group(2) and m.group(2)[1:] in COMPARED_CODES else b"")
    lines = set()
    for line in untagged:
        m = re.match(rb"\* (LIST|LSUB) \(([^)]*)\) (\S+) (.*?)\r?\n?$", line)
        if not m:
            continue
        attrs = frozenset(a.lower() for a in m.group(2).split() if a.lower() not in (b"\\unmarked", b"\\marked"))
        lines.add((m.group(1), attrs, m.group(3), m.group(4)))
    return status, sorted(lines, key=repr)


COMMANDS = [
    "CREATE imaptest/", "CREATE imaptest", "CREATE imaptest/", "CREATE imaptest/test",
    "CREATE imaptest/test3/", "CREATE imaptest/test3/test4/", "CREATE imaptest/test3/test4/test5",
    'LIST "" imaptest/%', 'LIST "" imaptest/*', 'LIST "" *', 'LIST "" %',
    "CREATE imaptest/test/x", "CREATE imaptest/test/x/", "CREATE INBOX/child",
    "SELECT imaptest", "EXAMINE imaptest/test3", "STATUS imaptest (MESSAGES)",
    "RENAME imaptest/test3 imaptest/moved", "RENAME imaptest/moved imaptest/test/moved",
    'LIST "" *', "SUBSCRIBE imaptest", 'LSUB "" *',
    "DELETE imaptest", "DELETE imaptest/moved/test4", "DELETE imaptest/moved/test4/test5",
    "DELETE imaptest/moved/test4", "DELETE imaptest/moved", "DELETE imaptest/test", "DELETE imaptest",
    'LIST "" *', "CREATE imaptest", 'LIST "" *',
]


def compare(fmt):
    ours = ours_session(lib.tempdir(), fmt)
    dov = dovecot_mbox_session(lib.tempdir())
    diffs = []
    try:
        for c in COMMANDS:
            a = norm(*ours.cmd(c))
            b = norm(*dov.cmd(c))
            if a != b:
                diffs.append(f"{c}:\n  ours    {a}\n  dovecot {b}")
    finally:
        ours.close()
        dov.close()
    assert not diffs, "\n".join(diffs)


def test_mbx_folder_tree_like_dovecot_mbox():
    compare("mbx")


def test_unix_folder_tree_like_dovecot_mbox():
    compare("unix")


def test_old_dovecot_subscriptions_file_in_maildir():
    """Dovecot's version-1 subscriptions file names Maildir++ levels with
    '.': LSUB shows them with '/', as Dovecot does; after a SUBSCRIBE the
    file is one Dovecot reads the same way."""
    home = lib.tempdir()
    for folder in ("", ".Lists", ".Lists.dev"):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(home, "Maildir", folder, sub))
    with open(os.path.join(home, "Maildir", "subscriptions"), "w") as f:
        f.write("Lists.dev\nLists\n")
    s = lib.imapd_session(home)
    try:
        untagged, tagged = s.cmd('LSUB "" *')
        assert tagged.startswith(b"t1 OK"), tagged
        assert sorted(untagged) == [b'* LSUB () "/" Lists\r\n', b'* LSUB () "/" Lists/dev\r\n'], untagged
        untagged, tagged = s.cmd('LIST (SUBSCRIBED) "" *')
        assert b'* LIST (\\Subscribed) "/" Lists/dev\r\n' in untagged, untagged
        assert s.cmd("SUBSCRIBE INBOX")[1].startswith(b"t3 OK")
    finally:
        s.close()
    # Dovecot (with '/' as its separator, as ours) reads what we wrote alike.
    if not os.path.exists(lib.DOVECOT_IMAP):
        raise lib.Skip("dovecot-imapd is not installed")
    conf = lib.dovecot_config(home)
    with open(conf, "a") as f:
        f.write("namespace inbox {\n  inbox = yes\n  separator = /\n}\n")
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    dov = lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
                          env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)
    try:
        untagged, _ = dov.cmd('LSUB "" *')
    finally:
        dov.close()
    assert sorted(untagged) == [b'* LSUB () "/" INBOX\r\n', b'* LSUB () "/" Lists\r\n',
                                b'* LSUB () "/" Lists/dev\r\n'], untagged
