"""Helpers for driving real mail clients (imaplib, mbsync, mutt, mailutil,
fetchmail) against build/imapd through their tunnel or preauth modes.

An ImapdServer is a home directory with a Maildir and a tunnel script: an
executable that starts build/imapd on stdin/stdout for that home, as the
user "nobody" when the tests run as root (imapd serves its invoking user
preauthenticated and refuses root). Clients run as the test's own user and
get the tunnel script as their Tunnel/tunnel/plugin/rsh command.
"""
import collections
import contextlib
import email
import email.policy
import imaplib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time

import lib

GENMAIL = os.path.join(lib.ROOT, "tests", "bench", "genmail.py")
FLAG_LETTERS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen",
                "T": "\\Deleted"}


def nobody_ids():
    import pwd
    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def client_dir(prefix="clients-"):
    """A directory for a client's own files (config, local store), world
    readable so that a tunnel running as nobody can reach the scripts in it."""
    d = lib.tempdir(prefix)
    os.chmod(d, 0o755)
    return d


def genmail_maildir(out, count, seed):
    """Fills out (a Maildir) with genmail.py's messages, from a cache in the
    build directory so that repeated runs do not pay for generation."""
    cache = os.path.join(lib.BUILD, "clients-cache", f"genmail-{count}-{seed}")
    if not os.path.isdir(os.path.join(cache, "cur")):
        tmp = cache + ".tmp%d" % os.getpid()
        shutil.rmtree(tmp, True)
        subprocess.run(["python3", GENMAIL, "--count", str(count), "--seed", str(seed),
                        "--format", "maildir", tmp], check=True, capture_output=True)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        shutil.rmtree(cache, True)
        os.rename(tmp, cache)
    shutil.copytree(cache, out, dirs_exist_ok=True)


