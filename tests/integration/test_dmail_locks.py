"""dmail and locks held by others: a dot lock (unix) or UW's /tmp lock (mbx)
held longer than lock_timeout gives exit 75 (EX_TEMPFAIL, the MTA retries)
after about lock_timeout, with the mailbox unchanged and the other's lock
left alone; a stale dot lock (old, or its owner dead) is broken and the
delivery goes through."""
import fcntl
import os
import time

import lib
from test_dmail import dmail, inbox_path, ls, message


def conf_with_timeout(home, seconds):
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"lock_timeout = {seconds}s\n")
    return conf


def set_age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def timed_dmail(home, fmt, conf, subject):
    t0 = time.monotonic()
    r = dmail(home, fmt, ["-c", conf], message(subject), check=False)
    return r, time.monotonic() - t0


def test_dmail_unix_dot_lock_held_too_long_is_tempfail():
    home = lib.tempdir()
    conf = conf_with_timeout(home, 2)
    dmail(home, "unix", ["-c", conf], message("first"))
    inbox = inbox_path(home, "unix")
    before = open(inbox, "rb").read()
    lock = inbox + ".lock"
    open(lock, "w").close()  # procmail's kind: empty, fresh
    r, took = timed_dmail(home, "unix", conf, "second")
    assert r.returncode == 75, (r.returncode, r.stderr)
    assert 1.5 <= took < 8, took
    assert open(inbox, "rb").read() == before
    assert os.path.exists(lock)
    # the same lock five minutes and more old: stale (UW, procmail), broken
    set_age(lock, 6 * 60)
    r, took = timed_dmail(home, "unix", conf, "third")
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(lock)
    assert len(ls(inbox)[1]) == 2


def test_dmail_breaks_the_dot_lock_of_a_dead_owner():
    home = lib.tempdir()
    conf = conf_with_timeout(home, 10)
    dmail(home, "unix", ["-c", conf], message("first"))
    inbox = inbox_path(home, "unix")
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a writer that died holding the lock
    lock = inbox + ".lock"
    with open(lock, "w") as f:
        f.write(f"{pid}\n")
    set_age(lock, 3)
    r, took = timed_dmail(home, "unix", conf, "second")
    assert r.returncode == 0, r.stderr
    assert took < 5, took
    assert len(ls(inbox)[1]) == 2


def test_dmail_mbx_uw_lock_held_too_long_is_tempfail():
    home = lib.tempdir()
    conf = conf_with_timeout(home, 2)
    dmail(home, "mbx", ["-c", conf], message("first"))
    inbox = inbox_path(home, "mbx")
    before = open(inbox, "rb").read()
    st = os.stat(inbox)
    path = "/tmp/.%x.%x" % (st.st_dev, st.st_ino)
    old = os.umask(0)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    os.umask(old)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a UW process parsing or appending
        r, took = timed_dmail(home, "mbx", conf, "second")
        assert r.returncode == 75, (r.returncode, r.stderr)
        assert 1.5 <= took < 8, took
        assert open(inbox, "rb").read() == before
    finally:
        os.close(fd)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    dmail(home, "mbx", ["-c", conf], message("third"))
    assert len(ls(inbox)[1]) == 2
