"""A single 1.5 GB message in each format (issues 5 and 7): APPENDed
through imapd and FETCHed back as BODY[] in the same session (the client
reads and hashes it, holding none of it), then delivered by dmail into a
fresh mailbox and checked by size and a partial FETCH near its end. Peak
memory of imapd and of dmail is measured by GNU time (peak_rss.py) and
must stay under 16 MB.

Each format is its own test (run.py large_message_mbx, ...). The files go in
/dev/shm when it and the machine's memory have room (the disk of a shared
build machine writes ~130 MB/s, and this moves 9 GB), else in /tmp; with
less than 5 GB free there, the test is skipped. Files are removed as soon as
each step is done."""
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time

import lib
import peak_rss
from test_dmail import as_nobody, dmail_env

SIZE = 1_500_000_000
RSS_LIMIT_KB = 16 * 1024
NEED_FREE = 5 * 1024**3
CHUNK_LINES = 10000


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def big_home():
    """A fresh directory with room for the message (and the unix driver's
    temporary copy); lib.Skip when there is none."""
    if not peak_rss.available():
        raise lib.Skip("GNU time (/usr/bin/time) is not installed: cannot measure peak memory")
    choices = []
    if os.path.isdir("/dev/shm") and mem_available() >= 8 * 1024**3:
        choices.append("/dev/shm")
    choices.append(tempfile.gettempdir())
    for parent in choices:
        if shutil.disk_usage(parent).free >= NEED_FREE:
            return tempfile.mkdtemp(prefix="imaptest-large-", dir=parent)
    free = shutil.disk_usage(tempfile.gettempdir()).free
    raise lib.Skip(f"1.5 GB message tests need 5 GB free in {tempfile.gettempdir()} "
                   f"(it has {free / 1024**3:.1f} GB)")


def head(line_end):
    return (b"From: big@example.org" + line_end + b"Subject: a 1.5 GB message" + line_end +
            b"Message-ID: <big@example.org>" + line_end + line_end)


def body_lines(line_end):
    return (SIZE - len(head(line_end))) // 100


def total_size(line_end):
    return len(head(line_end)) + 100 * body_lines(line_end)


def chunks(line_end):
    """The message: a header, then 100-byte lines, about SIZE bytes in all."""
    yield head(line_end)
    block = (b"x" * (100 - len(line_end)) + line_end) * CHUNK_LINES
    left = body_lines(line_end)
    while left > 0:
        n = min(left, CHUNK_LINES)
        left -= n
        yield block[:100 * n]


class Measured:
    """imapd under GNU time, spoken to a line (or a streamed literal) at a time."""

    def __init__(self, home, fmt):
        env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": dmail_env(home, fmt)["MAIL"]}
        self.m = peak_rss.Measured([lib.binary("imapd")], env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)
        self.out, self.inp = self.m.p.stdout, self.m.p.stdin
        greeting = self.out.readline()
        assert greeting.startswith(b"* PREAUTH"), greeting

    def until_tagged(self, tag):
        lines = []
        while True:
            line = self.out.readline()
            if not line:
                raise EOFError(b"imapd closed the connection after " + b"".join(lines[-3:]))
            if line.startswith(tag + b" "):
                return lines, line
            lines.append(line)

    def cmd(self, tag, text):
        self.inp.write(tag + b" " + text + b"\r\n")
        self.inp.flush()
        return self.until_tagged(tag)

    def append_streamed(self, mailbox):
        """APPENDs the CRLF message, sent piece by piece; returns its SHA-1."""
        digest = hashlib.sha1()
        self.inp.write(b"a APPEND " + mailbox + b" {%d+}\r\n" % total_size(b"\r\n"))
        for piece in chunks(b"\r\n"):
            digest.update(piece)
            self.inp.write(piece)
        self.inp.write(b"\r\n")
        self.inp.flush()
        _, tagged = self.until_tagged(b"a")
        assert tagged.startswith(b"a OK"), tagged
        return digest.hexdigest()

    def fetch_hashed(self, tag, text):
        """FETCH of one literal, read in pieces and hashed: (SHA-1, length)."""
        self.inp.write(tag + b" " + text + b"\r\n")
        self.inp.flush()
        line = self.out.readline()
        m = re.search(rb"\{(\d+)\}\r\n$", line)
        assert line.startswith(b"* 1 FETCH") and m, line
        left = int(m.group(1))
        digest, length = hashlib.sha1(), left
        while left > 0:
            data = self.out.read(min(left, 1 << 20))
            assert data, "imapd closed the connection in the literal"
            digest.update(data)
            left -= len(data)
        rest, tagged = self.until_tagged(tag)
        assert tagged.startswith(tag + b" OK"), (tagged, rest)
        return digest.hexdigest(), length

    def finish(self):
        self.cmd(b"z", b"LOGOUT")
        rc, rss, err = self.m.finish()
        assert rc == 0, (rc, err)
        return rss


