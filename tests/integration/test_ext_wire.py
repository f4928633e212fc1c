"""BINARY (RFC 3516), COMPRESS=DEFLATE (RFC 4978), UTF8=ACCEPT (RFC 6855)
and OBJECTID (RFC 8474): transcripts against our imapd, BINARY's decoding
against Python's email package and against Dovecot."""
import base64
import email
import email.policy
import os
import re
import resource
import socket
import subprocess
import time
import zlib

import lib

BLOB = bytes(range(256)) * 40 + b"\x00\x00end"
FORMATS = {
    "maildir": {"MAIL": "maildir:~/Maildir"},
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}


def sample_message():
    """A multipart message with text/plain QP, a base64 blob holding NULs,
    a base64 text, an x-uuencode part and an embedded message."""
    b64 = base64.encodebytes(BLOB).decode().replace("\n", "\r\n")
    qp = (b"Caf=C3=A9 cr=C3=A8me =3D tasty, a long line " + b"x" * 30 + b"=\r\n" + b"x" * 60 +
          b"\r\nsecond line\r\nthird\r\n").decode()
    b64text = base64.encodebytes("h\u00e9llo\r\n".encode()).decode().replace("\n", "\r\n")
    return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: binary\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
            "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp +
            "--XX\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + b64 +
            "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: BASE64\r\n\r\n" + b64text +
            "--XX\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n`\r\nend\r\n"
            "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
            "--XX--\r\n").encode()


def literal_of(line, name):
    """The bytes of the literal after `name` in a FETCH response line, and
    whether it was a literal8."""
    at = line.index(name) + len(name)
    m = re.match(rb" (~?)\{(\d+)\}\r\n", line[at:])
    assert m, line[at:at + 40]
    start = at + m.end()
    return line[start:start + int(m.group(2))], m.group(1) == b"~"


def session_with(msg, dovecot=False, env=None):
    home = lib.tempdir()
    s = lib.dovecot_session(home) if dovecot else lib.imapd_session(home, env)
    _, tagged = s.cmd(b"APPEND INBOX {%d+}" % len(msg), [msg])
    assert b" OK" in tagged, tagged
    _, tagged = s.cmd("SELECT INBOX")
    assert b" OK" in tagged, tagged
    return s


def test_binary_is_advertised():
    s = lib.imapd_session(lib.tempdir())
    assert b" BINARY" in s.greeting, s.greeting
    s.close()


def check_binary_decodes_as_python_email_does(env):
    msg = sample_message()
    parts = [p for p in email.message_from_bytes(msg, policy=email.policy.compat32).walk()][1:]
    s = session_with(msg, env=env)
    for n, part in ((1, parts[0]), (2, parts[1]), (3, parts[2])):
        untagged, tagged = s.cmd("FETCH 1 (BINARY.PEEK[%d] BINARY.SIZE[%d])" % (n, n))
        assert tagged.startswith(b"t") and b" OK" in tagged, tagged
        line = b"".join(untagged)
        data, lit8 = literal_of(line, b"BINARY[%d]" % n)
        expected = part.get_payload(decode=True)
        assert data == expected, (n, data[:80], expected[:80])
        assert lit8 == (b"\x00" in expected), n
        assert b"BINARY.SIZE[%d] %d" % (n, len(expected)) in line, line[:200]
    s.close()


def test_binary_decodes_as_python_email_does():
    for env in FORMATS.values():
        check_binary_decodes_as_python_email_does(env)


def check_binary_partial_and_seen(env):
    s = session_with(sample_message(), env=env)
    untagged, tagged = s.cmd("FETCH 1 (BINARY[2]<250.20>)")
    line = b"".join(untagged)
    data, lit8 = literal_of(line, b"BINARY[2]<250>")
    assert data == BLOB[250:270] and lit8, data
    assert b"\\Seen" in line, line  # BINARY without .PEEK sets \Seen
    # A window without NUL is a plain literal.
    untagged, _ = s.cmd("FETCH 1 (BINARY.PEEK[2]<1.10>)")
    data, lit8 = literal_of(b"".join(untagged), b"BINARY[2]<1>")
    assert data == BLOB[1:11] and not lit8
    # A window past the end is empty.
    untagged, _ = s.cmd("FETCH 1 (BINARY.PEEK[2]<99999999.10>)")
    assert b"BINARY[2]<99999999> {0}\r\n" in b"".join(untagged), untagged
    s.close()


def test_binary_partial_and_seen():
    for env in FORMATS.values():
        check_binary_partial_and_seen(env)


