"""mbx: an EXPUNGE killed while it compacts the file (issue 17). The kept
messages slide down inside the file; a kill in the middle used to leave a
broken record, and every later SELECT answered NO [CORRUPTION]. Now the
compaction keeps a journal beside the file (drivers/mbx/compact_journal.hpp)
and the next open finishes it: an 8 KB message followed by eleven of 1.5 MB,
UID EXPUNGE of the first, SIGKILL at several moments; afterwards SELECT
works, the eleven are in the file whole and byte-identical, and UW's
mailutil check passes."""
import os
import pwd
import re
import shutil
import sys
import time

import lib
from test_mbx_uw import make_home, mailutil, need_mailutil

ENV = {"MAIL": "mbx:~/mail:INBOX=~/box.mbx"}
DELAYS_MS = (2, 5, 8, 10, 12, 14, 20, 30, 50, 80, 120, 200, 400)


def big_message(i):
    lines = [f"Subject: big {i}", f"Message-ID: <big{i}@example.com>", ""]
    lines += [f"message {i:02d} line {j:06d} " + "abcdefghij" * 5 for j in range(19000)]
    return ("\r\n".join(lines) + "\r\n").encode()


def small_message():
    return ("Subject: small\r\nMessage-ID: <small@example.com>\r\n\r\n" + "s" * 8000 + "\r\n").encode()


def mbx_messages(data):
    """(uid, flags, bytes) of each message of an mbx file, fEXPUNGED ones
    left out; raises on a damaged record."""
    pos, out = 2048, []
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        m = re.fullmatch(rb"[^,]+,(\d+);([0-9a-f]{8})([0-9a-f]{4})-([0-9a-f]{8})", data[pos:end])
        assert m, (pos, data[pos:pos + 64])
        size = int(m.group(1))
        body = data[end + 2:end + 2 + size]
        assert len(body) == size, pos
        flags = int(m.group(3), 16)
        if not flags & 0x8000:
            out.append((int(m.group(4), 16), flags, body))
        pos = end + 2 + size
    return out


def test_expunge_killed_during_compaction_is_finished_by_the_next_open():
    need_mailutil()
    home = make_home()
    box = os.path.join(home, "box.mbx")
    bigs = [big_message(i) for i in range(11)]
    s = lib.imapd_session(home, env=ENV)
    try:
        for msg in [small_message()] + bigs:
            _, tagged = s.cmd("APPEND INBOX {%d+}" % len(msg), [msg])
            assert b"OK" in tagged, tagged
    finally:
        s.close()
    pristine = open(box, "rb").read()
    st = os.stat(box)
    journal = os.path.join(home, ".imapd", "box.mbx.mbx-compact")
    interrupted = 0
    for delay in DELAYS_MS:
        shutil.rmtree(os.path.join(home, ".imapd"), ignore_errors=True)
        with open(box, "wb") as f:
            f.write(pristine)
        os.chown(box, st.st_uid, st.st_gid)
        s = lib.imapd_session(home, env=ENV)
        _, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        _, tagged = s.cmd("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        assert b"OK" in tagged, tagged
        s.send(b"e UID EXPUNGE 1\r\n")
        time.sleep(delay / 1000)
        s.proc.kill()
        s.proc.wait()
        if os.path.exists(journal):
            interrupted += 1
        # The next session finishes whatever was cut off.
        s = lib.imapd_session(home, env=ENV)
        try:
            untagged, tagged = s.cmd("SELECT INBOX")
            assert b"OK" in tagged, (delay, tagged)
            exists = int(re.search(rb"\* (\d+) EXISTS", b"".join(untagged)).group(1))
            assert exists in (11, 12), (delay, exists)
        finally:
            s.close()
        assert not os.path.exists(journal), delay
        found = mbx_messages(open(box, "rb").read())
        assert [body for _, _, body in found if body != small_message()] == bigs, delay
        assert [u for u, _, body in found if body != small_message()] == list(range(2, 13)), delay
        out = mailutil(home, "check", "box.mbx")
        m = re.search(rb"\b(\d+) total in", out)
        assert m and int(m.group(1)) == len(found), (delay, out)
    print(f"  compaction: {interrupted} of {len(DELAYS_MS)} kills left a journal to finish", file=sys.stderr)
    assert interrupted >= 1, "no kill landed during a compaction"