def mailbox_path(home, fmt):
    return f"{home}/Maildir" if fmt == "maildir" else f"{home}/INBOX"


def remove_mailbox(home, fmt):
    path = mailbox_path(home, fmt)
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)
    shutil.rmtree(f"{home}/.imapd", ignore_errors=True)


def run_format(fmt):
    home = big_home()
    try:
        # APPEND, then FETCH BODY[] in the same session.
        start = time.monotonic()
        s = Measured(home, fmt)
        _, tagged = s.cmd(b"s", b"SELECT INBOX")
        assert b"OK" in tagged, tagged
        sent = s.append_streamed(b"INBOX")
        appended = time.monotonic()
        untagged, tagged = s.cmd(b"n", b"NOOP")
        got, length = s.fetch_hashed(b"f", b"FETCH 1 BODY[]")
        assert length == total_size(b"\r\n") and got == sent, (fmt, length, got, sent)
        imapd_rss = s.finish()
        fetched = time.monotonic()
        remove_mailbox(home, fmt)

        # dmail delivery (LF lines, as an MTA passes them), checked by size
        # and by a partial FETCH at its end.
        d = peak_rss.Measured([lib.binary("dmail")], env=dmail_env(home, fmt), preexec_fn=as_nobody(home))
        for piece in chunks(b"\n"):
            d.stdin.write(piece)
        rc, dmail_rss, err = d.finish()
        assert rc == 0, (fmt, rc, err)
        delivered = time.monotonic()
        s = Measured(home, fmt)
        _, tagged = s.cmd(b"e", b"EXAMINE INBOX")
        assert b"OK" in tagged, tagged
        untagged, tagged = s.cmd(b"r", b"FETCH 1 RFC822.SIZE")
        text = b"".join(untagged)
        size = int(re.search(rb"RFC822.SIZE (\d+)", text).group(1))
        lf = total_size(b"\n")
        assert size in (lf, lf + 4 + body_lines(b"\n")), (fmt, size)  # LF as sent, or CRLF
        tail, n = s.fetch_hashed(b"t", b"FETCH 1 BODY.PEEK[TEXT]<%d.1000>" % (size - 20000))
        assert n == 1000, n
        reader_rss = s.finish()
        checked = time.monotonic()
        remove_mailbox(home, fmt)

        print(f"  {fmt} in {os.path.dirname(home)}: APPEND {appended - start:.1f}s, FETCH BODY[] "
              f"{fetched - appended:.1f}s, imapd peak {imapd_rss} KB; dmail {delivered - fetched:.1f}s, "
              f"peak {dmail_rss} KB; EXAMINE+FETCH <partial> {checked - delivered:.1f}s, peak {reader_rss} KB",
              file=sys.stderr)
        assert imapd_rss < RSS_LIMIT_KB, (fmt, "imapd APPEND+FETCH", imapd_rss)
        assert dmail_rss < RSS_LIMIT_KB, (fmt, "dmail", dmail_rss)
        assert reader_rss < RSS_LIMIT_KB, (fmt, "imapd EXAMINE", reader_rss)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_large_message_mbx():
    run_format("mbx")


def test_large_message_unix():
    run_format("unix")


def test_large_message_maildir():
    run_format("maildir")
