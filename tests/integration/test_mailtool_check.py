"""mailtool check and repair: for each kind of damage a test injects it into
a mailbox made by our library or by UW's mailutil, asserts that check finds
it (the right message, exit 1), that repair fixes it, that check then exits
0 with no output, that every message is still there with its content, and
that UW's mailutil (mbx, unix) or Dovecot (maildir) accepts the result."""
import hashlib
import os
import re
import subprocess
import time

import lib
from test_mbx_uw import SOURCE, make_home, mailutil, need_mailutil, user_preexec, write_file


def mt(home, *args):
    proc = subprocess.run([lib.binary("mailtool"), *args], capture_output=True, timeout=60, cwd=home,
                          env={"HOME": home, "PATH": "/usr/bin:/bin", "TZ": "UTC"}, preexec_fn=user_preexec())
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def uids(home, box):
    rc, out, err = mt(home, "ls", box)
    assert rc == 0, err
    lines = out.splitlines()
    return int(lines[0].split()[1]), [int(l.split()[0]) for l in lines[2:]]


def checksums(home, box):
    """Sorted SHA-256 of every message as mailtool cat gives it."""
    sums = []
    for uid in uids(home, box)[1]:
        proc = subprocess.run([lib.binary("mailtool"), "cat", box, str(uid)], capture_output=True, cwd=home,
                              preexec_fn=user_preexec(), timeout=60)
        assert proc.returncode == 0, proc.stderr
        sums.append(hashlib.sha256(proc.stdout).hexdigest())
    return sorted(sums)


def make_box(home, fmt, name, count=4):
    for i in range(count):
        msg = f"From: a{i}@example.com\nSubject: message {i}\n\nbody {i}\nline two\n".encode()
        rc, out, err = mt(home, "append", "-f", fmt, "-F", "\\Seen work" if i % 2 else "", name) if False else \
            run_append(home, fmt, name, msg, i)
    return os.path.join(home, name)


def run_append(home, fmt, name, msg, i):
    args = [lib.binary("mailtool"), "append", "-f", fmt]
    if i % 2:
        args += ["-F", "\\Seen work"]
    proc = subprocess.run(args + [name], input=msg, capture_output=True, cwd=home, preexec_fn=user_preexec(),
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return 0, "", ""


def check_finds(home, box, pattern):
    rc, out, err = mt(home, "check", box)
    assert rc == 1, (rc, out, err)
    assert re.search(pattern, out), out
    return out


def repair_and_verify(home, box, before_sums, pattern=None):
    rc, out, err = mt(home, "repair", box)
    assert rc == 0, (rc, out, err)
    assert "repaired: " in out, out
    if pattern:
        assert re.search(pattern, out), out
    rc, out, err = mt(home, "check", box)
    assert (rc, out) == (0, ""), (rc, out, err)
    assert checksums(home, box) == before_sums
    return out


def uw_accepts(home, name, count):
    if not os.path.exists("/usr/bin/mailutil"):
        return
    out = mailutil(home, "check", name)
    assert f"{count} total".encode() in out, out


def patch(path, old, new, count=1):
    data = open(path, "rb").read()
    assert data.count(old) >= count, (old, data[:400])
    data = data.replace(old, new, count)
    with open(path, "r+b") as f:
        f.write(data)
        f.truncate()


# --- sound mailboxes ---------------------------------------------------------

def test_sound_mailboxes_of_each_format_are_silent():
    home = make_home()
    for fmt in ("mbx", "unix", "maildir"):
        make_box(home, fmt, f"sound.{fmt}")
        rc, out, err = mt(home, "check", f"sound.{fmt}")
        assert (rc, out, err) == (0, "", ""), (fmt, rc, out, err)
        rc, out, err = mt(home, "check", "-v", f"sound.{fmt}")
        assert rc == 0 and out.startswith("ok: "), out
        rc, out, err = mt(home, "repair", f"sound.{fmt}")
        assert (rc, out) == (0, ""), (fmt, rc, out, err)


def test_uw_made_mailboxes_are_sound():
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE)
    mailutil(home, "copy", "-kw", "src.mbox", "#driver.mbx/uw.mbx")
    mailutil(home, "copy", "-kw", "src.mbox", "#driver.unix/uw.mbox")
    for box in ("uw.mbx", "uw.mbox", "src.mbox"):
        rc, out, err = mt(home, "check", box)
        assert (rc, out, err) == (0, "", ""), (box, out, err)


