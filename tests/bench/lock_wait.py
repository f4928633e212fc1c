#!/usr/bin/env python3
"""The longest wait of N concurrent dmail deliveries into one INBOX (mbx or
unix, which share c-client/lock/) while an imapd session IDLEs on it:
issue 17's lock fairness figure.

    python3 tests/bench/lock_wait.py [FORMAT ...] [--n 50 200] [--body KB]

Prints, per format and N: the slowest and median delivery (from spawn to
exit), the wall time of the whole batch and how many exited 75 (the lock
timeout). Each delivery's message carries --body KB of text (default 4)."""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import lib  # noqa: E402
from test_dmail import as_nobody, dmail, dmail_env, location, message  # noqa: E402


def run(fmt, n, body_kb):
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
        start, procs = {}, {}
        t0 = time.monotonic()
        for i in range(n):
            p = subprocess.Popen([lib.binary("dmail")], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=dmail_env(home, fmt), preexec_fn=preexec)
            start[p.pid] = time.monotonic()
            procs[p.pid] = p
            p.stdin.write(message(f"concurrent {i}", body=body))
            p.stdin.close()
        waits, tempfail = [], 0
        while procs:
            pid, status = os.wait()
            if pid not in procs:
                continue
            waits.append(time.monotonic() - start[pid])
            procs.pop(pid).returncode = os.waitstatus_to_exitcode(status)
            if os.waitstatus_to_exitcode(status) == 75:
                tempfail += 1
        total = time.monotonic() - t0
    finally:
        session.proc.kill()
        session.proc.wait()
    return max(waits), statistics.median(waits), total, tempfail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("formats", nargs="*", default=["mbx", "unix"])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--body", type=int, default=4)
    args = ap.parse_args()
    for fmt in args.formats:
        for n in args.n:
            worst, median, total, tempfail = run(fmt, n, args.body)
            print(f"{fmt:5} N={n:3}: worst {worst:6.2f} s, median {median:5.2f} s, "
                  f"batch {total:6.2f} s, exit 75: {tempfail}", flush=True)


if __name__ == "__main__":
    main()
