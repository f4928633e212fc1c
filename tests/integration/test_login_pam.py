"""LOGIN through real PAM (pam_unix via common-auth) for a throwaway
system account that the test creates and removes (root only), under
systemd-socket-activate, which starts imapd as a systemd imapd.socket with
Accept=yes does; and the same site through xinetd."""
import os
import pwd
import random
import shutil
import subprocess

import lib
from test_login_env import SESSION_END, Client, Site, SocketActivate, Xinetd, need_root

ROOT = lib.ROOT


class ThrowawayAccount:
    def __init__(self, site):
        need_root()
        for tool in ["/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/chpasswd"]:
            if not os.path.exists(tool):
                raise lib.Skip(f"{tool} is missing")
        self.name = "imaptest%05d" % random.randrange(100000)
        self.password = "pw-%08x" % random.getrandbits(32)
        self.home = os.path.join(site.dir, "home", self.name)
        self.service = "imaptest-" + self.name
        self.pam_file = os.path.join("/etc/pam.d", self.service)

    def __enter__(self):
        subprocess.run(["/usr/sbin/useradd", "-M", "-d", self.home, "-s", "/usr/sbin/nologin",
                        "-U", self.name], check=True, capture_output=True)
        subprocess.run(["/usr/sbin/chpasswd"], input=f"{self.name}:{self.password}\n".encode(),
                       check=True, capture_output=True)
        pw = pwd.getpwnam(self.name)
        os.makedirs(self.home)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        os.chmod(self.home, 0o700)
        shutil.copyfile(os.path.join(ROOT, "deploy", "pam", "imap"), self.pam_file)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        return self

    def __exit__(self, *exc):
        subprocess.run(["/usr/sbin/userdel", self.name], capture_output=True)
        if os.path.exists(self.pam_file):
            os.remove(self.pam_file)


def pam_site():
    site = Site()
    acct = ThrowawayAccount(site)
    with open(site.conf) as f:
        conf = f.read().replace(f"passdb = passwd-file:{site.passwd}\n", "passdb = pam\n")
    with open(site.conf, "w") as f:
        f.write(conf + f"pam_service = {acct.service}\n")
    return site, acct


def check_login(site, acct, launcher):
    message = b"Subject: pam\r\n\r\nvia PAM\r\n"
    c = Client(launcher.port)
    assert b"STARTTLS" in c.greeting
    c.starttls()
    _, tagged = c.cmd(f"LOGIN {acct.name} wrong-password")
    assert b"NO [AUTHENTICATIONFAILED]" in tagged, tagged
    _, tagged = c.cmd(f"LOGIN {acct.name} {acct.password}")
    assert b" OK " in tagged, tagged
    assert b" OK " in c.cmd("APPEND INBOX", message)[1]
    assert b" OK " in c.cmd("SELECT INBOX")[1]
    untagged, _ = c.cmd("FETCH 1 BODY[TEXT]")
    assert b"via PAM" in b"".join(untagged)
    c.close()
    for root, dirs, files in os.walk(os.path.join(acct.home, "Maildir")):
        for name in dirs + files:
            st = os.stat(os.path.join(root, name))
            assert (st.st_uid, st.st_gid) == (acct.uid, acct.gid), (root, name)
    m = site.wait_for_log(rf"session end: user={acct.name} .*")
    assert SESSION_END.search(m.group(0)), m.group(0)
    site.wait_for_log(rf"failed login: user={acct.name} host=127\.0\.0\.1 reason=Authentication%20failure")


def test_login_pam_under_systemd_socket_activate():
    site, acct = pam_site()
    with acct, SocketActivate(site) as launcher:
        check_login(site, acct, launcher)


def test_login_pam_under_xinetd():
    site, acct = pam_site()
    with acct, Xinetd(site) as launcher:
        check_login(site, acct, launcher)
