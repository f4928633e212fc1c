"""Peak memory of a child program, measured by GNU time (%M, max RSS in KB).

Not os.wait4's ru_maxrss of a child forked from Python: Linux carries the
high-water mark across exec, so a child forked from this (20-30 MB) Python
process reports at least Python's RSS, whatever the program itself used.
GNU time is a small process, so what it reports is the program's own."""
import os
import subprocess
import tempfile

TIME = "/usr/bin/time"


def available():
    return os.path.exists(TIME)


class Measured:
    """A Popen of argv under GNU time; finish() returns (returncode, max RSS KB, stderr)."""

    def __init__(self, argv, **popen_args):
        fd, self.out = tempfile.mkstemp(prefix="peak-rss-")
        os.close(fd)
        os.chmod(self.out, 0o666)  # the child may run as nobody
        self.p = subprocess.Popen([TIME, "-f", "%M", "-o", self.out] + list(argv),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  **popen_args)
        self.stdin = self.p.stdin

    def finish(self, timeout=600):
        if not self.p.stdin.closed:
            self.p.stdin.close()
        err = self.p.stderr.read()
        self.p.stdout.read()
        rc = self.p.wait(timeout)
        with open(self.out) as f:
            lines = [l for l in f.read().split("\n") if l.strip()]
        os.unlink(self.out)
        return rc, int(lines[-1]), err