def test_usage_and_unreadable_exit_2():
    home = make_home()
    assert mt(home, "check")[0] == 2
    assert mt(home, "check", "/nonexistent/box")[0] == 2
    assert mt(home, "check", "-q", "/nonexistent/box") == (2, "", "")


# --- mbx ---------------------------------------------------------------------

def mbx_status_offsets(path):
    data = open(path, "rb").read()
    return [m.start(1) for m in re.finditer(rb",\d+;[0-9a-f]{12}-([0-9a-f]{8})\r\n", data[2048:])]


def set_mbx_uid(path, index, uid):
    offs = mbx_status_offsets(path)
    with open(path, "r+b") as f:
        f.seek(2048 + offs[index])
        f.write(b"%08x" % uid)


def test_mbx_out_of_order_uids_renumbered():
    home = make_home()
    box = make_box(home, "mbx", "ooo.mbx")
    sums = checksums(home, "ooo.mbx")
    validity = uids(home, "ooo.mbx")[0]
    set_mbx_uid(box, 2, 1)
    check_finds(home, "ooo.mbx", r"problem: .*ooo\.mbx: offset \d+ \(UID 1\): UID 1 is not above the previous UID 2")
    rc, out, _ = mt(home, "repair", "-n", "ooo.mbx")
    assert rc == 1 and "would: " in out and "renumbered" in out, out
    assert mt(home, "check", "-q", "ooo.mbx")[0] == 1  # -n changed nothing
    repair_and_verify(home, "ooo.mbx", sums, r"renumbered 4 messages")
    v2, u2 = uids(home, "ooo.mbx")
    assert v2 > validity and u2 == [1, 2, 3, 4]
    uw_accepts(home, "ooo.mbx", 4)


def test_mbx_header_last_uid_too_low():
    home = make_home()
    box = make_box(home, "mbx", "low.mbx")
    sums = checksums(home, "low.mbx")
    validity = uids(home, "low.mbx")[0]
    with open(box, "r+b") as f:
        f.seek(15)
        f.write(b"00000002")
    check_finds(home, "low.mbx", r"UID 3 is above the header's last UID 2")
    repair_and_verify(home, "low.mbx", sums, r"rewrote the header: last UID 4")
    assert uids(home, "low.mbx") == (validity, [1, 2, 3, 4])  # UIDs kept
    uw_accepts(home, "low.mbx", 4)


def test_mbx_damaged_header_field_and_keyword_slot():
    home = make_home()
    box = make_box(home, "mbx", "kw.mbx")
    sums = checksums(home, "kw.mbx")
    patch(box, b"\r\nwork\r\n", b"\r\nw(rk\r\n")
    with open(box, "r+b") as f:
        f.seek(2038)
        f.write(b"zzzzzzzz\r\n")
    out = check_finds(home, "kw.mbx", r"keyword slot 1 holds a bad name")
    assert "PID field" in out and "keyword bit 0 is set on messages but slot 1 names no keyword" in out
    repair_and_verify(home, "kw.mbx", sums, r"keywords: Keyword1")
    uw_accepts(home, "kw.mbx", 4)


