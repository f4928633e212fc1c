"""The mbx driver against UW imap-2007f's own c-client (Debian's mailutil):
files UW writes are read by mailtool with the same UIDs, flags, keywords and
bytes; files we write pass mailutil check and copy; the same operations give
the same bytes (but for UIDVALIDITY)."""
import os
import pwd
import re
import shutil
import subprocess

import lib

SOURCE = (
    b"From alice@example.com Mon Jan  1 10:00:00 2001\n"
    b"Subject: one\nStatus: RO\nX-Status: F\nX-Keywords: work\n\nbody one\n\n"
    b"From bob@example.com Tue Jan  2 11:30:00 2001\n"
    b"Subject: two\nStatus: O\nX-Status: AD\n\nbody two\n>From quoted\n\n"
    b"From carol@example.com Wed Jan  3 12:45:30 2001\n"
    b"Subject: three\nX-Keywords: work $Label2\n\nbody three\n\n"
)

LINE = re.compile(rb"([ \d]\d-\w{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}),(\d+);([0-9a-f]{8})([0-9a-f]{4})-([0-9a-f]{8})\r\n")
FLAG_BITS = {1: "\\Seen", 2: "\\Deleted", 4: "\\Flagged", 8: "\\Answered", 32: "\\Draft"}


def need_mailutil():
    if not shutil.which("mailutil"):
        raise lib.Skip("mailutil (uw-mailutils) is not installed")


def user_preexec():
    """UW's c-client refuses local mailboxes to root: run as nobody then."""
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def make_home():
    home = lib.tempdir("mbx-uw-")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
        os.chown(home, pw.pw_uid, pw.pw_gid)
    return home


def run(argv, home, stdin=b"", ok=(0,)):
    proc = subprocess.run(argv, input=stdin, capture_output=True, timeout=60, cwd=home,
                          env={"HOME": home, "PATH": "/usr/bin:/bin", "TZ": "UTC"},
                          preexec_fn=user_preexec())
    assert proc.returncode in ok, (argv, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def mailutil(home, *args):
    return run(["mailutil", *args], home)


def uw_open_read_write(home, name):
    """A read-write open by UW (a prune that matches nothing): assigns UIDs,
    marks messages fOLD."""
    out = run(["mailutil", "prune", name, "SUBJECT nosuchsubject"], home, ok=(0, 1))
    assert b"nothing purged" in out, out


def mailtool(home, *args, stdin=b""):
    return run([lib.binary("mailtool"), *args], home, stdin)


def write_file(home, name, data):
    path = os.path.join(home, name)
    with open(path, "wb") as f:
        f.write(data)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
        os.chown(path, pw.pw_uid, pw.pw_gid)
    return path


def read_mbx(path):
    """(header keywords, [(uid, flag names, keywords, date, text)]) as UW's format says,
    skipping fEXPUNGED holes."""
    data = open(path, "rb").read()
    assert data[:7] == b"*mbx*\r\n"
    keywords = []
    for name in data[25:2048].split(b"\r\n"):
        if not name or b"\0" in name:
            break
        keywords.append(name.decode())
    out, pos = [], 2048
    while pos < len(data):
        m = LINE.match(data, pos)
        assert m, data[pos:pos + 80]
        size = int(m.group(2))
        text = data[m.end():m.end() + size]
        bits, kw = int(m.group(4), 16), int(m.group(3), 16)
        if not bits & 0x8000:
            flags = sorted(n for b, n in FLAG_BITS.items() if bits & b)
            kws = sorted(keywords[i] for i in range(32) if kw & (1 << i))
            out.append((int(m.group(5), 16), flags, kws, m.group(1).decode(), text))
        pos = m.end() + size
    return keywords, out


def ls(home, path):
    """mailtool ls: (uidvalidity, uidnext, [(uid, flags, keywords, size)])."""
    lines = mailtool(home, "ls", "-f", "mbx", path).decode().splitlines()
    validity = int(lines[0].split()[1])
    uidnext = int(lines[1].split()[1])
    msgs = []
    for line in lines[2:]:
        words = line.split()
        flags = sorted(w for w in words[1:-1] if w.startswith("\\"))
        kws = sorted(w for w in words[1:-1] if not w.startswith("\\"))
        msgs.append((int(words[0]), flags, kws, int(words[-1])))
    return validity, uidnext, msgs


def test_mbx_written_by_uw_is_read_alike():
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE)
    mailutil(home, "copy", "-kw", "src.mbox", "#driver.mbx/uw.mbx")
    # a read-write open by UW assigns UIDs and marks the messages seen (fOLD)
    uw_open_read_write(home, "uw.mbx")
    path = os.path.join(home, "uw.mbx")
    keywords, uw = read_mbx(path)
    # (UW's unix driver does not carry X-Keywords over here: keywords are
    # compared in the other direction, where mailutil copy -kw keeps them)
    assert [m[0] for m in uw] == [1, 2, 3]
    assert uw[0][1] == ["\\Flagged", "\\Seen"]
    assert uw[1][1] == ["\\Answered", "\\Deleted"]
    validity, uidnext, ours = ls(home, path)
    assert validity == int(open(path, "rb").read()[7:15], 16)
    assert uidnext == 4
    assert [(u, f, k, len(t)) for u, f, k, _, t in uw] == ours
    for uid, _, _, _, text in uw:
        assert mailtool(home, "cat", "-f", "mbx", path, str(uid)) == text
    assert b"\r\n>From quoted\r\n" in uw[1][4]

    # UW expunges (compacts) message 2: we see UIDs 1 and 3, same bytes
    assert b"1 message(s) purged" in run(["mailutil", "prune", "uw.mbx", "SUBJECT two"], home, ok=(0, 1))
    _, uw = read_mbx(path)
    _, uidnext, ours = ls(home, path)
    assert [m[0] for m in ours] == [1, 3] and uidnext == 4
    assert mailtool(home, "cat", "-f", "mbx", path, "3") == uw[1][4]


