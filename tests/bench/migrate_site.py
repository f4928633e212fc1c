#!/usr/bin/env python3
"""Migration rate of a generated site: USERS homes in UW style (mbx INBOX
and two mbx folders in ~/mail, made from genmail.py's mbox output with
mailtool convert), migrated to maildir with mailtool migrate-site -j JOBS.
Prints migrate-site's summary line (messages per second at its end).

  migrate_site.py [--users 100] [--messages 30] [--jobs 2] [--build build]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--messages", type=int, default=30, help="per folder (3 folders a user)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build", default=os.environ.get("BUILD_DIR", os.path.join(HERE, "..", "..", "build")))
    a = ap.parse_args()
    mailtool = os.path.join(a.build, "mailtool")
    root = tempfile.mkdtemp(prefix="migrate-bench-")
    users = os.path.join(root, "users")
    t0 = time.time()
    with open(users, "w") as f:
        for u in range(a.users):
            home = os.path.join(root, "home", "u%03d" % u)
            os.makedirs(os.path.join(home, "mail"))
            for i, box in enumerate(["INBOX", "mail/Archive", "mail/Sent"]):
                mbox = os.path.join(root, "gen.mbox")
                subprocess.run([sys.executable, os.path.join(HERE, "genmail.py"), "--count", str(a.messages),
                                "--seed", str(u * 3 + i), "--format", "mbox", mbox],
                               check=True, stderr=subprocess.DEVNULL)
                subprocess.run([mailtool, "convert", mbox, "mbx:" + os.path.join(home, box)], check=True,
                               stdout=subprocess.DEVNULL)
                os.unlink(mbox)
            f.write("u%03d %s\n" % (u, home))
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        subprocess.run(["chown", "-R", "%d:%d" % (pw.pw_uid, pw.pw_gid), root], check=True)
    print("site: %d users, %d messages, generated in %.0f s" % (a.users, a.users * 3 * a.messages, time.time() - t0))
    p = subprocess.run([mailtool, "migrate-site", "-j", str(a.jobs), "--users", users,
                        "--state", os.path.join(root, "state"),
                        "--from", "mbx:%h/mail:INBOX=%h/INBOX", "--to", "maildir:%h/Maildir"],
                       stdout=subprocess.PIPE, text=True)
    for line in p.stdout.splitlines():
        if line.startswith(("summary:", "problem:")):
            print(line)
    subprocess.run(["rm", "-rf", root])
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
