#!/usr/bin/env python3
"""Deliveries per second, same machine, same run: dmail into mbx, unix and
maildir; Dovecot's dovecot-lda into a maildir (a minimal config, the invoking
user, no userdb: -o mail_location); procmail's own mbox delivery (":0:" to a
file). Each delivers N copies of a 4 KB message, one process per message, as
an MTA would. Usage: delivery_bench.py [N]  (BUILD_DIR selects the build)."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
LDA = "/usr/lib/dovecot/dovecot-lda"
BODY = ("x" * 71 + "\n") * 56  # about 4 KB


def message(i):
    return (f"From sender@example.org Thu Nov 26 00:00:00 2026\nFrom: sender@example.org\n"
            f"To: user@example.org\nSubject: bench {i}\nMessage-ID: <bench-{i}@example.org>\n\n{BODY}").encode()


def as_nobody():
    """Every deliverer runs as nobody when we are root (dovecot-lda run by
    root wants -d and a userdb; run by a user it delivers for that user)."""
    if os.geteuid() != 0:
        return None
    import pwd
    pw = pwd.getpwnam("nobody")

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def rate(argv_for, env, n):
    t0 = time.monotonic()
    for i in range(n):
        r = subprocess.run(argv_for(i), input=message(i), env=env, capture_output=True, preexec_fn=as_nobody())
        if r.returncode != 0:
            raise SystemExit(f"{argv_for(i)[0]} failed ({r.returncode}): {r.stderr.decode(errors='replace')}")
    return n / (time.monotonic() - t0)


def chown(path):
    if os.geteuid() != 0:
        return
    import pwd
    pw = pwd.getpwnam("nobody")
    for root, dirs, files in os.walk(path):
        for name in [root] + [os.path.join(root, x) for x in dirs + files]:
            os.lchown(name, pw.pw_uid, pw.pw_gid)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    home = tempfile.mkdtemp(prefix="delivery-bench-")
    results = []
    chown(home)
    try:
        dmail = os.path.join(BUILD, "dmail")
        for fmt in ("mbx", "unix", "maildir"):
            loc = f"maildir:{home}/{fmt}/Maildir" if fmt == "maildir" else f"{fmt}:{home}/{fmt}/mail:INBOX={home}/{fmt}/INBOX"
            os.makedirs(f"{home}/{fmt}", exist_ok=True)
            chown(home)
            env = {"HOME": f"{home}/{fmt}", "PATH": "/usr/bin:/bin", "MAIL": loc}
            results.append((f"dmail {fmt}", rate(lambda i: [dmail], env, n)))
        if os.path.exists(LDA):
            conf = f"{home}/dovecot.conf"
            with open(conf, "w") as f:
                f.write(f"mail_location = maildir:{home}/lda/Maildir\nlog_path = {home}/lda.log\n"
                        f"ssl = no\nprotocols =\nbase_dir = {home}/lda-run\nstate_dir = {home}/lda-state\n")
            os.makedirs(f"{home}/lda", exist_ok=True)
            chown(home)
            env = {"HOME": f"{home}/lda", "PATH": "/usr/bin:/bin", "USER": os.environ.get("USER", "root")}
            results.append(("dovecot-lda maildir", rate(lambda i: [LDA, "-c", conf, "-f", "sender@example.org"], env, n)))
        if shutil.which("procmail"):
            rc = f"{home}/procmailrc"
            with open(rc, "w") as f:
                f.write(f":0:\n{home}/procmail.mbox\n")
            chown(home)
            env = {"HOME": home, "PATH": "/usr/bin:/bin"}
            results.append(("procmail mbox", rate(lambda i: ["procmail", "-m", rc], env, n)))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"deliveries per second, {n} messages of 4 KB each, one process per message")
    for name, r in results:
        print(f"{name:24s} {r:8.1f}")


if __name__ == "__main__":
    main()
