#!/usr/bin/env python3
"""Runs Dovecot's ImapTest (../shared/imaptest) against build/imapd.

    tests/imaptest/run.py FORMAT [--stress SECONDS] [--clients N] [--test NAME]

FORMAT is maildir, mbx or unix. Each run gets a fresh, empty mail home; a
socat listener on a free loopback port starts one imapd per connection,
preauthenticated as nobody (as root) or as the invoking user, as inetd
would. Scripted mode prints ImapTest's summary and its failure explanations;
stress mode prints every `Error:` line. The last line is machine-readable:

    imaptest FORMAT: groups_failed=N base_failed=N ext_failed=N skipped=N
    imaptest FORMAT stress: errors=N

Exit status 0 when nothing failed. Environment: BUILD_DIR (build/),
IMAPTEST_DIR (build/imaptest, built there by tests/imaptest/build.sh when absent),
IMAPTEST_KEEP=1 keeps the mail home for a look afterwards.
"""
import argparse
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
IMAPTEST_DIR = os.environ.get("IMAPTEST_DIR", os.path.join(ROOT, "build", "imaptest"))
# ImapTest's source (MIT licence) and build script, as in ../shared/imaptest.
BUILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build.sh")

LOCATIONS = {
    "maildir": "maildir:~/Maildir",
    "mbx": "mbx:~/mail:INBOX=~/INBOX",
    "unix": "unix:~/mail:INBOX=~/INBOX",
}


def ensure_imaptest():
    """Builds ImapTest into IMAPTEST_DIR unless it is there already."""
    subprocess.run(["sh", BUILD_SCRIPT, IMAPTEST_DIR], check=True)  # does nothing when built
    return os.path.join(IMAPTEST_DIR, "imaptest")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("imaptest: socat exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.settimeout(5)
                greeting = s.recv(200)
                if greeting.startswith(b"* PREAUTH"):
                    return
                raise SystemExit(f"imaptest: unexpected greeting {greeting!r}")
        except (ConnectionRefusedError, socket.timeout, OSError):
            time.sleep(0.1)
    raise SystemExit("imaptest: the listener never answered")


class Server:
    """socat forking one preauthenticated imapd per connection on a fresh home."""

    def __init__(self, fmt, conf_lines=()):
        self.base = tempfile.mkdtemp(prefix=f"imaptest-{fmt}-")
        os.chmod(self.base, 0o755)
        self.home = os.path.join(self.base, "home")
        os.mkdir(self.home)
        if fmt == "maildir":
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(self.home, "Maildir", sub))
        else:
            os.mkdir(os.path.join(self.home, "mail"))
        # imapd is copied next to the home, so that the test user can run it
        # wherever the checkout is (a 0700 home, for instance).
        imapd = os.path.join(self.base, "imapd")
        shutil.copy2(os.path.join(BUILD, "imapd"), imapd)
        conf = os.path.join(self.base, "imapd.conf")
        with open(conf, "w") as f:
            f.write(f"mail_location = {LOCATIONS[fmt]}\nspool =\nlog_path = {self.base}/imapd.log\n")
            for line in conf_lines:
                f.write(line + "\n")
        user = pwd.getpwuid(os.geteuid()).pw_name
        run_as = ""
        if os.geteuid() == 0:
            user = "nobody"
            pw = pwd.getpwnam(user)
            for d, _, files in os.walk(self.base):
                os.chown(d, pw.pw_uid, pw.pw_gid)
                for name in files:
                    os.chown(os.path.join(d, name), pw.pw_uid, pw.pw_gid)
            run_as = "setpriv --reuid=nobody --regid=nogroup --clear-groups "
        self.user = user
        launcher = os.path.join(self.base, "session")
        with open(launcher, "w") as f:
            f.write("#!/bin/sh\n"
                    f"cd '{self.home}' || exit 1\n"
                    f"exec {run_as}env -i HOME='{self.home}' USER='{user}' PATH=/usr/bin:/bin "
                    f"'{imapd}' -c '{conf}'\n")
        os.chmod(launcher, 0o755)
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{self.port},bind=127.0.0.1,reuseaddr,fork,backlog=64",
             f"EXEC:{launcher},nofork"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if os.environ.get("IMAPTEST_KEEP") != "1":
            shutil.rmtree(self.base, True)
        else:
            print(f"imaptest: kept {self.base}", file=sys.stderr)


def run_scripted(fmt, prog, test=None, timeout=900):
    srv = Server(fmt)
    try:
        tests = os.path.join(IMAPTEST_DIR, "tests")
        if test:
            tmp = tempfile.mkdtemp(prefix="imaptest-one-")
            for name in os.listdir(tests):
                if name == test or name.endswith(".mbox"):
                    shutil.copy2(os.path.join(tests, name), tmp)
            tests = tmp
        cmd = [prog, "host=127.0.0.1", f"port={srv.port}", f"user={srv.user}", "pass=x",
               f"test={tests}"]
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
    finally:
        srv.close()
    out = r.stdout + r.stderr
    sys.stdout.write(r.stderr)
    sys.stdout.write(r.stdout)
    m = re.search(r"(\d+) test groups: (\d+) failed, (\d+) skipped", out)
    base = re.search(r"base protocol: (\d+)/(\d+) individual commands failed", out)
    ext = re.search(r"extensions: (\d+)/(\d+) individual commands failed", out)
    if not m or not base or not ext:
        print(f"imaptest {fmt}: no summary (exit {r.returncode})")
        return 1
    gf, sk = int(m.group(2)), int(m.group(3))
    bf, ef = int(base.group(1)), int(ext.group(1))
    print(f"imaptest {fmt}: groups_failed={gf} base_failed={bf} ext_failed={ef} skipped={sk}")
    return 0 if gf == 0 and bf == 0 and ef == 0 else 1


def run_stress(fmt, prog, secs, clients):
    srv = Server(fmt)
    try:
        mbox = os.path.join(IMAPTEST_DIR, "tests", "default.mbox")
        cmd = [prog, "host=127.0.0.1", f"port={srv.port}", f"user={srv.user}", "pass=x",
               f"mbox={mbox}", f"clients={clients}", f"secs={secs}", "no_pipelining"]
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=secs + 120)
    finally:
        srv.close()
    errors = [l for l in (r.stdout + r.stderr).splitlines() if "Error:" in l or "Panic:" in l]
    for line in errors[:200]:
        print(line)
    tail = r.stdout.strip().splitlines()[-6:]
    print("\n".join(tail))
    crashed = r.returncode not in (0,) and not errors
    n = len(errors) + (1 if crashed else 0)
    if crashed:
        print(f"imaptest exited {r.returncode}")
    print(f"imaptest {fmt} stress: errors={n}")
    return 0 if n == 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("format", choices=sorted(LOCATIONS))
    ap.add_argument("--stress", type=int, metavar="SECONDS")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--test", help="one script of tests/ (e.g. store), with the .mbox fixtures")
    a = ap.parse_args()
    prog = ensure_imaptest()
    if a.stress:
        return run_stress(a.format, prog, a.stress, a.clients)
    return run_scripted(a.format, prog, a.test)


if __name__ == "__main__":
    sys.exit(main())
