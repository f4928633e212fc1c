"""imapd on a full disk (a small tmpfs the test mounts and removes): APPEND,
MULTIAPPEND, COPY, MOVE, STORE + CHECK, EXPUNGE and RENAME in each format
get a tagged NO with a response code, the session goes on, and every
mailbox stays exactly as it was, byte for byte (the unix and mbx rewrite
paths especially); once space is freed the same commands work."""
import hashlib
import os
import re
import subprocess

import lib

FORMATS = ("maildir", "mbx", "unix")


def location(home, fmt):
    if fmt == "maildir":
        return "maildir:~/Maildir"
    return f"{fmt}:~/mail:INBOX=~/INBOX"


def tree_digest(root):
    """{relative path: sha256} of every file under root, except the
    library's derived files (cache, index), which may be dropped on failure."""
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            path = os.path.join(d, name)
            rel = os.path.relpath(path, root)
            if ".imapd" in rel.split(os.sep) or "cache" in name or "index" in name or "dates" in name:
                continue
            with open(path, "rb") as f:
                data = f.read()
            if name == "dovecot-uidlist":
                # A failed COPY may leave the next UID raised (UIDs it took are
                # never given again, as with Dovecot); everything else stays.
                head, _, rest = data.partition(b"\n")
                data = re.sub(rb" N\d+", b"", head) + b"\n" + rest
            elif data.startswith(b"*mbx*\r\n"):
                # the same for the last UID in mbx's header, and the last
                # writer's number that UW keeps at the header's end
                data = data[:15] + data[23:2038] + data[2048:]
            elif data.startswith(b"From MAILER-DAEMON") and b"FOLDER INTERNAL DATA" in data[:400]:
                # and in unix's pseudo-message (its dates are rewritten too):
                # its UIDVALIDITY and the messages after it are what count
                validity = re.search(rb"X-IMAP: (\d+)", data).group(1)
                end = data.find(b"\n\nFrom ")
                data = validity + (data[end:] if end >= 0 else b"")
            out[rel] = hashlib.sha256(data).hexdigest()
    return out


def mailbox_files(home, fmt):
    return os.path.join(home, "Maildir") if fmt == "maildir" else home


def message(n, size=2000):
    body = (b"line %d of the body\r\n" % n) * (size // 20)
    return (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: message %d\r\n"
            b"Message-ID: <m%d@example.com>\r\n\r\n" % (n, n)) + body


def fill(mnt, leave):
    """Fills the filesystem with a file, leaving about `leave` bytes free."""
    filler = os.path.join(mnt, "filler")
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(filler, "ab") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def ok(session, command, *literals):
    untagged, tagged = session.cmd(command, literals)
    assert b" OK" in tagged[:12], (command, tagged)
    return untagged


def append(mailbox, data):
    return f"APPEND {mailbox} {{{len(data)}+}}", data


def check_refused(session, command, literal=None, home=None, fmt=None, may_work=False):
    before = tree_digest(mailbox_files(home, fmt))
    saved = {rel: open(os.path.join(mailbox_files(home, fmt), rel), "rb").read() for rel in before}
    _, answer = session.cmd(command, [literal] if literal is not None else [])
    answer = answer.split(b" ", 1)[1]
    if may_work and answer.startswith(b"OK"):
        return answer
    assert answer.startswith(b"NO ["), (fmt, command, answer)
    assert b"[OVERQUOTA]" in answer or b"[SERVERBUG]" in answer or b"[LIMIT]" in answer, (fmt, command, answer)
    after = tree_digest(mailbox_files(home, fmt))
    if after != before:
        diff = sorted(set(after.items()) ^ set(before.items()))[:6]
        root = mailbox_files(home, fmt)
        def first_difference(a, b):
            at = [i for i in range(min(len(a), len(b))) if a[i] != b[i]][:20]
            return (len(a), len(b), at, a[:300], b[:300])
        diff = [(p,) + first_difference(saved.get(p, b""), open(os.path.join(root, p), "rb").read())
                for p, _ in diff[:1] if os.path.exists(os.path.join(root, p))]
        raise AssertionError((fmt, command, diff, before.get(".other/dovecot-uidlist")))
    return answer


def test_full_disk_commands_fail_cleanly_and_change_nothing():
    if os.geteuid() != 0:
        raise lib.Skip("a small tmpfs needs root")
    mnt = lib.tempdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        raise lib.Skip("cannot mount a tmpfs here: " + r.stderr.decode(errors="replace").strip())
    try:
        os.chmod(mnt, 0o755)
        for fmt in FORMATS:
            run_format(mnt, fmt)
    finally:
        subprocess.run(["umount", "-l", mnt])


def run_format(mnt, fmt):
    home = os.path.join(mnt, fmt)
    os.mkdir(home)
    if fmt != "maildir":
        os.mkdir(os.path.join(home, "mail"))
    s = lib.imapd_session(home, env={"MAIL": location(home, fmt)})
    try:
        ok(s, "CREATE other")
        for n in range(1, 21):
            ok(s, *append("INBOX", message(n)))
        ok(s, "SELECT INBOX")
        # A big message in the mailbox, so that an EXPUNGE before it has to move
        # (mbx) or rewrite (unix) much more than the free space.
        big = message(99, size=900_000)
        ok(s, *append("INBOX", big))
        ok(s, "NOOP")
        ok(s, "STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        ok(s, "CHECK")

        filler = fill(mnt, leave=16 * 1024)
        try:
            check_refused(s, *append("INBOX", big), home=home, fmt=fmt)
            check_refused(s, *append("other", big), home=home, fmt=fmt)
            check_refused(s, "COPY 1:* other", home=home, fmt=fmt)
            check_refused(s, "MOVE 1:* other", home=home, fmt=fmt)
            # maildir expunges by unlinking and mbx compacts in place: they
            # need no space; unix rewrites the file.
            check_refused(s, "EXPUNGE", home=home, fmt=fmt, may_work=fmt != "unix")
            # STORE on everything, then CHECK (unix writes its flags at CHECK):
            # either works or says why.
            for command in ("STORE 1:* +FLAGS (\\Flagged $Keyword1)", "CHECK"):
                _, answer = s.cmd(command)
                if b" NO " in answer[:12]:
                    assert b"[OVERQUOTA]" in answer or b"[SERVERBUG]" in answer, (fmt, answer)
            # The session still answers.
            ok(s, "FETCH 1:* (UID FLAGS)")
        finally:
            os.unlink(filler)
        # Space again: the same commands work.
        _, answer = s.cmd(*append("other", big)[:1], [big])
        if b" OK" not in answer[:12]:
            listing = subprocess.run(["du", "-ab", mnt], capture_output=True, text=True).stdout
            raise AssertionError((fmt, answer, listing[-3000:]))
        ok(s, "COPY 1:2 other")
        ok(s, "EXPUNGE")
        untagged = ok(s, "STATUS other (MESSAGES)")
        assert any(b"MESSAGES 3" in l for l in untagged), (fmt, untagged)
        untagged = ok(s, "FETCH 1:* (UID)")
        assert sum(1 for l in untagged if b" FETCH " in l) == 18, (fmt, untagged[-3:])
    finally:
        s.close()
    # A new session sees the same; mailtool check finds nothing wrong.
    inbox = os.path.join(home, "Maildir") if fmt == "maildir" else os.path.join(home, "INBOX")
    r = subprocess.run([lib.binary("mailtool"), "check", inbox], capture_output=True, text=True)
    assert r.returncode == 0, (fmt, r.stdout, r.stderr)
    subprocess.run(["rm", "-rf", home], check=True)  # the next format gets the space
