"""The unix (Berkeley mbox) driver against UW imap-2007f's own c-client
(Debian's mailutil): mailboxes UW writes (its folder-internal-data
pseudo-message, Status/X-Status/X-Keywords/X-UID) are read by mailtool with
the same UIDs, flags, keywords and texts; mailboxes we write pass mailutil
check, and mailutil copy of them to a fresh mailbox keeps every message."""
import os
import re

import lib
from test_mbx_uw import make_home, mailutil, mailtool, need_mailutil, run, uw_open_read_write, write_file

# A source with UW's pseudo-message, so that UW knows the keywords when it
# reads X-Keywords (it ignores keywords the mailbox does not define).
SOURCE = (
    b"From MAILER-DAEMON Mon Jan  1 00:00:00 2001\n"
    b"From: Mail System Internal Data <MAILER-DAEMON@example.com>\n"
    b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
    b"X-IMAP: 1000000000 0000000000 work $Label2\nStatus: RO\n\npseudo\n\n"
    b"From alice@example.com Mon Jan  1 10:00:00 2001\n"
    b"Subject: one\nStatus: RO\nX-Status: F\nX-Keywords: work\n\nbody one\n\n"
    b"From bob@example.com Tue Jan  2 11:30:00 2001\n"
    b"Subject: two\nStatus: O\nX-Status: AD\n\nbody two\n>From quoted\n\n"
    b"From carol@example.com Wed Jan  3 12:45:30 2001\n"
    b"Subject: three\nX-Keywords: work $Label2\n\nbody three\n\n"
)
TEXTS = [b"Subject: one\n\nbody one\n", b"Subject: two\n\nbody two\n>From quoted\n",
         b"Subject: three\n\nbody three\n"]
HIDDEN = re.compile(rb"^(Status|X-Status|X-Keywords|X-UID|X-IMAP|X-IMAPbase):", re.I)


def ls(home, path):
    """mailtool ls -f unix: (uidvalidity, uidnext, [(uid, flags, keywords, size)])."""
    lines = mailtool(home, "ls", "-f", "unix", path).decode().splitlines()
    msgs = []
    for line in lines[2:]:
        words = line.split()
        flags = sorted(w for w in words[1:-1] if w.startswith("\\"))
        kws = sorted(w for w in words[1:-1] if not w.startswith("\\"))
        msgs.append((int(words[0]), flags, kws, int(words[-1])))
    return int(lines[0].split()[1]), int(lines[1].split()[1]), msgs


def cat(home, path, uid):
    return mailtool(home, "cat", "-f", "unix", path, str(uid)).replace(b"\r\n", b"\n")


def read_uw_unix(path):
    """(uidvalidity, last uid, [(uid, status, x-status, keywords, visible text)])
    straight from the file as UW wrote it."""
    data = open(path, "rb").read()
    if data.endswith(b"\n\n"):
        data = data[:-1]  # the blank line that ends the last message
    parts = re.split(rb"(?:^|\n\n)From [^\n]*\n", data)[1:]
    m = re.search(rb"^X-IMAP: (\d+) (\d+)", parts[0], re.M)
    assert m, parts[0][:300]
    out = []
    for part in parts[1:]:
        head, _, body = part.partition(b"\n\n")
        fields = dict(re.findall(rb"^(Status|X-Status|X-Keywords|X-UID): ?(.*)$", head, re.M))
        visible = b"\n".join(l for l in head.split(b"\n") if not HIDDEN.match(l))
        text = visible + b"\n\n" + body
        if not text.endswith(b"\n"):
            text += b"\n"
        out.append((int(fields[b"X-UID"]), fields.get(b"Status", b"").strip(),
                    fields.get(b"X-Status", b"").strip(), fields.get(b"X-Keywords", b"").split(), text))
    return int(m.group(1)), int(m.group(2)), out