def test_mbx_partial_append_at_end_cut_off():
    home = make_home()
    box = make_box(home, "mbx", "tail.mbx")
    sums = checksums(home, "tail.mbx")
    with open(box, "ab") as f:
        f.write(b" 1-Jan-2020 00:00:00 +0000,500;000000000000-00000000\r\nFrom: cut")
    check_finds(home, "tail.mbx", r"claims 500 bytes, 9 are left: a partial message at the end")
    repair_and_verify(home, "tail.mbx", sums, r"cut off the partial message")
    uw_accepts(home, "tail.mbx", 4)


def test_mbx_size_not_landing_is_reported_not_repaired():
    home = make_home()
    box = make_box(home, "mbx", "size.mbx")
    data = open(box, "rb").read()
    m = re.search(rb",(\d+);", data[2048:])
    patch(box, m.group(0), b",%d;" % (int(m.group(1)) - 3))
    check_finds(home, "size.mbx", r"does not land on a message line")
    rc, out, _ = mt(home, "repair", "size.mbx")
    assert rc == 1 and "not repaired" in out, out


# --- unix --------------------------------------------------------------------

def test_unix_xuid_out_of_order_renumbered():
    home = make_home()
    box = make_box(home, "unix", "ooo.mbox")
    sums = checksums(home, "ooo.mbox")
    validity = uids(home, "ooo.mbox")[0]
    patch(box, b"X-UID: 3\n", b"X-UID: 1\n")
    check_finds(home, "ooo.mbox", r"\(UID 1\): X-UID 1 is not above the previous UID 2")
    repair_and_verify(home, "ooo.mbox", sums, r"renumbered 4 messages as UIDs 1-4")
    v2, u2 = uids(home, "ooo.mbox")
    assert v2 > validity and u2 == [1, 2, 3, 4]
    uw_accepts(home, "ooo.mbox", 4)


def test_unix_forged_xuid_far_above():
    home = make_home()
    box = make_box(home, "unix", "far.mbox")
    sums = checksums(home, "far.mbox")
    patch(box, b"X-UID: 4\n", b"X-UID: 4000000000\n")
    check_finds(home, "far.mbox", r"X-UID 4000000000 is above the last UID 3")
    repair_and_verify(home, "far.mbox", sums)
    assert uids(home, "far.mbox")[1] == [1, 2, 3, 4]


def test_unix_message_without_blank_line_and_partial_end():
    need_mailutil()
    home = make_home()
    write_file(home, "src.mbox", SOURCE)
    mailutil(home, "copy", "src.mbox", "#driver.unix/uw.mbox")
    path = os.path.join(home, "uw.mbox")
    sums = checksums(home, "uw.mbox")
    data = open(path, "rb").read()
    second = [m.start() for m in re.finditer(rb"\n\nFrom ", data)][1] + 1  # before message 2
    assert data[second - 1:second + 1] == b"\n\n"
    data = data[:second] + data[second + 1:]  # no blank line before message 2
    data = data.rstrip(b"\n")                  # the last line cut
    with open(path, "wb") as f:
        f.write(data)
    out = check_finds(home, "uw.mbox", r"the message is not ended by a blank line before the next From line")
    assert "a partial message at the end: its last line has no newline" in out
    repair_and_verify(home, "uw.mbox", sums, r"added 2 newlines at offset \d+ \(the end\)")
    uw_accepts(home, "uw.mbox", 3)


def test_unix_not_an_mbox():
    home = make_home()
    write_file(home, "junk.mbox", b"From nobody Mon Jan  1 00:00:00 2001\nSubject: x\n\nhi\n\n")
    with open(os.path.join(home, "junk.mbox"), "r+b") as f:
        f.write(b"Frim")
    rc, out, err = mt(home, "check", "unix:" + os.path.join(home, "junk.mbox"))
    assert rc == 1 and "does not start with a From line" in out, (rc, out, err)


