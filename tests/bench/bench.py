#!/usr/bin/env python3
"""Benchmarks imapd beside Dovecot's imap on copies of one generated mailbox.

For N messages (genmail.py: realistic sizes, MIME structures, threads,
attachments), the same workloads run against
  imapd   maildir, unix mbox (and mbx when UW mailutil can convert to it)
  dovecot maildir, mbox
and one table is printed: each figure per server and format, and the ratio
of ours to Dovecot's in the same family (maildir to maildir; unix and mbx to
Dovecot's mbox); below 1 is better for imapd. Times are wall-clock seconds,
memory kB of resident memory from /proc (VmRSS now, VmHWM peak).

    tests/bench/run [--count N] [--only imapd-maildir,dovecot-maildir,...]
"""
import argparse
import os
import pwd
import random
import select
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402

# name: (server, family, MAIL location for the server)
SETUPS = {
    "imapd-maildir": ("imapd", "maildir", "maildir:~/Maildir"),
    "imapd-unix": ("imapd", "mbox", "unix:~/mail:INBOX=~/INBOX"),
    "imapd-mbx": ("imapd", "mbox", "mbx:~/mail:INBOX=~/INBOX"),
    "dovecot-maildir": ("dovecot", "maildir", "maildir:~/Maildir"),
    "dovecot-mbox": ("dovecot", "mbox", "mbox:~/mail:INBOX=~/INBOX"),
}


def proc_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def become_nobody():
    """A preexec_fn that only drops to nobody (when root), for a home that
    lib.imapd_preexec has already chowned."""
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def start(setup, home, chown=True):
    """A session of setup's server on home; chown=False when home already
    belongs to nobody (chowning a 10,000-file tree is not the server's time)."""
    server, _, location = SETUPS[setup]
    preexec = lib.imapd_preexec(home) if chown else become_nobody()
    if server == "imapd":
        env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": location}
        return lib.ImapSession([lib.binary("imapd")], env=env, preexec_fn=preexec, cwd=home)
    conf = lib.dovecot_config(home)
    with open(conf) as f:  # Dovecot with its default fsync policy, as a site runs it
        text = f.read().replace("mail_fsync = never\n", "")
    with open(conf, "w") as f:
        f.write(text)
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    return lib.ImapSession([lib.DOVECOT_IMAP, "-c", conf, "-o", f"mail_location={location}"],
                           env=env, preexec_fn=preexec, cwd=home)


def ok(reply):
    untagged, tagged = reply
    if tagged.split()[1] != b"OK":
        raise RuntimeError(f"command failed: {tagged[:200]!r}")
    return untagged


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


