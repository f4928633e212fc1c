"""make deb's package on a fresh Debian 12 machine: a chroot made with
debootstrap (the bootstrapped root is cached as a tarball under
build/deb-test, so only the first run downloads it), apt-get install of the
.deb, nothing running and the units disabled after install, the xinetd
entry enabled on a free loopback port, STARTTLS and LOGIN through PAM as a
real user (useradd + chpasswd), APPEND and FETCH; a reinstall keeps the
changed /etc/imapd.conf; apt-get remove keeps the conffiles, purge removes
them and leaves the user's mail. The chroot is removed at the end."""
import glob
import imaplib
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import lib

WORK = os.path.join(lib.BUILD, "deb-test")
CACHE = os.path.join(WORK, "bookworm-minbase.tar")
DEB_DIR = os.path.join(lib.BUILD, "deb")
USER, PASSWORD = "carol", "Pw-of-carol-42"
MESSAGE = (b"From: a@example.com\r\nTo: carol@example.com\r\nSubject: from the package\r\n"
           b"\r\nbody of the packaged test\r\n")


def log(text):
    print(f"  deb: {text}", flush=True)


def run(cmd, timeout=600, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if out.returncode != 0:
        raise AssertionError(f"{cmd} exit {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out.stdout


def debian_mirror():
    """The Debian mirror (URI) this machine's apt uses for bookworm."""
    found = []
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*")):
        if not os.path.isfile(path):
            continue
        text = open(path).read()
        if path.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
                if "deb" in fields.get("Types", "").split() and \
                        "bookworm" in fields.get("Suites", "").split():
                    found += fields.get("URIs", "").split()
        elif path.endswith(".list"):
            for line in text.splitlines():
                m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", line)
                if m:
                    found.append(m.group(1))
    for uri in found:
        if "security" not in uri:
            return uri
    raise AssertionError("no Debian bookworm mirror in /etc/apt/sources.list*")


def package_version():
    first = open(os.path.join(lib.ROOT, "debian", "changelog")).readline()
    return re.match(r"imapd \(([^)]+)\)", first).group(1)


# What the package is built from (tests/ and the guides are not in it).
PACKAGE_SOURCES = ["Makefile", "c-client", "imapd", "dmail", "tools", "docs", "deploy", "debian",
                   "scripts/install"]


def newest_source_mtime():
    newest = 0.0
    for name in PACKAGE_SOURCES:
        top = os.path.join(lib.ROOT, name)
        newest = max(newest, os.lstat(top).st_mtime)
        for parent, dirs, files in os.walk(top):
            for f in files:
                newest = max(newest, os.lstat(os.path.join(parent, f)).st_mtime)
    return newest


def the_deb():
    """build/deb/imapd_VERSION_amd64.deb, built by make deb unless newer than the sources."""
    if os.environ.get("IMAPD_DEB"):  # a package built elsewhere
        return os.environ["IMAPD_DEB"]
    deb = os.path.join(DEB_DIR, f"imapd_{package_version()}_amd64.deb")
    if os.path.exists(deb) and os.path.getmtime(deb) > newest_source_mtime():
        log(f"using {deb} (newer than the sources)")
        return deb
    start = time.monotonic()
    run(["make", "-s", "deb", f"BUILD={lib.BUILD}"], timeout=1800, cwd=lib.ROOT)
    log(f"make deb: {time.monotonic() - start:.0f}s")
    assert os.path.exists(deb), os.listdir(DEB_DIR)
    return deb


def upgraded_deb(deb, where):
    """The same package as a later version whose /etc/imapd.conf differs."""
    tree = tempfile.mkdtemp(prefix="repack-", dir=WORK)
    try:
        run(["dpkg-deb", "-R", deb, tree])
        control = os.path.join(tree, "DEBIAN", "control")
        text = open(control).read()
        version = re.search(r"^Version: (.*)$", text, re.M).group(1)
        with open(control, "w") as f:
            f.write(text.replace(f"Version: {version}", f"Version: {version}+upgradetest"))
        with open(os.path.join(tree, "etc", "imapd.conf"), "a") as f:
            f.write("# upgrade test: the packaged file changed\n")
        out = os.path.join(where, f"imapd_{version}+upgradetest_amd64.deb")
        run(["dpkg-deb", "--root-owner-group", "-b", tree, out])
        return out
    finally:
        shutil.rmtree(tree)


def mounts_under(path):
    path = os.path.realpath(path)
    result = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == path or point.startswith(path + "/"):
                result.append(point)
    return result


def unmount_all(path):
    for point in sorted(mounts_under(path), reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


def remove_root(path):
    """rm -rf of a chroot, refused while anything is still mounted in it."""
    unmount_all(path)
    left = mounts_under(path)
    assert not left, f"still mounted, {path} not removed: {left}"
    shutil.rmtree(path)


def bootstrapped_root():
    """A fresh Debian 12 minbase root in a new directory (from the cached tarball)."""
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(CACHE):
        start = time.monotonic()
        mirror = debian_mirror()
        tmp = tempfile.mkdtemp(prefix="bootstrap-", dir=WORK)
        os.chmod(tmp, 0o755)
        try:
            run(["debootstrap", "--variant=minbase", "bookworm", tmp, mirror], timeout=1800)
            unmount_all(tmp)  # debootstrap's /proc and /sys, should any be left
            run(["tar", "-C", tmp, "--numeric-owner", "-cf", CACHE + ".part", "."])
            os.rename(CACHE + ".part", CACHE)
        finally:
            remove_root(tmp)
        log(f"debootstrap from {mirror} and cache: {time.monotonic() - start:.0f}s")
    root = tempfile.mkdtemp(prefix="root-", dir=WORK)
    run(["tar", "-C", root, "--numeric-owner", "-xpf", CACHE])
    os.chmod(root, 0o755)  # mkdtemp's 0700 would keep the users out of /
    return root


class Chroot:
    def __init__(self, root):
        self.root = root
        self.mounted = []

    def mount(self):
        for fs, target, args in [("proc", "proc", ["-t", "proc", "proc"]),
                                 ("devpts", "dev/pts", ["-t", "devpts", "-o", "newinstance,ptmxmode=0666", "devpts"])]:
            where = os.path.join(self.root, target)
            os.makedirs(where, exist_ok=True)
            run(["mount"] + args + [where])
            self.mounted.append(where)

    def unmount(self):
        for where in reversed(self.mounted):
            subprocess.run(["umount", "-l", where], capture_output=True)
        self.mounted = []

    def path(self, name):
        return os.path.join(self.root, name.lstrip("/"))

    def sh(self, script, timeout=600, check=True):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
               "LC_ALL": "C", "HOME": "/root"}
        out = subprocess.run(["chroot", self.root, "/bin/sh", "-ec", script], env=env,
                             capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise AssertionError(f"in chroot: {script}\nexit {out.returncode}\n"
                                 f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
        return out.stdout

    def read(self, name):
        with open(self.path(name)) as f:
            return f.read()

    def write(self, name, text, mode=0o644):
        with open(self.path(name), "w") as f:
            f.write(text)
        os.chmod(self.path(name), mode)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_in(root):
    """Commands of the processes whose root directory is the chroot."""
    found = []
    real = os.path.realpath(root)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{pid}/root") == real:
                found.append((int(pid), open(f"/proc/{pid}/comm").read().strip()))
        except OSError:
            pass
    return found


def wait_for_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def test_deb_package_install_login_remove_purge():
    if os.environ.get("DEB_TEST") != "1":
        # A package build and a debootstrap are 10-40 minutes on 2 cores: more
        # than make check's budget. `make check-deb` runs it.
        raise lib.Skip("the package test runs with make check-deb (DEB_TEST=1)")
    if os.geteuid() != 0:
        raise lib.Skip("needs root (debootstrap, chroot, mount)")
    times = {}
    start = time.monotonic()
    deb = the_deb()
    times["deb"] = time.monotonic() - start

    mark = time.monotonic()
    root = bootstrapped_root()
    times["root"] = time.monotonic() - mark
    c = Chroot(root)
    xinetd = None
    try:
        c.mount()
        shutil.copy(os.path.join("/etc", "resolv.conf"), c.path("/etc/resolv.conf"))
        # As in any chroot: no service started by a package's maintainer scripts.
        c.write("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", 0o755)
        shutil.copy(deb, c.path("/root/"))
        name = os.path.basename(deb)

        mark = time.monotonic()
        c.sh("apt-get update -qq", timeout=300)
        c.sh(f"cd /root && apt-get install -y -q --no-install-recommends ./{name}", timeout=300)
        times["install"] = time.monotonic() - mark

        # What the package put on the machine.
        for path in ["/usr/sbin/imapd", "/usr/bin/dmail", "/usr/bin/mailtool", "/usr/bin/imapstat",
                     "/usr/share/man/man8/imapd.8.gz", "/usr/share/man/man5/imapd.conf.5.gz",
                     "/usr/share/man/man1/dmail.1.gz", "/etc/imapd.conf", "/etc/pam.d/imap",
                     "/etc/xinetd.d/imap", "/etc/xinetd.d/imaps",
                     "/lib/systemd/system/imapd.socket", "/lib/systemd/system/imapd@.service"]:
            assert os.path.exists(c.path(path)), path
        conffiles = c.sh("dpkg-query -W -f='${Conffiles}' imapd")
        for path in ["/etc/imapd.conf", "/etc/pam.d/imap", "/etc/xinetd.d/imap"]:
            assert path + " " in conffiles, conffiles
        # Disabled until the administrator enables one; nothing running.
        entry = c.read("/etc/xinetd.d/imap")
        assert re.search(r"^\s*disable\s*=\s*yes\s*$", entry, re.M), entry
        assert "server      = /usr/sbin/imapd" in entry, entry
        assert "/usr/sbin/imapd" in c.read("/lib/systemd/system/imapd@.service")
        assert not glob.glob(c.path("/etc/systemd/system/*/imap*")), \
            glob.glob(c.path("/etc/systemd/system/*/*"))
        assert processes_in(root) == [], processes_in(root)
        # Depends: the libraries imapd dlopens came along.
        for lib_name in ["libssl.so.3", "libcrypto.so.3", "libpam.so.0"]:
            assert glob.glob(c.path(f"/usr/lib/x86_64-linux-gnu/{lib_name}")) or \
                glob.glob(c.path(f"/lib/x86_64-linux-gnu/{lib_name}")), lib_name

        # A real user, a certificate, and the xinetd entry on a free port.
        mark = time.monotonic()
        c.sh(f"useradd -m -s /bin/sh {USER} && echo '{USER}:{PASSWORD}' | chpasswd")
        c.sh("apt-get install -y -q --no-install-recommends xinetd", timeout=300)
        times["xinetd"] = time.monotonic() - mark
        os.makedirs(c.path("/etc/imapd-test"), exist_ok=True)
        cert, key = c.path("/etc/imapd-test/cert.pem"), c.path("/etc/imapd-test/key.pem")
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", key, "-out", cert])
        os.chmod(key, 0o600)
        with open(c.path("/etc/imapd.conf"), "a") as f:
            f.write("\n# test_deb_package\ntls_cert = /etc/imapd-test/cert.pem\n"
                    "tls_key = /etc/imapd-test/key.pem\n")
        changed_conf = c.read("/etc/imapd.conf")
        port = free_port()
        entry = re.sub(r"^(\s*disable\s*=).*$", r"\1 no", entry, flags=re.M)
        entry = entry.replace("socket_type", f"type        = UNLISTED\n    port        = {port}\n"
                              "    bind        = 127.0.0.1\n    socket_type", 1)
        c.write("/etc/xinetd.d/imap", entry)
        c.write("/etc/xinetd.d/imaps", c.read("/etc/xinetd.d/imaps"))  # unchanged, stays off
        xinetd = subprocess.Popen(["chroot", root, "/usr/sbin/xinetd", "-dontfork",
                                   "-filelog", "/var/log/xinetd.log"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port)

        # From the host: STARTTLS, LOGIN through PAM, APPEND, FETCH.
        mark = time.monotonic()
        ctx = ssl.create_default_context(cafile=cert)
        imap = imaplib.IMAP4("127.0.0.1", port, timeout=30)
        assert "STARTTLS" in imap.capabilities, imap.capabilities
        imap.starttls(ctx)
        assert imap.sock.version() in ("TLSv1.3", "TLSv1.2"), imap.sock.version()
        try:
            imap.login(USER, "wrong-password")
            raise AssertionError("a wrong password was accepted")
        except imaplib.IMAP4.error:
            pass
        typ, data = imap.login(USER, PASSWORD)
        assert typ == "OK", data
        typ, data = imap.append("INBOX", None, None, MESSAGE)
        assert typ == "OK", data
        typ, data = imap.select("INBOX")
        assert typ == "OK" and data == [b"1"], data
        typ, data = imap.fetch("1", "(BODY.PEEK[])")
        assert typ == "OK" and data[0][1] == MESSAGE, data
        imap.logout()
        times["session"] = time.monotonic() - mark
        mail = [p for p in glob.glob(c.path(f"/home/{USER}/**"), recursive=True)
                if os.path.isfile(p) and MESSAGE.split(b"\r\n")[-2] in open(p, "rb").read()]
        assert mail, os.listdir(c.path(f"/home/{USER}"))
        owner = int(c.sh(f"id -u {USER}"))
        assert all(os.stat(p).st_uid == owner for p in mail), mail

        xinetd.terminate()
        xinetd.wait(timeout=10)
        xinetd = None

        # An upgrade whose /etc/imapd.conf changed too keeps the administrator's
        # file (dpkg's conffile handling) and puts the new one beside it.
        newer = upgraded_deb(deb, c.path("/root"))
        c.sh(f"cd /root && apt-get install -y -q -o Dpkg::Options::=--force-confold "
             f"./{os.path.basename(newer)}", timeout=120)
        assert c.sh("dpkg-query -W -f='${Version}' imapd").endswith("+upgradetest"), "not upgraded"
        assert c.read("/etc/imapd.conf") == changed_conf
        assert "upgrade test" in c.read("/etc/imapd.conf.dpkg-dist")
        os.remove(c.path("/etc/imapd.conf.dpkg-dist"))

        # remove: programs gone, conffiles (and the mail) kept.
        c.sh("apt-get remove -y -q imapd", timeout=120)
        assert not os.path.exists(c.path("/usr/sbin/imapd"))
        assert not os.path.exists(c.path("/lib/systemd/system/imapd.socket"))
        assert c.read("/etc/imapd.conf") == changed_conf
        assert os.path.exists(c.path("/etc/pam.d/imap"))
        status = c.sh("dpkg-query -W -f='${db:Status-Abbrev}' imapd")
        assert status.startswith("rc"), status

        # purge: every conffile gone, the user's mail and the site's own files kept.
        c.sh("apt-get purge -y -q imapd", timeout=120)
        for path in ["/etc/imapd.conf", "/etc/pam.d/imap", "/etc/xinetd.d/imap", "/etc/xinetd.d/imaps"]:
            assert not os.path.exists(c.path(path)), path
        status = c.sh("dpkg-query -W -f='${db:Status-Abbrev}' imapd 2>&1", check=False)
        assert not status.startswith(("ii", "rc")), status
        assert all(MESSAGE.split(b"\r\n")[-2] in open(p, "rb").read() for p in mail), mail
        assert os.path.exists(cert) and os.path.exists(key)
        times["upgrade+remove+purge"] = time.monotonic() - mark
    finally:
        if xinetd:
            xinetd.kill()
            xinetd.wait()
        for pid, _ in processes_in(root):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        c.unmount()
        remove_root(root)
    times["total"] = time.monotonic() - start
    log("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