def test_unix_written_by_uw_is_read_alike():
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE)
    mailutil(home, "copy", "-kw", "src.mbox", "#driver.unix/uw.mbox")
    uw_open_read_write(home, "uw.mbox")  # UW assigns UIDs and writes X-UID
    path = os.path.join(home, "uw.mbox")
    validity, last, uw = read_uw_unix(path)
    assert [m[4] for m in uw] == TEXTS
    assert [(m[1], m[2]) for m in uw] == [(b"RO", b"F"), (b"O", b"DA"), (b"O", b"")]
    assert [sorted(m[3]) for m in uw] == [[b"work"], [], [b"$Label2", b"work"]]

    our_validity, uidnext, ours = ls(home, path)
    assert our_validity == validity and uidnext == last + 1
    assert [m[0] for m in ours] == [m[0] for m in uw]
    assert [(f, k) for _, f, k, _ in ours] == [
        (["\\Flagged", "\\Seen"], ["work"]), (["\\Answered", "\\Deleted"], []), ([], ["$Label2", "work"])]
    for (uid, _, _, size), text in zip(ours, TEXTS):
        assert cat(home, path, uid) == text
        assert size == len(text.replace(b"\n", b"\r\n"))

    # UW expunges message two: we see the other two under the same UIDs
    out = run(["mailutil", "prune", "uw.mbox", "SUBJECT two"], home, ok=(0, 1))
    assert b"1 message(s) purged" in out, out
    _, _, after = ls(home, path)
    assert [m[0] for m in after] == [uw[0][0], uw[2][0]]
    assert cat(home, path, uw[2][0]) == TEXTS[2]


def test_unix_written_by_us_is_read_by_uw():
    need_mailutil()
    home = make_home()
    path = os.path.join(home, "ours.mbox")
    mailtool(home, "append", "-f", "unix", "-F", "\\Seen work", path, stdin=b"Subject: a\n\nfirst\n")
    mailtool(home, "append", "-f", "unix", "-F", "\\Flagged \\Answered", path,
             stdin=b"Subject: b\n\nsecond\nFrom the start of a line\n>From quoted\n")
    mailtool(home, "append", "-f", "unix", "-F", "\\Deleted $Label2", path, stdin=b"Subject: c\r\n\r\nthird\r\n")
    out = mailutil(home, "check", "ours.mbox")
    assert re.search(rb"\b3 total in", out), out

    mailutil(home, "copy", "-kw", "ours.mbox", "#driver.unix/copy.mbox")
    _, _, ours = ls(home, path)
    _, _, copy = ls(home, os.path.join(home, "copy.mbox"))
    assert [(f, k, s) for _, f, k, s in ours] == [(f, k, s) for _, f, k, s in copy]
    assert [(f, k) for _, f, k, _ in ours] == [
        (["\\Seen"], ["work"]), (["\\Answered", "\\Flagged"], []), (["\\Deleted"], ["$Label2"])]
    for a, b in zip(ours, copy):
        assert cat(home, path, a[0]) == cat(home, os.path.join(home, "copy.mbox"), b[0])
    # quoted as UW quotes it (">From ", no unquoting on reading, ">From" left alone)
    assert b"\n>From the start of a line\n>From quoted\n" in cat(home, path, ours[1][0])

    # UW's read-write open keeps our UIDs; its expunge removes the deleted one
    uw_open_read_write(home, "ours.mbox")
    _, _, again = ls(home, path)
    assert [m[0] for m in again] == [m[0] for m in ours]
    out = run(["mailutil", "prune", "ours.mbox", "DELETED"], home, ok=(0, 1))
    assert b"1 message(s) purged" in out, out
    _, _, after = ls(home, path)
    assert [m[0] for m in after] == [m[0] for m in ours[:2]]