def test_unix_stale_dot_lock_and_uw_lock():
    home = make_home()
    box = make_box(home, "unix", "locked.mbox")
    sums = checksums(home, "locked.mbox")
    lock = write_file(home, "locked.mbox.lock", b"999999\n")
    old = time.time() - 600
    os.utime(lock, (old, old))
    st = os.stat(box)
    uw = "/tmp/.%x.%x" % (st.st_dev, st.st_ino)
    with open(uw, "w"):
        pass
    os.chmod(uw, 0o666)
    if os.geteuid() == 0:  # /tmp is sticky: UW's lock belongs to the user
        import pwd
        pw = pwd.getpwnam("nobody")
        os.chown(uw, pw.pw_uid, pw.pw_gid)
    try:
        out = check_finds(home, "locked.mbox", r"locked\.mbox\.lock: a stale dot lock")
        assert re.search(re.escape(uw) + ": a stale UW lock file", out), out
        repair_and_verify(home, "locked.mbox", sums, r"removed the stale dot lock")
        assert not os.path.exists(lock) and not os.path.exists(uw)
    finally:
        if os.path.exists(uw):
            os.unlink(uw)


def test_unix_live_lock_is_not_a_problem():
    home = make_home()
    make_box(home, "unix", "busy.mbox")
    write_file(home, "busy.mbox.lock", b"%d\n" % os.getpid())
    assert mt(home, "check", "busy.mbox") == (0, "", "")


# --- maildir -----------------------------------------------------------------

def maildir_files(path):
    return sorted(os.listdir(os.path.join(path, "cur")))


def dovecot_count(home, maildir_name):
    """Dovecot selects the repaired maildir and sees every message."""
    if not os.path.exists(lib.DOVECOT_IMAP):
        return
    dhome = lib.tempdir("check-dovecot-")
    import shutil
    shutil.copytree(os.path.join(home, maildir_name), os.path.join(dhome, "Maildir"))
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        lib.chown_tree(dhome, pw.pw_uid, pw.pw_gid)
    s = lib.dovecot_session(dhome)
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, (untagged, tagged)
        return untagged
    finally:
        s.close()


def test_maildir_uidlist_damage_renumbered_and_dovecot_agrees():
    home = make_home()
    box = make_box(home, "maildir", "md")
    sums = checksums(home, "md")
    validity = uids(home, "md")[0]
    ul = os.path.join(box, "dovecot-uidlist")
    lines = open(ul, "rb").read().split(b"\n")
    lines[2], lines[3] = lines[3], lines[2]  # UIDs 2 and 3 swapped in place
    with open(ul, "wb") as f:
        f.write(b"\n".join(lines))
    check_finds(home, "md", r"dovecot-uidlist line 4 \(UID 2\): UID 2 is not above the previous UID 3")
    repair_and_verify(home, "md", sums, r"renumbered dovecot-uidlist: 4 messages")
    v2, u2 = uids(home, "md")
    assert v2 > validity and u2 == [1, 2, 3, 4]
    untagged = dovecot_count(home, "md")
    if untagged is not None:
        assert any(b"4 EXISTS" in l for l in untagged), untagged
        assert any(f"UIDVALIDITY {v2}".encode() in l for l in untagged), untagged