def greeting_time(setup, home, runs=15):
    start(setup, home).close()  # chowns home once; Dovecot's config is written once
    times = []
    for _ in range(runs):
        t = time.monotonic()
        s = start(setup, home, chown=False)
        times.append(time.monotonic() - t)
        s.close()
    times.sort()
    return times[len(times) // 2]


def read_until(session, needle, timeout):
    """Reads response lines until one contains needle; False on timeout."""
    end = time.monotonic() + timeout
    out = session.proc.stdout
    while time.monotonic() < end:
        # Lines already buffered by the reader are not seen by select().
        buffered = len(out.peek(0)) > 0 if hasattr(out, "peek") else False
        if not buffered:
            r, _, _ = select.select([out.fileno()], [], [], max(0.0, end - time.monotonic()))
            if not r:
                return False
        line = session.read_response_line()
        if needle in line:
            return True
    return False


def delivery_latency(setup, home, message, rounds=5):
    """From the start of an APPEND by one session to the EXISTS seen by
    another in IDLE; the median of rounds."""
    idler = start(setup, home)
    ok(idler.cmd("SELECT INBOX"))
    writer = start(setup, home)
    times = []
    for _ in range(rounds):
        idler.tag_no += 1
        tag = b"t%d" % idler.tag_no
        idler.send(tag + b" IDLE\r\n")
        if not read_until(idler, b"+ ", 5):
            raise RuntimeError("no IDLE continuation")
        t = time.monotonic()
        ok(writer.cmd("APPEND INBOX {%d+}" % len(message), [message]))
        seen = read_until(idler, b"EXISTS", 30)
        times.append(time.monotonic() - t if seen else float("nan"))
        idler.send(b"DONE\r\n")
        read_until(idler, tag + b" ", 10)
    writer.close()
    idler.close()
    times.sort()
    return times[len(times) // 2]


def prepare_home(setup, masters, work):
    home = os.path.join(work, "run-" + setup)
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.join(home, "mail"))
    if SETUPS[setup][2].startswith("maildir"):
        shutil.copytree(masters["maildir"], os.path.join(home, "Maildir"), symlinks=True)
    elif setup == "imapd-mbx":
        shutil.copyfile(masters["mbx"], os.path.join(home, "INBOX"))
    else:
        shutil.copyfile(masters["mbox"], os.path.join(home, "INBOX"))
    # The copy's dirty pages would otherwise be written back during the
    # workloads, in whichever setup's fsyncs happen to come first.
    os.sync()
    return home


def run_setup(setup, masters, work, count, samples):
    home = prepare_home(setup, masters, work)
    r = {}
    s = start(setup, home)
    caps = b" ".join(ok(s.cmd("CAPABILITY")))
    r["first SELECT (s)"] = timed(lambda: ok(s.cmd("SELECT INBOX")))
    r["FETCH 1:* FLAGS (s)"] = timed(lambda: ok(s.cmd("FETCH 1:* FLAGS")))
    r["FETCH 1:* ENVELOPE (s)"] = timed(lambda: ok(s.cmd("FETCH 1:* ENVELOPE")))
    r["FETCH 1:* BODYSTRUCTURE (s)"] = timed(lambda: ok(s.cmd("FETCH 1:* BODYSTRUCTURE")))
    r["BODY.PEEK[] of 50 random (s)"] = timed(
        lambda: [ok(s.cmd(f"FETCH {n} BODY.PEEK[]")) for n in samples])
    r["SEARCH SUBJECT (s)"] = timed(lambda: ok(s.cmd('SEARCH SUBJECT "meeting"')))
    r["SEARCH BODY (s)"] = timed(lambda: ok(s.cmd('SEARCH BODY "zebra-not-there"')))
    if b" SORT" in caps:
        r["SORT (DATE) (s)"] = timed(lambda: ok(s.cmd("SORT (DATE) UTF-8 ALL")))
    else:
        r["SORT (DATE) (s)"] = None
    r["RSS after the fetches (kB)"] = proc_kb(s.proc.pid, "VmRSS")
    r["peak RSS of that session (kB)"] = proc_kb(s.proc.pid, "VmHWM")
    s.close()

    s = start(setup, home)
    r["second SELECT (s)"] = timed(lambda: ok(s.cmd("SELECT INBOX")))
    r["idle RSS after SELECT (kB)"] = proc_kb(s.proc.pid, "VmRSS")
    r["STORE 1:* +FLAGS (s)"] = timed(lambda: ok(s.cmd("STORE 1:* +FLAGS.SILENT (\\Flagged)")))
    msg = (b"From: bench@example.org\r\nTo: you@example.org\r\nSubject: appended\r\n"
           b"Date: Mon, 3 Jun 2024 10:15:00 +0200\r\n\r\n" + b"appended body line\r\n" * 40)
    r["APPEND of 1,000 (s)"] = timed(
        lambda: [ok(s.cmd("APPEND INBOX {%d+}" % len(msg), [msg])) for _ in range(1000)])
    ok(s.cmd("NOOP"))
    tenth = ",".join(str(n) for n in range(1, count + 1, 10))
    ok(s.cmd(f"STORE {tenth} +FLAGS.SILENT (\\Deleted)"))
    r["EXPUNGE of 10% (s)"] = timed(lambda: ok(s.cmd("EXPUNGE")))
    s.close()
    r["delivery to EXISTS in IDLE (s)"] = delivery_latency(setup, home, msg)
    r["start to greeting, median (s)"] = greeting_time(setup, home)
    shutil.rmtree(home, ignore_errors=True)
    return r


def make_masters(work, count):
    masters = {}
    for fmt in ("maildir", "mbox"):
        path = os.path.join(work, f"master-{count}.{fmt}")
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "genmail.py"), "--count", str(count),
                            "--seed", "7", "--format", fmt, path + ".tmp"], check=True)
            os.rename(path + ".tmp", path)
        masters[fmt] = path
    mbx = os.path.join(work, f"master-{count}.mbx")
    if not os.path.exists(mbx) and shutil.which("mailutil"):
        # UW mailutil converts the mbox into an mbx file (the reference writer).
        tmp = mbx + ".tmp"
        if os.path.exists(tmp):
            os.unlink(tmp)
        subprocess.run(["mailutil", "create", "#driver.mbx/" + tmp], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = subprocess.run(["mailutil", "copy", masters["mbox"], tmp],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode != 0:
            # mailutil takes only names it considers safe (not every absolute
            # path): then our own converter, which verifies every message.
            if os.path.exists(tmp):
                os.unlink(tmp)
            done = subprocess.run([lib.binary("mailtool"), "convert", masters["mbox"], "mbx:" + tmp],
                                  stdout=subprocess.DEVNULL)
        if done.returncode == 0 and os.path.exists(tmp):
            os.rename(tmp, mbx)
    if os.path.exists(mbx):
        masters["mbx"] = mbx
    return masters


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--only", default="", help="comma-separated setups (default: all)")
    ap.add_argument("--work", default=os.path.join(lib.BUILD, "bench"))
    args = ap.parse_args()
    lib.binary("imapd")
    os.makedirs(args.work, exist_ok=True)
    masters = make_masters(args.work, args.count)
    setups = [s for s in SETUPS if not args.only or s in args.only.split(",")]
    if "mbx" not in masters:
        setups = [s for s in setups if s != "imapd-mbx"]
    if not os.path.exists(lib.DOVECOT_IMAP):
        setups = [s for s in setups if not s.startswith("dovecot")]
    rng = random.Random(7)
    samples = [rng.randint(1, args.count) for _ in range(50)]
    results = {}
    for setup in setups:
        t = time.monotonic()
        try:
            results[setup] = run_setup(setup, masters, args.work, args.count, samples)
        except Exception as e:  # one broken setup must not hide the others
            print(f"{setup}: failed: {e}", file=sys.stderr)
        print(f"  {setup}: {time.monotonic() - t:.1f} s", file=sys.stderr)
    cols = [s for s in setups if s in results]
    rows = next(iter(results.values())).keys() if results else []
    print(f"\n{args.count} messages; ratio = imapd / dovecot of the same family (maildir; mbox)")
    head = f"{'workload':34}" + "".join(f"{c:>16}" for c in cols)
    ratios = [c for c in cols if c.startswith("imapd")]
    head += "".join(f"{'ratio ' + c[6:]:>14}" for c in ratios)
    print(head)
    for row in rows:
        line = f"{row:34}" + "".join(f"{fmt(results[c].get(row)):>16}" for c in cols)
        for c in ratios:
            ref = "dovecot-" + SETUPS[c][1]
            a = results[c].get(row)
            b = results.get(ref, {}).get(row)
            line += f"{(a / b):14.2f}" if a is not None and b else f"{'-':>14}"
        print(line)


if __name__ == "__main__":
    main()
