"""The unix driver's index (c-client/drivers/unix/index_store.hpp): a
session keeps a unix INBOX selected while procmail appends to it; a second
session opening the mailbox (from the index and the appended tail) sees
the same UIDs, flags and text; flags changed in place by another program
(same inode, same size) are seen by the next session."""
import os
import shutil
import subprocess

import lib
from test_dmail import as_nobody

UNIX = {"MAIL": "unix:~/mail:INBOX=~/INBOX"}
DELIVERED = (b"From x@example.org Thu Nov 26 00:00:00 2026\n"
             b"From: x@example.org\nSubject: by procmail\n\nprocmail body\n")


def view(s):
    untagged, tagged = s.cmd("FETCH 1:* (UID FLAGS RFC822.SIZE)")
    assert b"OK" in tagged, tagged
    return sorted(line.replace(b" \\Recent", b"").replace(b"\\Recent", b"") for line in untagged)


def test_unix_index_procmail_append_then_second_session():
    if not shutil.which("procmail"):
        raise lib.Skip("procmail is not installed")
    home = lib.tempdir()
    os.makedirs(os.path.join(home, "mail"))
    a = lib.imapd_session(home, UNIX)
    _, tagged = a.cmd("SELECT INBOX")
    assert b"OK" in tagged, tagged
    for i in range(3):
        msg = b"From: a@example.org\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (i, i)
        _, tagged = a.cmd("APPEND INBOX (\\Seen) {%d+}" % len(msg), [msg])
        assert b"OK" in tagged, tagged
    _, tagged = a.cmd("STORE 2 +FLAGS (\\Flagged $Work)")
    assert b"OK" in tagged, tagged
    a.cmd("NOOP")
    index = os.path.join(home, ".imapd", "INBOX.index")
    assert os.path.exists(index)

    rc = os.path.join(home, "procmailrc")
    with open(rc, "w") as f:
        f.write(f":0:\n{home}/INBOX\n")
    os.chmod(rc, 0o644)
    r = subprocess.run(["procmail", "-m", rc], input=DELIVERED, capture_output=True,
                       env={"HOME": home, "PATH": "/usr/bin:/bin"}, preexec_fn=as_nobody(home), timeout=30)
    assert r.returncode == 0, r.stderr
    untagged, _ = a.cmd("NOOP")
    assert b"* 4 EXISTS\r\n" in untagged, untagged

    b = lib.imapd_session(home, UNIX)
    untagged, tagged = b.cmd("SELECT INBOX")
    assert b"OK" in tagged and b"* 4 EXISTS\r\n" in untagged, untagged
    assert view(b) == view(a)
    untagged, _ = b.cmd("FETCH 4 BODY.PEEK[TEXT]")
    assert b"procmail body" in b"".join(untagged), untagged
    untagged, _ = b.cmd("FETCH 2 FLAGS")
    assert b"\\Flagged" in untagged[0] and b"$Work" in untagged[0], untagged
    b.close()
    a.close()

    # Another program changes a flag in place, keeping the inode and size
    # (as UW's rewrite can): the next session sees it.
    path = os.path.join(home, "INBOX")
    with open(path, "r+b") as f:
        data = f.read()
        at = data.index(b"X-Status: F")
        f.seek(at)
        f.write(b"X-Status: D")
    c = lib.imapd_session(home, UNIX)
    c.cmd("EXAMINE INBOX")
    untagged, _ = c.cmd("FETCH 2 FLAGS")
    assert b"\\Deleted" in untagged[0] and b"\\Flagged" not in untagged[0], untagged
    c.close()