def test_maildir_missing_entry_missing_file_size_flags_tmp():
    home = make_home()
    box = make_box(home, "maildir", "md2", count=5)
    names = maildir_files(box)
    ul = os.path.join(box, "dovecot-uidlist")
    text = open(ul).read().split("\n")
    base0 = names[0].split(":")[0]
    # An entry without a file: a message removed behind the uidlist's back.
    removed = names[4].split(":")[0]
    os.rename(os.path.join(box, "cur", names[4]), os.path.join(home, "removed"))
    # A file without an entry.
    text = [l for l in text if base0 not in l]
    # S= wrong (in the name and so in the uidlist) and a bad flag character.
    base1 = names[1].split(":")[0]
    wrong = re.sub(r",S=(\d+)", lambda m: ",S=%d" % (int(m.group(1)) + 7), base1)
    os.rename(os.path.join(box, "cur", names[1]), os.path.join(box, "cur", wrong + ":" + names[1].split(":", 1)[1]))
    text = [l.replace(base1, wrong) for l in text]
    with open(ul, "w") as f:
        f.write("\n".join(text))
    badflag = names[2].split(":")[0] + ":2,S%"
    os.rename(os.path.join(box, "cur", names[2]), os.path.join(box, "cur", badflag))
    # A stale delivery in tmp/.
    tmp = write_file(home, "md2/tmp/123.M1P2.host", b"Subject: half\n")
    old = time.time() - 40 * 3600
    os.utime(tmp, (old, old))
    # The removed file's content is gone by design; the others must stay.
    out = check_finds(home, "md2", r"cur/" + re.escape(names[0]) + ": no dovecot-uidlist entry")
    assert re.search(r"dovecot-uidlist UID \d+: no file " + re.escape(removed), out), out
    assert re.search(r"S=\d+ but the file has \d+ bytes", out), out
    assert 'bad flag characters "%"' in out, out
    assert "tmp/123.M1P2.host: a stale delivery, 40 hours old" in out, out
    rc, out, err = mt(home, "repair", "md2")
    assert rc == 0, (rc, out, err)
    assert "removed the stale tmp/123.M1P2.host" in out and "rewrote dovecot-uidlist" in out, out
    assert mt(home, "check", "md2") == (0, "", "")
    assert not os.path.exists(tmp)
    assert len(uids(home, "md2")[1]) == 4
    assert any(n.startswith(base1.split(",")[0]) and ",S=57" in n for n in maildir_files(box)), maildir_files(box)
    assert any(n.endswith(":2,S") and n.startswith(names[2].split(":")[0]) for n in maildir_files(box))
    untagged = dovecot_count(home, "md2")
    if untagged is not None:
        assert any(b"4 EXISTS" in l for l in untagged), untagged


def test_maildir_damaged_cache_is_info_and_deleted():
    home = make_home()
    box = make_box(home, "maildir", "md3")
    cache = write_file(home, "md3/imapd-cache", b"garbage" * 10)
    rc, out, err = mt(home, "check", "md3")
    assert rc == 0 and re.search(r"info: .*imapd-cache: a damaged cache file", out), (rc, out, err)
    rc, out, err = mt(home, "repair", "md3")
    assert rc == 0 and "deleted a damaged cache file" in out, out
    assert not os.path.exists(cache)
    assert mt(home, "check", "md3") == (0, "", "")


def test_maildir_stale_uidlist_lock():
    home = make_home()
    make_box(home, "maildir", "md4")
    lock = write_file(home, "md4/dovecot-uidlist.lock", b"")
    old = time.time() - 300
    os.utime(lock, (old, old))
    check_finds(home, "md4", r"dovecot-uidlist.lock: a stale dovecot-uidlist lock")
    rc, out, _ = mt(home, "repair", "md4")
    assert rc == 0 and not os.path.exists(lock), out


# --- a mailbox in use --------------------------------------------------------

def test_mbx_open_in_imapd_is_not_renumbered_under_it():
    home = make_home()
    box = make_box(home, "mbx", "INBOX")
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        lib.chown_tree(home, pw.pw_uid, pw.pw_gid)
    s = lib.imapd_session(home, env={"MAIL": "mbx:~/mail:INBOX=~/INBOX"})
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, (untagged, tagged)
        set_mbx_uid(box, 2, 1)
        damaged = open(box, "rb").read()
        rc, out, err = mt(home, "repair", "INBOX")
        assert rc == 75 and "open in another session" in err, (rc, out, err)
        assert open(box, "rb").read() == damaged  # nothing changed under the session
    finally:
        s.close()
    rc, out, err = mt(home, "repair", "INBOX")
    assert rc == 0 and "renumbered" in out, (rc, out, err)
    assert uids(home, "INBOX")[1] == [1, 2, 3, 4]
