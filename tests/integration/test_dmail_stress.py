"""dmail under load and failure: 50 concurrent deliveries into one mailbox of
each format while an imapd session IDLEs on it (every message once, UIDs
strictly increasing, the session told of all), a file size limit and a full
disk (tmpfs, root only) give EX_TEMPFAIL and leave the mailbox as it was,
SIGKILL during a big delivery leaves no trace, and deliveries per second."""
import os
import resource
import signal
import subprocess
import sys
import threading
import time

import lib
import peak_rss
from test_dmail import FORMATS, as_nobody, dmail, dmail_env, folder_path, location, ls, message, cat

N = 50


def spawn(home, fmt, args, preexec=None):
    return subprocess.Popen([lib.binary("dmail")] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dmail_env(home, fmt), preexec_fn=preexec)


def read_until(session, wanted, seconds):
    """Untagged lines until one contains wanted (bytes) or the time is up.
    A reader thread, since the session's buffered stdout defeats select()."""
    lines = []
    found = threading.Event()

    def reader():
        while True:
            line = session.proc.stdout.readline()
            if not line:
                return
            lines.append(line)
            if wanted in line:
                found.set()
                return
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    found.wait(seconds)
    return lines, found.is_set()


def test_dmail_concurrent_deliveries_with_idle():
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+busy"], message("first"))
        preexec = as_nobody(home)
        session = lib.imapd_session(home, env={"MAIL": location(home, fmt)})
        try:
            untagged, tagged = session.cmd('SELECT "busy"')
            assert b"OK" in tagged, (fmt, tagged)
            session.send(b"i1 IDLE\r\n")
            cont = session.read_response_line()
            assert cont.startswith(b"+"), (fmt, cont)
            procs = [spawn(home, fmt, ["+busy"], preexec) for _ in range(N)]
            for i, p in enumerate(procs):
                p.stdin.write(message(f"concurrent {i}"))
                p.stdin.close()
            retried = []
            for i, p in enumerate(procs):
                rc = p.wait(timeout=120)
                err = p.stderr.read()
                p.stdout.close()
                p.stderr.close()
                # 75 is a temporary failure the MTA retries; so do we (once), and report it.
                if rc == 75:
                    retried.append(err)
                    dmail(home, fmt, ["+busy"], message(f"concurrent {i}"), preexec=preexec)
                else:
                    assert rc == 0, (fmt, rc, err)
            if retried:
                print(f"dmail {fmt}: {len(retried)} of {N} concurrent deliveries said 75 and were retried: {retried[0]!r}")
            lines, told = read_until(session, b"* %d EXISTS" % (N + 1), 30)
            assert told, (fmt, lines)
            session.send(b"DONE\r\n")
            while not session.read_response_line().startswith(b"i1 "):
                pass
        finally:
            session.proc.kill()
            session.proc.wait()
        path = folder_path(home, fmt, "busy")
        _, msgs = ls(path)
        uids = [m[0] for m in msgs]
        assert len(uids) == N + 1, (fmt, len(uids))
        assert all(a < b for a, b in zip(uids, uids[1:])), (fmt, uids)
        subjects = []
        for uid in uids[1:]:
            body = cat(path, uid)
            subjects += [l for l in body.replace(b"\r\n", b"\n").split(b"\n") if l.startswith(b"Subject: ")]
        assert sorted(subjects) == sorted(b"Subject: concurrent %d" % i for i in range(N)), (fmt, subjects)


def snapshot(path):
    """Every file under path (or the file) with its bytes."""
    if os.path.isfile(path):
        return {path: open(path, "rb").read()}
    files = {}
    for d, _, names in os.walk(path):
        for n in names:
            files[os.path.join(d, n)] = open(os.path.join(d, n), "rb").read()
    return files


def test_dmail_file_size_limit_is_a_temporary_failure():
    """RLIMIT_FSIZE makes writes fail with EFBIG (SIGXFSZ ignored): dmail
    says EX_TEMPFAIL and the mailbox is as it was."""
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+lim"], message("small"))
        path = folder_path(home, fmt, "lim")
        before_ls, before = ls(path), snapshot(path)
        nobody = as_nobody(home)

        def preexec():
            if nobody:
                nobody()
            resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        r = dmail(home, fmt, ["+lim"], message("big", body=b"y" * 1_000_000 + b"\n"), preexec=preexec, check=False)
        assert r.returncode == 75, (fmt, r.returncode, r.stderr)
        assert ls(path) == before_ls, fmt
        after = snapshot(path)
        if fmt == "maildir":  # only the index files may differ; no message file left in tmp/ or new/
            assert sorted(k for k in after if "/tmp/" in k or "/new/" in k or "/cur/" in k) == \
                sorted(k for k in before if "/tmp/" in k or "/new/" in k or "/cur/" in k), fmt
        elif fmt == "mbx":  # opening read-write rewrites session fields in place (header, \\Recent bits)
            assert len(after[path]) == len(before[path]), fmt
        else:
            assert after == before, fmt