def test_our_rewrite_of_a_uw_file_changes_only_what_changed():
    """UW writes the mailbox; an imapd session sets \\Seen on message two
    (a rewrite): the file is UW's byte for byte but for that message's
    status lines, written as UW's unix_xstatus writes them (X-Keywords
    padded to keep the block's size), and the pseudo-message's time."""
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE)
    mailutil(home, "copy", "-kw", "src.mbox", "#driver.unix/box.mbox")  # (UW's INBOX is /var/mail)
    uw_open_read_write(home, "box.mbox")
    path = os.path.join(home, "box.mbox")
    before = open(path, "rb").read()
    s = lib.imapd_session(home, env={"MAIL": "unix:~/mail:INBOX=~/box.mbox"})
    try:
        _, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        _, tagged = s.cmd("STORE 2 +FLAGS.SILENT (\\Seen)")
        assert b"OK" in tagged, tagged
    finally:
        s.close()
    after = open(path, "rb").read()

    def timeless(data):
        data = re.sub(rb"\AFrom MAILER-DAEMON [^\n]*\n", b"From MAILER-DAEMON -\n", data)
        # rfc822_fixed_date's form only: "26 Nov 2026 00:02:22 +0000"
        data = re.sub(rb"\nDate: \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\n", b"\nDate: -\n", data, count=1)
        return re.sub(rb"\nMessage-ID: <\d+@", b"\nMessage-ID: <-@", data, count=1)
    old_block = b"Status: O\nX-Status: DA\nX-Keywords:" + b" " * 16 + b"\n"
    new_block = b"Status: RO\nX-Status: DA\nX-Keywords:" + b" " * 15 + b"\n"
    assert before.count(old_block) == 1, before
    assert timeless(after) == timeless(before.replace(old_block, new_block))


def test_killed_sessions_leave_acknowledged_mail_intact_for_uw():
    """imapd sessions are SIGKILLed at random moments while they append,
    set flags (a rewrite) and expunge: every message whose APPEND was
    answered OK and that was not deleted is in the file once and whole, and
    UW's mailutil still opens the file."""
    import random
    import time
    need_mailutil()
    home = make_home()
    rng = random.Random(7)
    kept = {}  # message id -> body, acknowledged and never \Deleted
    for round_no in range(15):
        s = lib.imapd_session(home, env={"MAIL": "unix:~/mail:INBOX=~/box.mbox"})
        _, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        # one APPEND answered for sure, then a burst killed at a random moment
        mid = f"r{round_no}-sure"
        body = f"body {mid}\nFrom inside\nend\n"
        msg = f"Message-ID: <{mid}@example.com>\r\n\r\n{body}".replace("\n", "\r\n").encode()
        _, tagged = s.cmd("APPEND INBOX {%d+}" % len(msg), [msg])
        assert b"OK" in tagged, tagged
        kept[mid] = body
        batch, sent = b"", {}
        for j in range(6):
            mid = f"r{round_no}-{j}"
            body = f"body {mid}\n" + "x" * rng.randint(0, 3000) + "\nFrom inside\nend\n"
            msg = f"Message-ID: <{mid}@example.com>\r\nSubject: {mid}\r\n\r\n{body}".replace("\n", "\r\n").encode()
            flags = "(\\Deleted)" if j % 3 == 0 else "()"
            tag = f"a{j}".encode()
            batch += tag + b" APPEND INBOX " + flags.encode() + b" {%d+}\r\n" % len(msg) + msg + b"\r\n"
            sent[tag] = (mid, j % 3 == 0, body)
        batch += b"s STORE 1:* +FLAGS (\\Seen)\r\ne EXPUNGE\r\n"
        s.send(batch)
        time.sleep(rng.random() * 0.05)
        s.proc.kill()
        out = s.proc.stdout.read()
        s.proc.wait()
        # A killed writer leaves its dot lock, which others (UW, procmail,
        # we) wait out until it is stale (5 minutes): the only user is gone.
        try:
            os.unlink(os.path.join(home, "box.mbox.lock"))
        except FileNotFoundError:
            pass
        for tag, (mid, deleted, body) in sent.items():
            if re.search(rb"(?m)^" + tag + rb" OK", out) and not deleted:
                kept[mid] = body
    data = open(os.path.join(home, "box.mbox"), "rb").read()
    for mid, body in kept.items():
        quoted = body.replace("\nFrom inside", "\n>From inside").encode()
        assert data.count(b"Message-ID: <" + mid.encode() + b"@") == 1, mid
        assert data.count(quoted) == 1, mid
    assert kept, "no APPEND was acknowledged"
    out = mailutil(home, "check", "box.mbox")
    m = re.search(rb"\b(\d+) total in", out)
    assert m and int(m.group(1)) >= len(kept), out
    _, _, ours = ls(home, os.path.join(home, "box.mbox"))
    assert len(ours) == int(m.group(1))
