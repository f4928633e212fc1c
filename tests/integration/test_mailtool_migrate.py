"""mailtool copy/convert and migrate-user/migrate-site: every pair of
formats keeps UIDs, UIDVALIDITY, UIDNEXT, flags, keywords and internal
dates; a UW-style home made with UW's mailutil, migrated to maildir, is
served alike by our imapd and by Dovecot; an interrupted site migration
resumes to the same result; a dry run changes nothing."""
import hashlib
import os
import re
import signal
import subprocess
import time

import lib

FORMATS = ["mbx", "unix", "maildir"]


def mailtool(*args, stdin=b"", ok=True, timeout=120):
    p = subprocess.run([lib.binary("mailtool"), *args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if ok:
        assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def listing(path):
    """UIDVALIDITY, UIDNEXT and {uid: (date, flags and keywords)}; sizes
    differ between formats (unix quotes From lines) and are left out."""
    lines = mailtool("ls", "-t", path).stdout.decode().splitlines()
    msgs = {}
    for line in lines[2:]:
        w = line.split()
        msgs[int(w[0])] = (int(w[1]), frozenset(w[2:-1]))
    return lines[0], lines[1], msgs


def message(i):
    return (b"From: sender%d@example.org\nSubject: message %d\n\n"
            b"From the start of a line\nbody %d\n" % (i, i, i))


def make_source(path, fmt, count=6):
    """A mailbox with flags, keywords, dates, and a UID gap with UIDNEXT
    above the last UID (made by a copy with expunges: messages 2 and the
    last are left out of a converted copy)."""
    flags = ["\\Seen", "\\Answered \\Flagged", "$Forwarded work", "\\Draft", "\\Deleted", "urgent \\Seen"]
    for i in range(count):
        mailtool("append", "-f", fmt, "-F", flags[i % len(flags)],
                 "-d", "%02d-Mar-2021 08:%02d:00 +0200" % (i + 1, i), path, stdin=message(i))


def test_convert_every_pair():
    d = lib.tempdir()
    for src_fmt in FORMATS:
        src = os.path.join(d, "src." + src_fmt)
        make_source(src, src_fmt)
        want = listing(src)
        assert len(want[2]) == 6
        for dst_fmt in FORMATS:
            dst = os.path.join(d, "%s-to-%s" % (src_fmt, dst_fmt))
            out = mailtool("convert", src, "%s:%s" % (dst_fmt, dst)).stdout.decode()
            assert "verified" in out and "kept" in out, out
            assert listing(dst) == want, (src_fmt, dst_fmt, listing(dst), want)
            # and back again, byte for byte the same message text (LF ends)
            back = dst + ".back"
            mailtool("convert", dst, "%s:%s" % (src_fmt, back))
            assert listing(back) == want
            for uid in want[2]:
                a = mailtool("cat", src, str(uid)).stdout.replace(b"\r\n", b"\n")
                b = mailtool("cat", back, str(uid)).stdout.replace(b"\r\n", b"\n")
                assert a.replace(b"\n>From ", b"\nFrom ") == b.replace(b"\n>From ", b"\nFrom "), (src_fmt, dst_fmt, uid)
            # copy to an existing complete target: nothing to do
            out = mailtool("convert", src, "%s:%s" % (dst_fmt, dst)).stdout.decode()
            assert out.startswith("already complete"), out


def test_convert_keeps_uid_gaps_and_uidnext():
    """A maildir with UIDs 3, 7 and UIDNEXT 12 (a dovecot-uidlist written
    as Dovecot would after expunges) keeps them in every format."""
    d = lib.tempdir()
    src = os.path.join(d, "gappy")
    make_source(src, "maildir", count=3)
    uidlist = os.path.join(src, "dovecot-uidlist")
    lines = open(uidlist).read().splitlines()
    header = re.sub(r" N\d+", " N12", lines[0])
    recs = [l.split(" ", 1)[1] for l in lines[1:]]
    with open(uidlist, "w") as f:
        f.write(header + "\n" + "".join("%d %s\n" % (u, r) for u, r in zip([3, 7, 9], recs)))
    want = listing(src)
    assert sorted(want[2]) == [3, 7, 9] and want[1] == "UIDNEXT 12"
    for fmt in FORMATS:
        dst = os.path.join(d, "gappy." + fmt)
        mailtool("convert", src, "%s:%s" % (fmt, dst))
        assert listing(dst) == want, fmt
        # a new message after the copy gets UIDNEXT, never an old UID
        uid = int(mailtool("append", dst, stdin=message(99)).stdout)
        assert uid == 12, (fmt, uid)


def as_nobody():
    """preexec_fn running a command as nobody when we are root (UW's
    mailutil refuses to create mailboxes as root), or None."""
    if os.geteuid() != 0:
        return None
    import pwd
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def uw_home(home):
    """A UW-style home as UW's tools make it: INBOX and mail/ folders in
    mbx (mailutil create, mailutil append from a unix mailbox with flags),
    plus keywords set by our mbx driver, and a .mailboxlist."""
    if not os.path.exists("/usr/bin/mailutil"):
        raise lib.Skip("uw-mailutils is not installed")
    os.makedirs(os.path.join(home, "mail", "Lists"))
    seed = os.path.join(home, "seed")
    with open(seed, "wb") as f:
        for i in range(5):
            f.write(b"From sender@example.org Mon Mar  1 08:0%d:00 2021\n" % i)
            f.write(b"Status: %s\nX-Status: %s\n" % (b"RO" if i % 2 else b"O", b"F" if i == 3 else b""))
            f.write(message(i) + b"\n")
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        lib.chown_tree(home, pw.pw_uid, pw.pw_gid)
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "TZ": "UTC"}
    for box in ["INBOX", "mail/Work", "mail/Lists/Debian"]:
        for argv in (["mailutil", "create", "#driver.mbx/" + box], ["mailutil", "append", "seed", box]):
            p = subprocess.run(argv, env=env, cwd=home, preexec_fn=as_nobody(), capture_output=True, timeout=60)
            assert p.returncode == 0, (argv, p.stdout, p.stderr)
        assert mailtool("ls", os.path.join(home, box)).stdout.count(b"\n") == 7, box
    p = subprocess.run([lib.binary("mailtool"), "append", "-F", "$Label1 todo \\Seen", "mail/Work"],
                       input=message(7), cwd=home, preexec_fn=as_nobody(), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    os.unlink(seed)
    with open(os.path.join(home, ".mailboxlist"), "w") as f:
        f.write("mail/Work\nmail/Lists/Debian\n")


def imap_state(session, mailbox):
    untagged, tagged = session.cmd("SELECT \"%s\"" % mailbox)
    assert b" OK " in tagged, (mailbox, tagged)
    validity = None
    for line in untagged:
        m = re.search(rb"UIDVALIDITY (\d+)", line)
        if m:
            validity = int(m.group(1))
    untagged, tagged = session.cmd("UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)")
    msgs = {}
    for line in untagged:
        uid = int(re.search(rb"UID (\d+)", line).group(1))
        flags = frozenset(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).split()) - {b"\\Recent"}
        date = re.search(rb'INTERNALDATE "([^"]*)"', line).group(1)
        msgs[uid] = (flags, date)
    return validity, msgs


def test_uw_home_to_maildir_read_by_imapd_and_dovecot():
    home = lib.tempdir()
    uw_home(home)
    uw = {"MAIL": "mbx:~/mail:INBOX=~/INBOX"}
    src = lib.imapd_session(home, env=uw)  # chowns home to nobody when root
    before = {b: imap_state(src, b) for b in ["INBOX", "Work", "Lists/Debian"]}
    src.close()
    assert len(before["Work"][1]) == 6
    out = mailtool("migrate-user", "--home", home, "--from", "mbx:%h/mail:INBOX=%h/INBOX",
                   "--to", "maildir:%h/Maildir", "nobody").stdout.decode()
    assert "3 folders" in out and "0 problems" in out, out
    assert os.stat(os.path.join(home, "Maildir", "cur")).st_uid == os.stat(home).st_uid
    # Dovecot's default maildir namespace separates levels with '.'
    for serve, sep in ((lib.imapd_session, "/"), (lib.dovecot_session, ".")):
        s = serve(home)
        for box, state in before.items():
            assert imap_state(s, box.replace("/", sep)) == state, (serve.__name__, box)
        untagged, _ = s.cmd('LSUB "" "*"')
        assert any(b"Work" in l for l in untagged) and any(b"Debian" in l for l in untagged), untagged
        s.close()
    # the originals are untouched, and a second run skips everything
    again = mailtool("migrate-user", "--home", home, "--from", "mbx:%h/mail:INBOX=%h/INBOX",
                     "--to", "maildir:%h/Maildir", "nobody").stdout.decode()
    assert "3 folders (3 already complete)" in again and "0 appended" in again, again


def tree_snapshot(root):
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            data = open(p, "rb").read() if os.path.isfile(p) else b""
            snap[p] = (st.st_mode, st.st_mtime_ns, hashlib.sha256(data).hexdigest())
    return snap


def make_site(root, users, messages):
    with open(os.path.join(root, "users"), "w") as f:
        for u in range(users):
            home = os.path.join(root, "home", "user%02d" % u)
            for box in ["INBOX", "mail/a", "mail/b"]:
                path = os.path.join(home, box)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                for i in range(messages):
                    mailtool("append", "-f", "mbx", "-F", "\\Seen kw%d" % (i % 3), path, stdin=message(i))
            f.write("user%02d %s\n" % (u, home))
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        lib.chown_tree(root, pw.pw_uid, pw.pw_gid)


SITE_ARGS = ["--from", "mbx:%h/mail:INBOX=%h/INBOX", "--to", "maildir:%h/Maildir"]


def test_dry_run_changes_nothing():
    root = lib.tempdir()
    make_site(root, 2, 3)
    before = tree_snapshot(root)
    out = mailtool("migrate-site", "-n", "--users", os.path.join(root, "users"),
                   "--state", os.path.join(root, "state"), *SITE_ARGS).stdout.decode()
    assert "would copy" in out and "dry run" in out, out
    out = mailtool("migrate-user", "-n", "--home", os.path.join(root, "home", "user00"), *SITE_ARGS,
                   "user00").stdout.decode()
    assert out.count("would copy") == 3, out
    assert tree_snapshot(root) == before


def test_site_interrupted_and_resumed():
    root = lib.tempdir()
    make_site(root, 6, 25)
    state = os.path.join(root, "state")
    argv = [lib.binary("mailtool"), "migrate-site", "-j", "2", "--users", os.path.join(root, "users"),
            "--state", state, *SITE_ARGS]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    p.send_signal(signal.SIGKILL)
    p.wait()
    done_first = open(state).read().count("done ") if os.path.exists(state) else 0
    time.sleep(0.5)  # children die with their parent (PR_SET_PDEATHSIG)
    r = mailtool(*argv[1:])
    out = r.stdout.decode()
    assert "6 users" in out and "0 failed" in out and "0 problems" in out, out
    assert "%d already done" % done_first in out, (done_first, out)
    for u in range(6):
        home = os.path.join(root, "home", "user%02d" % u)
        for src, dst in [("INBOX", "Maildir"), ("mail/a", "Maildir/.a"), ("mail/b", "Maildir/.b")]:
            assert listing(os.path.join(home, dst)) == listing(os.path.join(home, src)), (u, src)
            if os.geteuid() == 0:
                assert os.stat(os.path.join(home, dst)).st_uid != 0
    out = mailtool(*argv[1:]).stdout.decode()
    assert "6 already done" in out, out