def test_mbx_written_by_us_is_read_by_uw():
    need_mailutil()
    home = make_home()
    path = os.path.join(home, "ours.mbx")
    mailtool(home, "append", "-f", "mbx", "-F", "\\Seen work", path, stdin=b"Subject: a\n\nfirst\n")
    mailtool(home, "append", "-f", "mbx", "-F", "\\Flagged \\Answered", path, stdin=b"Subject: b\n\nsecond\n")
    mailtool(home, "append", "-f", "mbx", path, stdin=b"Subject: c\r\n\r\nthird\r\n")
    out = mailutil(home, "check", "ours.mbx")
    assert re.search(rb"\b3 total in", out), out
    mailutil(home, "copy", "-kw", "ours.mbx", "#driver.mbx/copy.mbx")
    mailutil(home, "copy", "ours.mbx", "#driver.unix/copy.mbox")
    _, ours = read_mbx(path)
    _, copy = read_mbx(os.path.join(home, "copy.mbx"))
    assert [(f, k, d, t) for _, f, k, d, t in ours] == [(f, k, d, t) for _, f, k, d, t in copy]
    assert ours[0][1] == ["\\Seen"] and ours[0][2] == ["work"]
    unix = open(os.path.join(home, "copy.mbox"), "rb").read()
    for text in (b"first", b"second", b"third"):
        assert text in unix
    # three messages (and UW's folder-internal-data pseudo-message)
    starts = [l for l in unix.split(b"\n") if l.startswith(b"From ")]
    assert len([l for l in starts if not l.startswith(b"From MAILER-DAEMON")]) == 3, starts

    # UW sets a flag in place (prune marks deleted and expunges): we follow
    assert b"1 message(s) purged" in run(["mailutil", "prune", "ours.mbx", "SUBJECT b"], home, ok=(0, 1))
    _, _, msgs = ls(home, path)
    assert [m[0] for m in msgs] == [1, 3]


def test_same_operations_same_bytes():
    """Create + the same 3 messages (same internal dates and flags) through
    UW and through us; after a read-write open by UW (which assigns UIDs to
    what UW appended and marks everything fOLD) the files are identical but
    for UIDVALIDITY."""
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE.replace(b"X-Keywords: work $Label2\n", b"").replace(b"X-Keywords: work\n", b""))
    mailutil(home, "create", "#driver.mbx/uw.mbx")
    mailutil(home, "append", "src.mbox", "uw.mbx")
    path = os.path.join(home, "ours.mbx")
    # our appends: the same texts (as UW stored them, CRLF), flags and dates
    _, uw = read_mbx(os.path.join(home, "uw.mbx"))
    assert len(uw) == 3
    mailutil(home, "create", "#driver.mbx/ours.mbx")
    for _, flags, _, date, text in uw:
        mailtool(home, "append", "-f", "mbx", "-F", " ".join(flags), "-d", date, path, stdin=text)
    for name in ("uw.mbx", "ours.mbx"):
        uw_open_read_write(home, name)
    a = open(os.path.join(home, "uw.mbx"), "rb").read()
    b = open(os.path.join(home, "ours.mbx"), "rb").read()
    assert len(a) == len(b)
    assert a[:7] + a[15:] == b[:7] + b[15:]
