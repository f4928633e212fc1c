"""mbsync (isync) with a Tunnel to imapd and a local Maildir: a full sync of
1,000 messages, flag changes and deletions on both sides, a local message
pushed up, and both sides compared message by message."""
import os
import time

import clients_util as cu
from clients_util import ok

# a local Maildir holds the system flags only (no keywords)
SYSTEM_FLAGS = set(cu.FLAG_LETTERS.values())
MBSYNCRC = """\
IMAPStore remote
Tunnel "{tunnel}"
PipelineDepth 50

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX
Create Both
Expunge Both
Sync All
SyncState *
"""


def comparable(text):
    """LF line ends, without the X-TUID header that mbsync adds to the
    messages it moves (to find them again after an interrupted run)."""
    text = text.replace(b"\r\n", b"\n")
    return b"".join(l for l in text.splitlines(True) if not l.startswith(b"X-TUID: "))


def mbsync(server, work):
    proc = cu.run([cu.need("mbsync"), "-c", os.path.join(work, "mbsyncrc"), "-a"],
                  timeout=40, cwd=work, env={"HOME": work, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-2000:], proc.stderr[-4000:],
                                  server.stderr()[-2000:])
    return proc


def assert_sides_agree(server, local_inbox):
    near = cu.maildir_messages(local_inbox)
    far = server.server_messages()
    assert len(near) == len(far), (len(near), len(far))
    assert set(near) == set(far), (sorted(set(near) ^ set(far))[:10])
    differ = [(mid, near[mid][1], far[mid][1]) for mid in near
              if near[mid][1] != far[mid][1] & SYSTEM_FLAGS]
    assert not differ, differ[:10]
    return near, far


def test_mbsync_two_way_sync_of_1000_messages():
    cu.need("mbsync")
    start = time.monotonic()
    server = cu.ImapdServer(count=1000, seed=21)
    original = cu.snapshot(server.maildir)
    work = cu.client_dir("clients-mbsync-")
    local = os.path.join(work, "mail")
    os.makedirs(local)
    with open(os.path.join(work, "mbsyncrc"), "w") as f:
        f.write(MBSYNCRC.format(tunnel=server.tunnel, local=local))
    inbox = os.path.join(local, "INBOX")

    # 1. the first sync brings everything down with its flags
    mbsync(server, work)
    near, far = assert_sides_agree(server, inbox)
    assert len(near) == 1000
    for mid, (path, flags) in near.items():
        assert flags == original[mid].flags, (mid, flags, original[mid].flags)
    sample = sorted(near)[::97]
    for mid in sample:
        assert comparable(cu.read_bytes(near[mid][0])) == \
            comparable(original[mid].text), mid

    # 2. changes on the local side: read 40 unread messages, delete 10
    ids = sorted(near)
    unread = [m for m in ids if "\\Seen" not in near[m][1]][:40]
    for mid in unread:
        path = near[mid][0]
        base = os.path.basename(path)
        name = base if ":2," in base else base + ":2,"
        head, letters = name.split(":2,", 1)
        letters = "".join(sorted(set(letters) | {"S"}))
        os.rename(path, os.path.join(inbox, "cur", head + ":2," + letters))
    local_deleted = ids[100:110]
    for mid in local_deleted:
        os.unlink(near[mid][0])
    # a new local message to push up
    new_mid = "<pushed-up-by-mbsync@example.org>"
    new_text = (b"From: near@example.org\nTo: far@example.org\nSubject: pushed up\n"
                b"Message-ID: " + new_mid.encode() + b"\nDate: Tue, 1 Jun 2021 10:00:00 +0000\n"
                b"\nwritten on the near side\n")
    with open(os.path.join(inbox, "new", "1622541600.Mpush.local"), "wb") as f:
        f.write(new_text)

    # 3. changes on the server side through imaplib: flag 30, delete 10
    by_uid = sorted(far.items(), key=lambda kv: kv[1][0])
    flag_these = [mid for mid, _ in by_uid[200:230] if "\\Flagged" not in far[mid][1]]
    server_deleted = [mid for mid, _ in by_uid[500:510]]
    with server.imaplib() as c:
        ok(c.select("INBOX"))
        uids = ",".join(str(far[m][0]) for m in flag_these)
        ok(c.uid("STORE", uids, "+FLAGS.SILENT", "(\\Flagged)"))
        uids = ",".join(str(far[m][0]) for m in server_deleted)
        ok(c.uid("STORE", uids, "+FLAGS.SILENT", "(\\Deleted)"))
        ok(c.expunge())

    # 4. the second sync merges both sides
    mbsync(server, work)
    near, far = assert_sides_agree(server, inbox)
    assert len(near) == 1000 - 10 - 10 + 1, len(near)
    for mid in local_deleted + server_deleted:
        assert mid not in near and mid not in far, mid
    for mid in unread:
        assert "\\Seen" in far[mid][1], (mid, far[mid])
    for mid in flag_these:
        assert "\\Flagged" in near[mid][1], (mid, near[mid])
    assert new_mid in far
    with server.imaplib() as c:
        ok(c.select("INBOX", readonly=True))
        data = ok(c.uid("FETCH", str(far[new_mid][0]), "(BODY.PEEK[])"))
        assert comparable(data[0][1]) == new_text, data
    # the server's Maildir on disk agrees too
    assert set(cu.maildir_messages(server.maildir)) == set(far)

    # 5. a third sync changes nothing
    mbsync(server, work)
    assert_sides_agree(server, inbox)
    assert time.monotonic() - start < 60
    server.assert_quiet()
