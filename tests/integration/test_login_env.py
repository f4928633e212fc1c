"""Helpers for the test_login_* tests (no tests here): a root-started imapd
behind a real xinetd (or systemd-socket-activate) on a loopback port, a
self-signed certificate, passwd-file users, and a small IMAP client over a
TCP socket that can do STARTTLS."""
import os
import re
import socket
import ssl
import subprocess
import time

import lib

SESSION_END = re.compile(
    r"session end: user=(\S+) host=(\S+) connect=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) "
    r"duration=(\d+\.\d{3}) utime=(\d+\.\d{3}) stime=(\d+\.\d{3}) maxrss=(\d+) minflt=(\d+) "
    r"majflt=(\d+) nvcsw=(\d+) nivcsw=(\d+) in=(\d+) out=(\d+)$")


def need_root():
    if os.geteuid() != 0:
        raise lib.Skip("needs root: imapd must start as root to log users in (CI runs as root)")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


class Site:
    """A temp dir with users fred (uid 42001) and bob (uid 42002) in a
    passwd-file, their homes, a certificate and an imapd.conf."""

    def __init__(self, extra_conf="", users=None):
        need_root()
        self.dir = lib.tempdir("login-")
        os.chmod(self.dir, 0o755)
        self.cert, self.key = make_cert(self.dir)
        self.log = os.path.join(self.dir, "imapd.log")
        self.users = users or {"fred": (42001, 42001), "bob": (42002, 42002)}
        lines = []
        for user, (uid, gid) in self.users.items():
            home = self.home(user)
            os.makedirs(home)
            os.chown(home, uid, gid)
            os.chmod(home, 0o700)
            lines.append(f"{user}:{{PLAIN}}pw-{user}:{uid}:{gid}::{home}::")
        self.passwd = os.path.join(self.dir, "users")
        with open(self.passwd, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.conf = os.path.join(self.dir, "imapd.conf")
        with open(self.conf, "w") as f:
            f.write(f"passdb = passwd-file:{self.passwd}\n"
                    "mail_location = maildir:%h/Maildir\n"
                    "spool =\n"
                    f"log_path = {self.log}\n"
                    f"tls_cert = {self.cert}\n"
                    f"tls_key = {self.key}\n"
                    "plaintext_auth = no\n"
                    f"alert_file = {self.dir}/alert\n"
                    f"shutdown_file = {self.dir}/shutdown\n"
                    + extra_conf)

    def home(self, user):
        return os.path.join(self.dir, "home", user)

    def log_lines(self):
        try:
            with open(self.log) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def wait_for_log(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_lines():
                m = re.search(pattern, line)
                if m:
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no log line matching {pattern!r}: {self.log_lines()}")


def wait_listening(port, proc, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"launcher exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on port {port}")


class Xinetd:
    """Debian's xinetd in the foreground with its own configuration, pid file
    and loopback port, launching build/imapd as root per connection.
    Connecting to check readiness starts one throwaway session."""

    def __init__(self, site, args=()):
        if not os.path.exists("/usr/sbin/xinetd"):
            raise lib.Skip("xinetd is not installed (make deps)")
        self.port = free_port()
        self.conf = os.path.join(site.dir, f"xinetd-{self.port}.conf")
        self.pidfile = os.path.join(site.dir, f"xinetd-{self.port}.pid")
        server_args = " ".join(["-c", site.conf, *args])
        with open(self.conf, "w") as f:
            f.write(f"""defaults
{{
    log_type = FILE {site.dir}/xinetd.log
}}
service imaptest
{{
    type        = UNLISTED
    port        = {self.port}
    bind        = 127.0.0.1
    socket_type = stream
    protocol    = tcp
    wait        = no
    user        = root
    server      = {lib.binary("imapd")}
    server_args = {server_args}
    instances   = UNLIMITED
    per_source  = UNLIMITED
    cps         = 1000 1
}}
""")
        self.proc = subprocess.Popen(["/usr/sbin/xinetd", "-dontfork", "-stayalive", "-pidfile",
                                      self.pidfile, "-f", self.conf],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_listening(self.port, self.proc)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SocketActivate:
    """systemd-socket-activate --inetd -a: what a systemd imapd.socket with
    Accept=yes does, one imapd per connection on stdin/stdout."""

    def __init__(self, site, args=(), port=None):
        tool = "/usr/bin/systemd-socket-activate"
        if not os.path.exists(tool):
            raise lib.Skip("systemd-socket-activate is not installed")
        self.port = port or free_port()
        self.proc = subprocess.Popen([tool, "-l", f"127.0.0.1:{self.port}", "-a", "--inetd",
                                      lib.binary("imapd"), "-c", site.conf, *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise AssertionError(self.proc.stderr.read())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Client:
    """An IMAP client on a TCP socket; starttls() upgrades it in place."""

    def __init__(self, port, implicit_tls=False, context=None, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if implicit_tls:
            self.sock = (context or client_context()).wrap_socket(self.sock)
        self.buf = b""
        self.tag_no = 0
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError(f"server closed the connection; got {self.buf!r}")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        if line.endswith(b"}") and b"{" in line:
            n = int(line[line.rindex(b"{") + 1:-1])
            while len(self.buf) < n:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError("server closed inside a literal")
                self.buf += data
            line += b"\r\n" + self.buf[:n]
            self.buf = self.buf[n:]
            line += self.line()
        return line

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, text, literal=None):
        self.tag_no += 1
        tag = b"t%d" % self.tag_no
        data = tag + b" " + (text.encode() if isinstance(text, str) else text)
        if literal is not None:
            self.send(data + b" {%d}\r\n" % len(literal))
            cont = self.line()
            assert cont.startswith(b"+"), cont
            self.send(literal + b"\r\n")
        else:
            self.send(data + b"\r\n")
        untagged = []
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                return untagged, line
            untagged.append(line)

    def starttls(self, context=None):
        _, tagged = self.cmd("STARTTLS")
        assert b" OK " in tagged, tagged
        assert not self.buf
        self.sock = (context or client_context()).wrap_socket(self.sock)
        return self.sock.version()

    def close(self):
        try:
            self.cmd("LOGOUT")
        except Exception:
            pass
        self.sock.close()


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def session_pids(launcher_pid):
    """The imapd processes that launcher_pid started."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{launcher_pid}$", status, re.M) and re.search(r"^Name:\s+imapd$", status, re.M):
            pids.append(int(entry))
    return pids


def process_ids(pid):
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    uids = [int(x) for x in re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()]
    gids = [int(x) for x in re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()]
    groups = [int(x) for x in re.search(r"^Groups:\s*(.*)$", status, re.M).group(1).split()]
    return uids, gids, groups
