#!/usr/bin/env python3
"""Benchmarks imapd beside Dovecot's imap on copies of one generated maildir.

Prints one table: each workload's figure for both servers and the ratio
(imapd / Dovecot; below 1 is better for imapd). Figures are wall-clock
seconds or kB of resident memory read from /proc (VmRSS, VmHWM).

    tests/bench/run [--count N] [--big-mb M]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402


def proc_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def start(server, home):
    """An ImapSession of the server on home/Maildir; the greeting is read."""
    if server == "imapd":
        return lib.imapd_session(home)
    # Dovecot with its default fsync policy, as a real site runs it.
    conf = lib.dovecot_config(home)
    with open(conf) as f:
        text = f.read().replace("mail_fsync = never\n", "")
    with open(conf, "w") as f:
        f.write(text)
    return lib.dovecot_session(home)


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


def ok(reply):
    untagged, tagged = reply
    if tagged.split()[1] != b"OK":
        raise RuntimeError(f"command failed: {tagged!r}")
    return untagged


def greeting_time(server, home, runs=20):
    times = []
    for _ in range(runs):
        t = time.monotonic()
        s = start(server, home)
        times.append(time.monotonic() - t)
        s.close()
    times.sort()
    return times[len(times) // 2]


def big_message(path, mb):
    """A plain text message of mb megabytes, written once."""
    if os.path.exists(path):
        return
    line = b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n"
    with open(path, "wb") as f:
        f.write(b"From: big@example.org\nTo: you@example.org\nSubject: big\n"
                b"Date: Mon, 3 Jun 2024 10:15:00 +0200\nMessage-ID: <big@example.org>\n\n")
        chunk = line * (1024 * 1024 // len(line))
        for _ in range(mb):
            f.write(chunk)


def run_server(server, master, work, big, big_mb):
    home = os.path.join(work, server)
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    shutil.copytree(master, os.path.join(home, "Maildir"), symlinks=True)
    r = {}
    s = start(server, home)
    r["first SELECT (s)"] = timed(lambda: ok(s.cmd("SELECT INBOX")))
    r["FETCH 1:* (FLAGS ENVELOPE) (s)"] = timed(lambda: ok(s.cmd("FETCH 1:* (FLAGS ENVELOPE)")))
    r["FETCH 1:* BODYSTRUCTURE (s)"] = timed(lambda: ok(s.cmd("FETCH 1:* BODYSTRUCTURE")))
    r["SEARCH BODY (s)"] = timed(lambda: ok(s.cmd('SEARCH BODY "zebra-not-there"')))
    r["idle RSS after SELECT+FETCH (kB)"] = proc_kb(s.proc.pid, "VmRSS")
    r["  private (RssAnon) after FETCH (kB)"] = proc_kb(s.proc.pid, "RssAnon")
    s.close()
    s = start(server, home)
    r["second SELECT (s)"] = timed(lambda: ok(s.cmd("SELECT INBOX")))
    r["idle RSS after SELECT (kB)"] = proc_kb(s.proc.pid, "VmRSS")
    r["  private (RssAnon) after SELECT (kB)"] = proc_kb(s.proc.pid, "RssAnon")
    s.close()
    r["start to greeting, median (s)"] = greeting_time(server, home)

    # A big message: appended through the server, then fetched whole.
    with open(big, "rb") as f:
        data = f.read().replace(b"\n", b"\r\n")
    s = start(server, home)
    ok(s.cmd("CREATE big"))
    base = proc_kb(s.proc.pid, "VmHWM")
    r[f"APPEND {big_mb} MB (s)"] = timed(lambda: ok(s.cmd("APPEND big {%d+}" % len(data), [data])))
    r[f"peak RSS, APPEND {big_mb} MB (kB)"] = proc_kb(s.proc.pid, "VmHWM")
    s.close()
    del data
    s = start(server, home)
    ok(s.cmd("SELECT big"))
    r[f"FETCH BODY[] {big_mb} MB (s)"] = timed(lambda: ok(s.cmd("FETCH 1 BODY.PEEK[]")))
    r[f"peak RSS, FETCH {big_mb} MB (kB)"] = proc_kb(s.proc.pid, "VmHWM")
    s.close()
    del base
    shutil.rmtree(home, ignore_errors=True)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--big-mb", type=int, default=100)
    ap.add_argument("--work", default=os.path.join(lib.BUILD, "bench"))
    args = ap.parse_args()
    lib.binary("imapd")
    os.makedirs(args.work, exist_ok=True)
    master = os.path.join(args.work, f"master-{args.count}")
    if not os.path.isdir(master):
        subprocess.run([sys.executable, os.path.join(HERE, "genmail.py"), "--count", str(args.count),
                        "--seed", "7", "--format", "maildir", master], check=True)
    big = os.path.join(args.work, f"big-{args.big_mb}.eml")
    big_message(big, args.big_mb)
    results = {srv: run_server(srv, master, args.work, big, args.big_mb) for srv in ("imapd", "dovecot")}
    print(f"\nmaildir, {args.count} messages; big message {args.big_mb} MB")
    print(f"{'workload':40} {'imapd':>12} {'dovecot':>12} {'ratio':>7}")
    for key in results["imapd"]:
        a, b = results["imapd"][key], results["dovecot"][key]
        fmt = (lambda v: f"{v:12.4f}") if isinstance(a, float) else (lambda v: f"{v:12d}")
        ratio = f"{a / b:7.2f}" if b else "      -"
        print(f"{key:40} {fmt(a)} {fmt(b)} {ratio}")


if __name__ == "__main__":
    main()