def test_dmail_full_disk_is_a_temporary_failure():
    if os.geteuid() != 0:
        raise lib.Skip("a small tmpfs needs root")
    mnt = lib.tempdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        raise lib.Skip("cannot mount a tmpfs here: " + r.stderr.decode(errors="replace").strip())
    try:
        for fmt in FORMATS:
            home = os.path.join(mnt, fmt)
            os.mkdir(home)
            dmail(home, fmt, ["+full"], message("small"))
            path = folder_path(home, fmt, "full")
            before = ls(path)
            r = dmail(home, fmt, ["+full"], message("huge", body=b"z" * 3_000_000 + b"\n"), check=False)
            assert r.returncode == 75, (fmt, r.returncode, r.stderr)
            assert ls(path) == before, fmt
            dmail(home, fmt, ["+full"], message("after"))  # and the disk is usable again
            assert len(ls(path)[1]) == 2, fmt
            subprocess.run(["rm", "-rf", home])
    finally:
        subprocess.run(["umount", "-l", mnt])


def test_dmail_sigkill_during_big_delivery_leaves_no_trace():
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+k"], message("kept"))
        path = folder_path(home, fmt, "k")
        before = ls(path)
        p = spawn(home, fmt, ["+k"], as_nobody(home))
        p.stdin.write(message("killed", body=b""))
        chunk = (b"x" * 1023 + b"\n") * 1024
        for _ in range(20):  # 20 MB of a bigger message, then the kill
            p.stdin.write(chunk)
        p.kill()
        p.wait(timeout=30)
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        assert ls(path) == before, fmt
        if fmt == "maildir":
            assert os.listdir(os.path.join(path, "new")) == [] or len(os.listdir(os.path.join(path, "new"))) <= 1
        dmail(home, fmt, ["+k"], message("after"))
        assert len(ls(path)[1]) == 2, fmt


def test_dmail_deliveries_per_second():
    """Sequential deliveries of a 4 KB message; prints the rate of each format."""
    rates = []
    for fmt in FORMATS:
        home = lib.tempdir()
        dmail(home, fmt, ["+speed"], message("warm"))
        preexec = as_nobody(home)
        count = 100
        msg = message("speed", body=(b"z" * 79 + b"\n") * 50)
        start = time.time()
        for _ in range(count):
            dmail(home, fmt, ["+speed"], msg, preexec=preexec)
        rate = count / (time.time() - start)
        rates.append(f"{fmt} {rate:.0f}/s")
        assert len(ls(folder_path(home, fmt, "speed"))[1]) == count + 1
    print("dmail deliveries per second: " + ", ".join(rates))


def test_dmail_big_message_in_bounded_memory():
    """A 200 MB message is delivered in a few MB of memory (max RSS of the
    dmail process from wait4), into each format, and reads back whole."""
    if not peak_rss.available():
        raise lib.Skip("GNU time (/usr/bin/time, Debian package time) is not installed")
    size = 200 * 1024 * 1024
    line = b"x" * 1023 + b"\n"
    for fmt in FORMATS:
        home = lib.tempdir()
        p = peak_rss.Measured([lib.binary("dmail"), "+big"], env=dmail_env(home, fmt),
                              preexec_fn=as_nobody(home))
        p.stdin.write(message("big", body=b""))
        block = line * 1024
        for _ in range(size // len(block)):
            p.stdin.write(block)
        rc, maxrss_kb, err = p.finish()
        assert rc == 0, (fmt, rc, err)
        # 16 MB: a few MB are expected (about 5 MB, most of it libstdc++ and
        # OpenSSL); a buffer growing with the message fails this.
        assert maxrss_kb < 16 * 1024, (fmt, maxrss_kb)
        _, msgs = ls(folder_path(home, fmt, "big"))
        assert len(msgs) == 1 and msgs[0][2] >= size, (fmt, msgs)
        print(f"dmail {fmt}: 200 MB delivered, max RSS {maxrss_kb / 1024:.1f} MB", file=sys.stderr)
        subprocess.run(["rm", "-rf", home])
