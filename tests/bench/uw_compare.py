#!/usr/bin/env python3
"""SELECT and FETCH timings of an 8,000-message mbx and unix mailbox with
our imapd, beside UW c-client's mailutil on the same file (issue 5).

  BUILD_DIR=build/x python3 tests/bench/uw_compare.py [--count 8000] [--runs 3] [--dir D]

UW imapd itself is not packaged in Debian 12 (only uw-mailutils, with
mailutil, is), so UW's side is mailutil, which opens mailboxes through the
same c-client drivers as UW imapd did:
  - "mailutil check" opens the mailbox and counts it (what SELECT costs UW:
    parsing every message's status, assigning UIDs);
  - "mailutil copy" to a new mbx file on /dev/shm reads every message's
    header and text (what FETCH of every BODY[] costs UW) and writes them,
    so it is an upper bound of UW's read cost.
Ours: imapd preauthenticated on the same file: SELECT (the first one, with
no index or cache files, and a second one), FETCH 1:* (FLAGS INTERNALDATE
RFC822.SIZE), FETCH 1:* ENVELOPE, FETCH 1:* BODY.PEEK[] (read and
discarded), and "mailtool copy" to a new mbx on /dev/shm beside mailutil's.

The unix mailbox is written by tests/bench/genmail.py (--format mbox); the
mbx one is made from it by mailutil (so it is UW's own mbx). Both are
opened once by mailutil read-write first, so that neither side pays for
assigning UIDs. Each figure is the median of --runs runs, in seconds. Runs as
nobody when started by root (UW's c-client refuses root local mailboxes)."""
import argparse
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402


def nobody_preexec():
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def chown(path):
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
        lib.chown_tree(path, pw.pw_uid, pw.pw_gid)


def run_timed(argv, home, ok=(0,)):
    start = time.monotonic()
    p = subprocess.run(argv, capture_output=True, cwd=home, timeout=1800,
                       env={"HOME": home, "PATH": "/usr/bin:/bin", "TZ": "UTC"}, preexec_fn=nobody_preexec())
    took = time.monotonic() - start
    if p.returncode not in ok:
        raise RuntimeError(f"{argv}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return took, p.stdout


class Session:
    """Our imapd on one mailbox file as INBOX; commands timed, output discarded."""

    def __init__(self, home, fmt, name):
        env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin",
               "MAIL": f"{fmt}:{home}/mail:INBOX={home}/{name}"}
        self.p = subprocess.Popen([lib.binary("imapd")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env, cwd=home, preexec_fn=nobody_preexec())
        self.p.stdout.readline()
        self.n = 0

    def timed(self, command):
        """Sends the command and reads the answer, skipping literals' bytes
        without keeping them; returns seconds."""
        self.n += 1
        tag = b"c%d" % self.n
        start = time.monotonic()
        self.p.stdin.write(tag + b" " + command.encode() + b"\r\n")
        self.p.stdin.flush()
        out = self.p.stdout
        while True:
            line = out.readline()
            if not line:
                raise RuntimeError(f"imapd closed the connection during {command}")
            while line.endswith(b"}\r\n") and b"{" in line:
                left = int(line[line.rindex(b"{") + 1:-3])
                while left > 0:
                    left -= len(out.read(min(left, 1 << 20)))
                line = out.readline()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(f"{command}: {line!r}")
                return time.monotonic() - start

    def close(self):
        self.timed("LOGOUT")
        self.p.stdin.close()
        self.p.wait(timeout=30)


def median(values):
    return statistics.median(values)


def bench_format(home, fmt, name, runs, shm):
    rows = {}
    # UW
    rows["mailutil check (open, count)"] = median([run_timed(["mailutil", "check", name], home)[0]
                                                   for _ in range(runs)])
    copies = []
    for i in range(runs):
        dst = f"shm/uwcopy{i}"  # UW takes only names under home: shm is a link to /dev/shm
        copies.append(run_timed(["mailutil", "copy", name, f"#driver.mbx/{dst}"], home)[0])
        os.unlink(f"{home}/{dst}")
    rows["mailutil copy to mbx on /dev/shm (read all)"] = median(copies)
    # Ours
    first, second, flags, env, bodies = [], [], [], [], []
    for i in range(runs):
        shutil.rmtree(f"{home}/.imapd", ignore_errors=True)
        s = Session(home, fmt, name)
        first.append(s.timed("EXAMINE INBOX"))
        s.close()
        s = Session(home, fmt, name)
        second.append(s.timed("EXAMINE INBOX"))
        flags.append(s.timed("FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)"))
        env.append(s.timed("FETCH 1:* ENVELOPE"))
        bodies.append(s.timed("FETCH 1:* BODY.PEEK[]"))
        s.close()
    rows["imapd EXAMINE, first (no index/cache files)"] = median(first)
    rows["imapd EXAMINE, again"] = median(second)
    rows["imapd FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)"] = median(flags)
    rows["imapd FETCH 1:* ENVELOPE"] = median(env)
    rows["imapd FETCH 1:* BODY.PEEK[] (read all)"] = median(bodies)
    copies = []
    for i in range(runs):
        dst = f"{shm}/ourcopy{i}"
        took, _ = run_timed([lib.binary("mailtool"), "copy", f"{fmt}:{home}/{name}", f"mbx:{dst}"], home)
        copies.append(took)
        if os.path.exists(dst):
            os.unlink(dst)
    rows["mailtool copy to mbx on /dev/shm (read all)"] = median(copies)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=8000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None, help="work directory (default: a new one in /tmp)")
    args = ap.parse_args()
    if not shutil.which("mailutil"):
        sys.exit("mailutil (uw-mailutils) is not installed")
    home = args.dir or tempfile.mkdtemp(prefix="uw-compare-")
    os.makedirs(home, exist_ok=True)
    shm = tempfile.mkdtemp(prefix="uw-compare-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        unix = f"{home}/box.unix"
        subprocess.run([sys.executable, f"{HERE}/genmail.py", "--count", str(args.count), "--seed", "5",
                        "--format", "mbox", unix], check=True, stderr=subprocess.DEVNULL)
        os.symlink(shm, f"{home}/shm")
        chown(home)
        chown(shm)
        run_timed(["mailutil", "copy", "box.unix", "#driver.mbx/box.mbx"], home)
        # one read-write open by UW each: UIDs assigned and written, so no side pays for it
        for name in ("box.unix", "box.mbx"):
            run_timed(["mailutil", "prune", name, "SUBJECT nosuchsubjectanywhere"], home, ok=(0, 1))
        sizes = {n: os.path.getsize(f"{home}/{n}") for n in ("box.unix", "box.mbx")}
        results = {}
        for fmt, name in (("mbx", "box.mbx"), ("unix", "box.unix")):
            results[fmt] = bench_format(home, fmt, name, args.runs, shm)
        print(f"{args.count} messages (genmail seed 5): unix {sizes['box.unix'] / 1e6:.0f} MB, "
              f"mbx {sizes['box.mbx'] / 1e6:.0f} MB; median of {args.runs} runs, seconds; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'':52} {'mbx':>8} {'unix':>8}")
        for row in results["mbx"]:
            print(f"{row:52} {results['mbx'][row]:8.2f} {results['unix'][row]:8.2f}")
    finally:
        shutil.rmtree(shm, ignore_errors=True)
        if not args.dir:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