class ImapdServer:
    """A home directory served by build/imapd through a tunnel script.

    With CLIENTS_SERVER=dovecot in the environment the same tunnel runs
    Dovecot's imap instead: that checks the client tests themselves against
    the reference server."""

    def __init__(self, count=0, seed=1):
        self.reference = os.environ.get("CLIENTS_SERVER") == "dovecot"
        if self.reference:
            if not os.path.exists(lib.DOVECOT_IMAP):
                raise lib.Skip("dovecot-imapd is not installed")
            self.imapd = lib.DOVECOT_IMAP
        else:
            self.imapd = lib.binary("imapd")
        self.home = lib.tempdir("clients-home-")
        self.maildir = os.path.join(self.home, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)
        if count:
            genmail_maildir(self.maildir, count, seed)
        self.scripts = client_dir("clients-tunnel-")
        self.stderr_log = os.path.join(self.scripts, "imapd.stderr")
        self.tunnel = os.path.join(self.scripts, "imapd-tunnel")
        self.user = "nobody" if os.geteuid() == 0 else os.environ.get("USER", "user")
        self._write_tunnel()
        self.give_to_server()

    def _write_tunnel(self):
        env = {"HOME": self.home, "USER": self.user, "PATH": "/usr/bin:/bin",
               "MAIL": f"maildir:{self.maildir}"}
        env_words = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        run_as = ""
        if os.geteuid() == 0:
            uid, gid = nobody_ids()
            run_as = f"setpriv --reuid={uid} --regid={gid} --clear-groups "
        argv = shlex.quote(self.imapd)
        if self.reference:
            conf = lib.dovecot_config(self.home)
            argv += f" -c {shlex.quote(conf)} -o mail_location=maildir:~/Maildir"
        with open(self.tunnel, "w") as f:
            f.write("#!/bin/sh\n"
                    "# Starts imapd preauthenticated on stdin/stdout; arguments are ignored\n"
                    "# (c-client passes rsh-style host, user and service).\n"
                    f"cd {shlex.quote(self.home)} || exit 1\n"
                    f"exec {run_as}env -i {env_words} {argv}"
                    f" 2>>{shlex.quote(self.stderr_log)}\n")
        os.chmod(self.tunnel, 0o755)

    def give_to_server(self):
        """Makes the home owned by the user imapd runs as (after the test
        wrote into it as root)."""
        if os.geteuid() == 0:
            uid, gid = nobody_ids()
            lib.chown_tree(self.home, uid, gid)

    def stderr(self):
        try:
            with open(self.stderr_log, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def assert_quiet(self):
        """imapd wrote nothing to stderr (under inetd that is the client's
        socket; sanitizer reports land there too). Dovecot logs there."""
        assert self.reference or not self.stderr(), self.stderr()[-3000:]

    @contextlib.contextmanager
    def imaplib(self, timeout=50):
        """An imaplib.IMAP4_stream connected through the tunnel; logs out
        and reaps imapd on exit. IMAP4_stream has no timeout of its own: a
        watchdog kills the server (the tunnel execs it) after timeout s."""
        # "exec": the process imaplib holds is imapd itself, not a shell
        conn = WatchedStream("exec " + shlex.quote(self.tunnel), timeout)
        try:
            yield conn
        finally:
            try:
                conn.logout()
            except Exception:
                conn.shutdown()
            conn.watchdog.cancel()

    def server_messages(self, mailbox="INBOX"):
        """{Message-ID: (uid, flags set)} as imapd reports them."""
        with self.imaplib() as c:
            typ, _ = c.select(mailbox)
            assert typ == "OK", (typ, _)
            return fetch_message_ids(c)


class WatchedStream(imaplib.IMAP4_stream):
    """IMAP4_stream whose server is killed after timeout seconds, from the
    moment it starts (the constructor already waits for the greeting)."""

    def __init__(self, command, timeout):
        self.timeout_s = timeout
        super().__init__(command)

    def open(self, host=None, port=None, timeout=None):
        super().open(host, port, timeout)
        self.watchdog = threading.Timer(self.timeout_s, self.process.kill)
        self.watchdog.daemon = True
        self.watchdog.start()


def ok(result):
    """Asserts an imaplib (typ, data) is OK and returns data."""
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


FETCH_FLAGS = re.compile(rb"UID (\d+)|FLAGS \(([^)]*)\)")


def fetch_message_ids(c):
    """{Message-ID: (uid, flags)} over the selected mailbox of imaplib c."""
    data = ok(c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"))
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, header = item
        uid = flags = None
        for m in FETCH_FLAGS.finditer(meta):
            if m.group(1):
                uid = int(m.group(1))
            else:
                flags = set(m.group(2).decode().split())
        mid = message_id(header)
        assert mid and uid is not None and flags is not None, item
        assert mid not in out, f"duplicate Message-ID {mid}"
        out[mid] = (uid, flags - {"\\Recent"})
    return out


def message_id(data):
    m = re.search(rb"(?im)^message-id:\s*(<[^>\r\n]*>)", data)
    return m.group(1).decode() if m else None


def maildir_flags(name):
    """The IMAP system flags in a maildir file name."""
    if ":2," not in name:
        return set()
    return {FLAG_LETTERS[c] for c in name.split(":2,", 1)[1] if c in FLAG_LETTERS}


def maildir_messages(path):
    """{Message-ID: (file path, flags)} for a Maildir folder on disk."""
    out = {}
    for sub in ("cur", "new"):
        d = os.path.join(path, sub)
        for name in sorted(os.listdir(d)):
            full = os.path.join(d, name)
            with open(full, "rb") as f:
                head = f.read(65536).split(b"\n\n", 1)[0]
            mid = message_id(head)
            assert mid, f"no Message-ID in {full}"
            assert mid not in out, f"duplicate Message-ID {mid} in {path}"
            out[mid] = (full, maildir_flags(name))
    return out


Original = collections.namedtuple("Original", "text flags mtime")


def snapshot(path):
    """{Message-ID: Original(text, flags, mtime)} for a Maildir folder, read
    now: a server may rename the files later (new/ to cur/, flags)."""
    out = {}
    for mid, (full, flags) in maildir_messages(path).items():
        out[mid] = Original(read_bytes(full), flags, int(os.stat(full).st_mtime))
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def body_of(data):
    """A message's body, line ends normalised to LF."""
    data = data.replace(b"\r\n", b"\n")
    parts = data.split(b"\n\n", 1)
    return parts[1] if len(parts) == 2 else b""


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.compat32)


def run(argv, timeout=50, **kw):
    """Runs a client to completion in its own process group and kills the
    whole group on timeout, so that no tunnel or imapd outlives the test."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, **kw)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(f"{argv[0]} timed out after {timeout}s\nstdout: {out[-3000:]!r}\n"
                             f"stderr: {err[-3000:]!r}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def interrupt_group(proc, timeout=10):
    """Stops a process group as Ctrl-C would (SIGINT), then SIGKILL if it
    is still there after timeout seconds."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        kill_group(proc)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc=None, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def socat_server(server):
    """Serves server (an ImapdServer) on a free loopback port, one imapd per
    connection through its tunnel script, as inetd would. Yields the port."""
    if not shutil.which("socat"):
        raise lib.Skip("socat is not installed")
    port = free_port()
    proc = subprocess.Popen(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
                             f"EXEC:{server.tunnel},nofork"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        wait_for_port(port, proc)
        yield port
    finally:
        kill_group(proc)


def need(program):
    path = shutil.which(program)
    if not path:
        raise lib.Skip(f"{program} is not installed (scripts/install-deps)")
    return path