def check_binary_unknown_cte_nonexistent_part_and_bad_section(env):
    s = session_with(sample_message(), env=env)
    untagged, tagged = s.cmd("FETCH 1 (BINARY.PEEK[4])")
    assert tagged.startswith(b"t3 NO [UNKNOWN-CTE]"), tagged
    assert not any(b"FETCH" in l for l in untagged), untagged
    _, tagged = s.cmd("FETCH 1 BINARY.SIZE[4]")
    assert tagged.startswith(b"t4 NO [UNKNOWN-CTE]"), tagged
    untagged, tagged = s.cmd("FETCH 1 (BINARY.PEEK[9])")
    assert b" OK" in tagged and b"BINARY[9] {0}\r\n" in b"".join(untagged), (untagged, tagged)
    _, tagged = s.cmd("FETCH 1 (BINARY[1.TEXT])")
    assert tagged.startswith(b"t6 BAD"), tagged
    # message/rfc822 and the whole message are sent as they are.
    untagged, _ = s.cmd("FETCH 1 (BINARY.PEEK[5] BINARY.PEEK[])")
    line = b"".join(untagged)
    assert literal_of(line, b"BINARY[5]")[0] == b"Subject: inner\r\n\r\ninner body", line[-200:]
    assert literal_of(line, b"BINARY[]")[0] == sample_message()
    # Decoded trailing blanks are transport padding (RFC 2045 6.7).
    s2 = session_with(b"Subject: qp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                      b"a \t\r\nb=\r\nc=41\r\n", env=env)
    untagged, _ = s2.cmd("FETCH 1 BINARY.PEEK[1]")
    assert literal_of(b"".join(untagged), b"BINARY[1]")[0] == b"a\r\nbcA\r\n", untagged
    s2.close()
    s.close()


def test_binary_unknown_cte_nonexistent_part_and_bad_section():
    for env in FORMATS.values():
        check_binary_unknown_cte_nonexistent_part_and_bad_section(env)


def test_binary_same_as_dovecot():
    if not os.path.exists("/usr/lib/dovecot/imap"):
        raise lib.Skip("dovecot-imapd is not installed")
    msg = sample_message()
    cmds = ["FETCH 1 (BINARY.PEEK[1])", "FETCH 1 (BINARY.PEEK[2])", "FETCH 1 (BINARY.PEEK[3])",
"FETCH 1 (BINARY.PEEK[2]<10.300>)",
            "FETCH 1 (BINARY.PEEK[5])", "FETCH 1 (BINARY.PEEK[1]<0.5>)"]
    ours, theirs = session_with(msg), session_with(msg, dovecot=True)
    # BINARY.SIZE is not compared: Dovecot 2.3 decodes the whole message for
    # it and answers NO [UNKNOWN-CTE] for any part when one part (here 4) has
    # an unknown encoding; we answer per part.
    # Dovecot sends literal8 for any 8-bit part; we only when the bytes hold
    # a NUL (RFC 3516 4.2 requires it only then): the marker is left out.
    for c in cmds:
        a, b = ours.cmd(c), theirs.cmd(c)
        a0 = [l.replace(b"~{", b"{") for l in a[0]]
        b0 = [l.replace(b"~{", b"{") for l in b[0]]
        assert a0 == b0, (c, a0[:3], b0[:3])
        assert a[1].split()[1] == b[1].split()[1], (c, a[1], b[1])
    ours.close()
    theirs.close()


def check_append_literal8(env):
    s = lib.imapd_session(lib.tempdir(), env)
    msg = b"Subject: nul\r\n\r\nA\x00B\r\n"
    s.send(b"a1 APPEND INBOX ~{%d}\r\n" % len(msg))
    line = s.read_response_line()
    assert line.startswith(b"+ "), line
    s.send(msg + b"\r\n")
    line = s.read_response_line()
    assert line.startswith(b"a1 OK"), line
    untagged, tagged = s.cmd("EXAMINE INBOX")
    assert b"* 1 EXISTS\r\n" in untagged, untagged
    untagged, _ = s.cmd("FETCH 1 BINARY.PEEK[1]")
    assert literal_of(b"".join(untagged), b"BINARY[1]") == (b"A\x00B\r\n", True), untagged
    s.close()


def test_append_literal8():
    for env in FORMATS.values():
        check_append_literal8(env)


def test_binary_large_attachment_in_bounded_memory():
    """A 200 MB (decoded) base64 attachment fetched with BINARY: the peak
    RSS of imapd stays a few MB (reported)."""
    home = lib.tempdir()
    size = int(os.environ.get("WIRE_BIG_MB", "200")) * 1024 * 1024
    chunk = os.urandom(57 * 1024)
    path = os.path.join(home, "big.eml")
    with open(path, "wb") as f:
        f.write(b"Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
                b"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        enc = base64.encodebytes(chunk).replace(b"\n", b"\r\n")
        for _ in range(size // len(chunk)):
            f.write(enc)
        f.write(b"--B--\r\n")
    decoded = (size // len(chunk)) * len(chunk)
    msg_size = os.path.getsize(path)
    s = lib.imapd_session(home)
    s.send(b"a APPEND INBOX {%d}\r\n" % msg_size)
    assert s.read_response_line().startswith(b"+")
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            s.proc.stdin.write(b)
    s.send(b"\r\n")
    assert s.read_response_line().startswith(b"a OK")
    os.unlink(path)
    s.cmd("SELECT INBOX")
    s.send(b"b FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])\r\n")
    head = s.proc.stdout.readline()
    m = re.search(rb"BINARY.SIZE\[1\] (\d+) BINARY\[1\] ~?\{(\d+)\}\r\n$", head)
    assert m, head
    assert int(m.group(1)) == decoded and int(m.group(2)) == decoded
    left, first = decoded, None
    while left:
        b = s.proc.stdout.read(min(left, 1 << 20))
        first = first or b[:len(chunk)]
        left -= len(b)
    assert first == chunk
    s.proc.stdout.readline()
    assert s.proc.stdout.readline().startswith(b"b OK")
    pid = s.proc.pid
    with open("/proc/%d/status" % pid) as f:
        hwm = [l for l in f if l.startswith("VmHWM")][0].split()[1]
    print("BINARY of a %d MB base64 attachment: imapd peak RSS %s kB" % (decoded >> 20, hwm))
    assert int(hwm) < 40 * 1024, hwm
    s.close()


class Deflated:
    """The client side of COMPRESS=DEFLATE on an ImapSession's pipes."""

    def __init__(self, s):
        self.s = s
        self.c = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.d = zlib.decompressobj(-15)
        self.buf = b""
        os.set_blocking(s.proc.stdout.fileno(), True)

    def send(self, data):
        self.s.proc.stdin.write(self.c.compress(data) + self.c.flush(zlib.Z_SYNC_FLUSH))
        self.s.proc.stdin.flush()

    def read_until(self, marker, timeout=20):
        end = time.time() + timeout
        while marker not in self.buf:
            assert time.time() < end, self.buf[-200:]
            chunk = os.read(self.s.proc.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError(self.buf[-200:])
            self.buf += self.d.decompress(chunk)
        at = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:at], self.buf[at:]
        return out

    def cmd(self, tag, text):
        self.send(tag + b" " + text + b"\r\n")
        out = b""
        while True:
            line = self.read_until(b"\r\n")
            out += line
            if line.startswith(tag + b" "):
                return out


def test_compress_deflate_transcript():
    s = lib.imapd_session(lib.tempdir())
    assert b" COMPRESS=DEFLATE" in s.greeting, s.greeting
    _, tagged = s.cmd("COMPRESS LZW")
    assert tagged.startswith(b"t1 BAD"), tagged
    _, tagged = s.cmd("COMPRESS")
    assert tagged.startswith(b"t2 BAD"), tagged
    _, tagged = s.cmd("COMPRESS DEFLATE")
    assert tagged == b"t3 OK DEFLATE active\r\n", tagged
    z = Deflated(s)
    out = z.cmd(b"c1", b"NOOP")
    assert out.endswith(b"c1 OK NOOP completed\r\n"), out
    out = z.cmd(b"c2", b"COMPRESS DEFLATE")
    assert b"c2 NO [COMPRESSIONACTIVE]" in out, out
    msg = sample_message() * 3
    z.send(b"c3 APPEND INBOX {%d}\r\n" % len(msg))
    assert z.read_until(b"\r\n").startswith(b"+ ")
    z.send(msg + b"\r\n")
    assert b"c3 OK" in z.read_until(b"\r\n")
    z.cmd(b"c4", b"SELECT INBOX")
    out = z.cmd(b"c5", b"FETCH 1 (BODY.PEEK[] BINARY.PEEK[2])")
    assert msg in out and BLOB in out and out.endswith(b"c5 OK Fetch completed\r\n"), out[-100:]
    # Many pipelined commands in one compressed burst.
    z.send(b"".join(b"p%d NOOP\r\n" % i for i in range(300)))
    out = z.read_until(b"p299 OK NOOP completed\r\n")
    assert out.count(b" OK NOOP completed") == 300
    z.send(b"c6 LOGOUT\r\n")
    assert b"c6 OK" in z.read_until(b"c6 OK LOGOUT completed\r\n")
    assert s.proc.wait(timeout=10) == 0


def test_compress_before_login_is_refused():
    """Root-started imapd greets with * OK: COMPRESS before LOGIN is BAD."""
    if os.geteuid() != 0:
        raise lib.Skip("needs root for a not-authenticated session")
    home = lib.tempdir()
    s = lib.ImapSession([lib.binary("imapd")], env={"PATH": "/usr/bin:/bin"}, cwd=home)
    assert s.greeting.startswith(b"* OK"), s.greeting
    _, tagged = s.cmd("COMPRESS DEFLATE")
    assert tagged.startswith(b"t1 BAD"), tagged
    s.close()
