"""UW's mailutil (Debian's uw-mailutils, real c-client) copying INBOX out of
imapd into an mbx file and a unix mbox file: counts, texts, flags and
internal dates must survive. c-client reaches imapd over TCP on a loopback
port where socat starts one preauthenticated imapd per connection (as inetd
would); /norsh stops it from trying rsh first, /notls from asking for TLS."""
import datetime
import mailbox
import os
import re

import clients_util as cu

# mbx per-message header: internal date, size; keyword bits, system flag
# bits, UID (imap-2007f src/osdep/unix/mbx.c)
MBX_HEADER = re.compile(rb"([ \d]\d-[A-Za-z]{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}),(\d+);"
                        rb"([0-9a-fA-F]{8})([0-9a-fA-F]{4})-([0-9a-fA-F]{8})\r\n")
MBX_FLAGS = {1: "\\Seen", 2: "\\Deleted", 4: "\\Flagged", 8: "\\Answered", 32: "\\Draft"}


def read_mbx(path):
    """[(internal date, flags, text)] from an mbx file."""
    data = cu.read_bytes(path)
    assert data.startswith(b"*mbx*\r\n"), data[:20]
    pos, out = 2048, []
    while pos < len(data):
        m = MBX_HEADER.match(data, pos)
        assert m, (pos, data[pos:pos + 80])
        size = int(m.group(2))
        text = data[m.end():m.end() + size]
        assert len(text) == size
        bits = int(m.group(4), 16)
        flags = {name for bit, name in MBX_FLAGS.items() if bits & bit}
        when = datetime.datetime.strptime(m.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
        out.append((when, flags, text))
        pos = m.end() + size
    return out


def unquote(text):
    """Line ends to LF and '>From ' unquoted, applied alike to both sides."""
    text = text.replace(b"\r\n", b"\n")
    return re.sub(rb"(?m)^>(>*From )", rb"\1", text)


def mailutil(*args):
    proc = cu.run([cu.need("mailutil"), *args], timeout=40, env={"PATH": "/usr/bin:/bin",
                                                                  "HOME": cu.client_dir()})
    assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def test_mailutil_copies_inbox_out_to_mbx_and_unix():
    cu.need("mailutil")
    server = cu.ImapdServer(count=120, seed=31)
    original = cu.snapshot(server.maildir)
    out = cu.client_dir("clients-mailutil-")
    with cu.socat_server(server) as port:
        remote = "{127.0.0.1:%d/imap/notls/norsh}INBOX" % port
        proc = mailutil("check", remote)
        assert re.search(rb"\b120 total in", proc.stdout), proc.stdout
        mailutil("copy", remote, "#driver.mbx" + os.path.join(out, "copy.mbx"))
        mailutil("copy", remote, "#driver.unix" + os.path.join(out, "copy.mbox"))
    server.assert_quiet()

    # mbx: every message, byte for byte (CRLF), with its flags and date
    copied = read_mbx(os.path.join(out, "copy.mbx"))
    assert len(copied) == len(original) == 120
    seen = set()
    for when, flags, text in copied:
        mid = cu.message_id(text)
        want_text, want_flags, mtime = original[mid]
        seen.add(mid)
        assert unquote(text) == unquote(want_text), mid
        assert flags == want_flags, (mid, flags, want_flags)
        # genmail sets each file's mtime to the message's date: the
        # internal date imapd reports (as Dovecot does)
        assert int(when.timestamp()) == mtime, (mid, when)
    assert seen == set(original)

    # unix mbox: the same messages, flags in Status/X-Status
    box = mailbox.mbox(os.path.join(out, "copy.mbox"), create=False)
    texts = [box.get_bytes(k) for k in box.keys()]
    texts = [t for t in texts if b"FOLDER INTERNAL DATA" not in t.split(b"\n\n", 1)[0]]
    assert len(texts) == 120
    for text in texts:
        mid = cu.message_id(text)
        want_text, want_flags, _ = original[mid]
        head, body = text.split(b"\n\n", 1)
        status = re.search(rb"(?m)^Status: (\w*)", head)
        xstatus = re.search(rb"(?m)^X-Status: (\w*)", head)
        flags = set()
        if status and b"R" in status.group(1):
            flags.add("\\Seen")
        if xstatus:
            flags |= {n for c, n in ((b"F", "\\Flagged"), (b"A", "\\Answered"),
                                     (b"T", "\\Draft"), (b"D", "\\Deleted"))
                      if c in xstatus.group(1)}
        assert flags == want_flags, (mid, flags, want_flags)
        # (the blank line that ends each mbox message is the format's)
        assert unquote(body).rstrip(b"\n") == \
            unquote(cu.body_of(want_text)).rstrip(b"\n"), mid
    box.close()
