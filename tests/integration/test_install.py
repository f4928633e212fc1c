"""make install DESTDIR=... puts programs, man pages and site defaults in
the right places, and never replaces a site's own configuration."""
import os
import subprocess

import lib


def make_install(dest, prefix="/usr"):
    proc = subprocess.run(
        ["make", "-s", "install", f"DESTDIR={dest}", f"PREFIX={prefix}", f"BUILD={lib.BUILD}"],
        cwd=lib.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    assert proc.returncode == 0, proc.stdout.decode(errors="replace")[-3000:]
    return proc.stdout.decode()


def installed(dest):
    out = set()
    for dirpath, _, files in os.walk(dest):
        for f in files:
            out.add(os.path.relpath(os.path.join(dirpath, f), dest))
    return out


def test_install_tree():
    dest = lib.tempdir()
    make_install(dest)
    files = installed(dest)
    expected = {"etc/imapd.conf", "etc/pam.d/imap", "usr/share/man/man5/imapd.conf.5"}
    for prog, where in [("imapd", "sbin"), ("dmail", "bin"), ("mailtool", "bin"),
                        ("imapstat", "bin")]:
        if os.path.exists(os.path.join(lib.BUILD, prog)):
            expected.add(f"usr/{where}/{prog}")
            assert os.access(os.path.join(dest, f"usr/{where}/{prog}"), os.X_OK)
    for page in os.listdir(os.path.join(lib.ROOT, "docs")):
        section = page.rsplit(".", 1)[-1]
        if section in "12345678" and len(section) == 1:
            expected.add(f"usr/share/man/man{section}/{page}")
    assert files == expected, (sorted(files - expected), sorted(expected - files))
    with open(os.path.join(dest, "etc/pam.d/imap")) as f:
        pam = f.read()
    for line in ("@include common-auth", "@include common-account", "@include common-session"):
        assert line in pam.splitlines(), pam
    with open(os.path.join(dest, "etc/imapd.conf")) as f:
        conf = f.read()
    assert "# mail_location = mbx:%h/mail:INBOX=%h/INBOX" in conf.splitlines(), conf
    # Every line is a comment or blank: the example installs the defaults.
    assert all(not l.strip() or l.startswith("#") for l in conf.splitlines())


def test_install_keeps_site_files():
    dest = lib.tempdir()
    os.makedirs(os.path.join(dest, "etc/pam.d"))
    with open(os.path.join(dest, "etc/imapd.conf"), "w") as f:
        f.write("mail_location = maildir:~/Maildir\n")
    with open(os.path.join(dest, "etc/pam.d/imap"), "w") as f:
        f.write("auth required pam_unix.so\n")
    out = make_install(dest, prefix="/opt/imap")
    assert "kept" in out, out
    with open(os.path.join(dest, "etc/imapd.conf")) as f:
        assert f.read() == "mail_location = maildir:~/Maildir\n"
    with open(os.path.join(dest, "etc/pam.d/imap")) as f:
        assert f.read() == "auth required pam_unix.so\n"
    assert os.path.exists(os.path.join(dest, "opt/imap/share/man/man5/imapd.conf.5"))
