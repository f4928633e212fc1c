#!/usr/bin/env python3
"""Opening a big unix (Berkeley mbox) INBOX: first and second SELECT, peak
RSS, and the system calls of the second open (strace -c), with the unix
driver's index (c-client/drivers/unix/index_store.hpp) and, for comparison,
with an imapd built without it (--baseline BUILD_DIR).

  BUILD_DIR=build/x python3 tests/bench/unix_open.py [--count 8000] [--mb 2048] [--dir D]

The mailbox is written once (UW status headers, X-IMAPbase and X-UIDs, so
that opening it does not rewrite it): COUNT messages of about MB/COUNT
each, text lines."""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import lib  # noqa: E402

LINE = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\n"


def generate(path, count, total):
    rng = random.Random(1)
    mean = total // count
    block = LINE * (2 * mean // len(LINE) + 2)
    with open(path, "wb") as f:
        for i in range(count):
            size = max(200, int(rng.uniform(0.2, 1.8) * mean))
            head = (b"From sender%d@example.org Sat Jun  1 10:%02d:%02d 2024\n"
                    b"From: Sender %d <sender%d@example.org>\nTo: user@example.org\n"
                    b"Subject: message %d\nDate: Sat, 1 Jun 2024 10:%02d:%02d +0000\n"
                    b"Message-ID: <m%d@example.org>\n" % (i, i // 60 % 60, i % 60, i, i, i, i // 60 % 60, i % 60, i))
            if i == 0:
                head += b"X-IMAPbase: 1717236000 %d\n" % count
            head += b"Status: RO\nX-Status: \nX-Keywords:\nX-UID: %d\n\n" % (i + 1)
            f.write(head)
            f.write(block[:size - size % len(LINE)])
            f.write(b"\n")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def select(home, binary, strace_out=None, extra=None):
    argv = [binary]
    if strace_out:
        argv = ["strace", "-c", "-f", "-o", strace_out] + argv
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": "unix:~/mail:INBOX=~/INBOX"}
    env.update(extra or {})
    s = lib.ImapSession(argv, env=env, preexec_fn=lib.imapd_preexec(home), cwd=home)
    t0 = time.monotonic()
    untagged, tagged = s.cmd("SELECT INBOX")
    took = time.monotonic() - t0
    assert b"OK" in tagged, tagged
    exists = [line for line in untagged if line.endswith(b"EXISTS\r\n")]
    pid = s.proc.pid
    if strace_out:  # the traced imapd is strace's child
        kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
        pid = int(kids[0]) if kids else pid
    rss = rss_kb(pid)
    s.close()
    return took, rss, exists[0].strip().decode() if exists else "?"


def run(label, home, binary, extra=None):
    index = os.path.join(home, ".imapd")
    shutil.rmtree(index, ignore_errors=True)
    first = select(home, binary, extra=extra)
    second = select(home, binary, extra=extra)
    trace = os.path.join(home, "strace.txt")
    select(home, binary, trace, extra)
    print(f"{label}: first SELECT {first[0]:.2f} s ({first[2]}, peak RSS {first[1] / 1024:.1f} MB); "
          f"second SELECT {second[0]:.3f} s (peak RSS {second[1] / 1024:.1f} MB)")
    with open(trace) as f:
        lines = f.read().splitlines()
    print("  strace -c of the second open (whole session):")
    for line in lines:
        if line.strip() and not line.startswith("---"):
            print("   ", line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=8000)
    ap.add_argument("--mb", type=int, default=2048)
    ap.add_argument("--dir", default="/tmp/unix-open-bench")
    ap.add_argument("--baseline", help="a build directory whose imapd has no index, for comparison")
    args = ap.parse_args()
    home = args.dir
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    inbox = os.path.join(home, "INBOX")
    if not os.path.exists(inbox):
        t0 = time.monotonic()
        generate(inbox, args.count, args.mb << 20)
        print(f"generated {os.path.getsize(inbox) >> 20} MB, {args.count} messages in {time.monotonic() - t0:.0f} s")
    if args.baseline:
        # NOIDX: a build whose UnixMailbox skips the index when it is set
        run("without the index", home, os.path.join(os.path.abspath(args.baseline), "imapd"), {"NOIDX": "1"})
    run("with the index", home, lib.binary("imapd"))


if __name__ == "__main__":
    main()
