"""Shared helpers for the integration tests: paths, temporary homes, running
our binaries and Dovecot's preauthenticated imap on stdin/stdout."""
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
# Where the tests run the programs from: a copy of BUILD's programs that the
# test users (nobody, the PAM test users) can reach wherever the checkout is,
# made by stage_programs() (run.py calls it); BUILD itself otherwise.
BIN = os.environ.get("BIN_DIR", BUILD)
PROGRAMS = ("imapd", "dmail", "mailtool", "imapstat")
CORPUS = os.path.join(ROOT, "tests", "corpus")
DOVECOT_IMAP = "/usr/lib/dovecot/imap"


class Skip(Exception):
    """Raised by a test that cannot run here; the message says why."""


def stage_programs():
    """Copies BUILD's programs into a fresh 0755 directory under /tmp, points
    BIN (and BIN_DIR, for child processes) at it and returns it; removed when
    the interpreter exits. A checkout under a 0700 directory (root's home) is
    out of reach of the users the tests run the programs as."""
    global BIN
    d = tempfile.mkdtemp(prefix="imapd-bin-")
    import atexit
    atexit.register(shutil.rmtree, d, True)
    os.chmod(d, 0o755)
    for name in PROGRAMS:
        src = os.path.join(BUILD, name)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(d, name))
    BIN = os.environ["BIN_DIR"] = d
    return d


def binary(name):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        raise Skip(f"{name} is not built yet")
    return path


def tempdir(prefix="imaptest-"):
    """A fresh directory, removed when the interpreter exits."""
    d = tempfile.mkdtemp(prefix=prefix)
    import atexit
    atexit.register(shutil.rmtree, d, True)
    return d


def dovecot_config(home):
    """Writes a minimal dovecot.conf for preauthenticated stdin/stdout use."""
    conf = os.path.join(home, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(
            "mail_location = maildir:~/Maildir\n"
            "protocols = imap\n"
            "ssl = no\n"
            f"base_dir = {home}/.dovecot-run\n"
            f"state_dir = {home}/.dovecot-state\n"
            "log_path = /dev/stderr\n"
            "mail_fsync = never\n"
        )
    return conf


def run_dovecot(home, commands, user=None, timeout=60):
    """Sends IMAP commands (bytes) to Dovecot's imap, preauthenticated as the
    owner of home, and returns its output (bytes). Runs as a non-root user
    (nobody) when we are root, since Dovecot's imap refuses to run as root."""
    if not os.path.exists(DOVECOT_IMAP):
        raise Skip("dovecot-imapd is not installed")
    conf = dovecot_config(home)
    env = {"HOME": home, "USER": user or "nobody", "PATH": "/usr/bin:/bin"}
    preexec = None
    if os.geteuid() == 0:
        st = os.stat(home)
        uid, gid = st.st_uid, st.st_gid
        if uid == 0:
            import pwd
            pw = pwd.getpwnam("nobody")
            uid, gid = pw.pw_uid, pw.pw_gid
            chown_tree(home, uid, gid)

        def preexec():
            os.setgid(gid)
            os.setuid(uid)
    proc = subprocess.run(
        [DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
        input=commands, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, preexec_fn=preexec, timeout=timeout, cwd=home)
    return proc.stdout


def chown_tree(path, uid, gid):
    """chowns a tree that a running server may be changing: a lock or tmp
    file that vanishes during the walk is skipped, not an error."""
    for dirpath, dirnames, filenames in os.walk(path):
        for p in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
            try:
                os.lchown(p, uid, gid)
            except FileNotFoundError:
                pass


class ImapSession:
    """An IMAP conversation with a process on stdin/stdout, one command at a
    time: cmd() sends a tagged command and returns (untagged lines, tagged
    line), each as bytes with literals kept inline."""

    def __init__(self, argv, env=None, preexec_fn=None, cwd=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, preexec_fn=preexec_fn,
                                     cwd=cwd)
        self.greeting = self.read_response_line()
        self.tag_no = 0

    def read_response_line(self):
        """One response line, with any {n} literals read and kept inline."""
        line = self.proc.stdout.readline()
        if not line:
            raise EOFError("server closed the connection")
        while line.endswith(b"}\r\n") and b"{" in line:
            n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
            line += self.proc.stdout.read(n)
            line += self.proc.stdout.readline()
        return line

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def cmd(self, text, literals=()):
        """Sends "TAG text"; each {n+} in text is followed by the next of
        literals (bytes). Returns (untagged, tagged)."""
        self.tag_no += 1
        tag = b"t%d" % self.tag_no
        data = tag + b" " + (text.encode() if isinstance(text, str) else text)
        for lit in literals:
            head, data = data.split(b"+}", 1)
            self.send(head + b"+}\r\n" + lit)
        self.send(data + b"\r\n")
        untagged = []
        while True:
            line = self.read_response_line()
            if line.startswith(tag + b" "):
                return untagged, line
            untagged.append(line)

    def close(self):
        try:
            self.cmd("LOGOUT")
        except Exception:
            pass
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def dovecot_session(home):
    """An ImapSession with Dovecot preauthenticated on home/Maildir."""
    if not os.path.exists(DOVECOT_IMAP):
        raise Skip("dovecot-imapd is not installed")
    conf = dovecot_config(home)
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
    preexec = None
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("nobody")
        chown_tree(home, pw.pw_uid, pw.pw_gid)

        def preexec():
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
    return ImapSession([DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
                       env=env, preexec_fn=preexec, cwd=home)


def imapd_preexec(home):
    """A preexec_fn that runs build/imapd as nobody when we are root (imapd
    serves its invoking user preauthenticated, while root gets * OK and a login), after
    chowning home to nobody; None when we are not root."""
    if os.geteuid() != 0:
        return None
    import pwd
    pw = pwd.getpwnam("nobody")
    chown_tree(home, pw.pw_uid, pw.pw_gid)

    def preexec():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return preexec


def imapd_session(home, env=None):
    """An ImapSession with our imapd preauthenticated, HOME=home, serving
    home/Maildir (MAIL=maildir:~/Maildir) as dovecot_session does, unless
    env sets MAIL."""
    argv = [binary("imapd")]
    full_env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin",
                "MAIL": "maildir:~/Maildir"}
    full_env.update(env or {})
    return ImapSession(argv, env=full_env, preexec_fn=imapd_preexec(home), cwd=home)
