#!/usr/bin/env python3
"""The longest wait of N concurrent dmail deliveries into one INBOX (mbx or
unix, which share c-client/lock/) while an imapd session IDLEs on it:
issue 17's lock fairness figure.

    python3 tests/bench/lock_wait.py [FORMAT ...] [--n 50 200] [--body KB]

Prints, per format and N: the slowest and median delivery (from spawn to
exit), the slowest of the first quarter spawned (fair queueing serves them
first), the most later-spawned deliveries that finished before one
delivery (overtaken), the wall time of the whole batch and how many exited
75 (the lock timeout). Each message carries --body KB of text (default 4).
--stagger MS releases them one after another. BUILD_DIR picks the build whose dmail and imapd run."""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import lib  # noqa: E402
from test_dmail import as_nobody, dmail, dmail_env, location, message  # noqa: E402


def run(fmt, n, body_kb, stagger_ms=0):
    home = lib.tempdir()
    dmail(home, fmt, [], message("first"))
    preexec = as_nobody(home)
    session = lib.imapd_session(home, env={"MAIL": location(home, fmt)})
    try:
        _, tagged = session.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        session.send(b"i1 IDLE\r\n")
        assert session.read_response_line().startswith(b"+")
        body = (b"x" * 71 + b"\n") * (body_kb * 1024 // 72)
        start, procs, order = {}, {}, {}
        # All spawned first (slow under load), then all given their message
        # at once: the waits measured are the lock's, not the fork's.
        for i in range(n):
            p = subprocess.Popen([lib.binary("dmail")], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=dmail_env(home, fmt), preexec_fn=preexec)
            procs[p.pid] = p
            order[p.pid] = i
        time.sleep(0.5)
        t0 = time.monotonic()
        for p in procs.values():
            p.stdin.write(message(f"concurrent {order[p.pid]}", body=body))
            p.stdin.close()
            start[p.pid] = time.monotonic()
            if stagger_ms:
                time.sleep(stagger_ms / 1000)
        waits, tempfail, done = {}, 0, []
        while procs:
            pid, status = os.wait()
            if pid not in procs:
                continue
            waits[order[pid]] = time.monotonic() - start[pid]
            done.append(order[pid])
            procs.pop(pid).returncode = os.waitstatus_to_exitcode(status)
            if os.waitstatus_to_exitcode(status) == 75:
                tempfail += 1
        total = time.monotonic() - t0
    finally:
        session.proc.kill()
        session.proc.wait()
    overtaken = max(sum(1 for j in done[:k] if j > i) for k, i in enumerate(done))
    first_quarter = max(waits[i] for i in range(max(1, n // 4)))
    return max(waits.values()), statistics.median(waits.values()), first_quarter, overtaken, total, tempfail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("formats", nargs="*", default=["mbx", "unix"])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--body", type=int, default=4)
    ap.add_argument("--stagger", type=float, default=0, help="ms between releases (0: all at once)")
    args = ap.parse_args()
    for fmt in args.formats:
        for n in args.n:
            worst, median, quarter, overtaken, total, tempfail = run(fmt, n, args.body, args.stagger)
            print(f"{fmt:5} N={n:3}: worst {worst:6.2f} s, median {median:5.2f} s, first quarter's worst "
                  f"{quarter:6.2f} s, overtaken by {overtaken:3}, batch {total:6.2f} s, exit 75: {tempfail}",
                  flush=True)


if __name__ == "__main__":
    main()
