"""imapd maps libssl/libcrypto and libpam only when a session needs them
(imapd/tls/openssl_library, imapd/auth/pam_library): not for the greeting
of a preauthenticated session, nor for a root (inetd) session without TLS
before its login; and the loaded libraries work when they are needed."""
import os
import subprocess

import lib
from test_login_env import make_cert

DEFERRED = (b"libssl.so", b"libcrypto.so", b"libpam.so", b"libaudit.so", b"libcap-ng.so")


def mapped(pid):
    """The deferred libraries among the files mapped by process pid."""
    with open(f"/proc/{pid}/maps", "rb") as f:
        maps = f.read()
    return sorted(name.decode() for name in DEFERRED if name in maps)


def test_greeting_preauth_maps_no_ssl_or_pam():
    home = lib.tempdir()
    s = lib.imapd_session(home)
    assert s.greeting.startswith(b"* PREAUTH"), s.greeting
    assert mapped(s.proc.pid) == []
    untagged, tagged = s.cmd("SELECT INBOX")
    assert b" OK " in tagged, tagged
    assert mapped(s.proc.pid) == []
    s.close()


def root_session(conf_text):
    if os.geteuid() != 0:
        raise lib.Skip("imapd greets with * OK and logs in only when started by root")
    d = lib.tempdir("greeting-")
    os.chmod(d, 0o755)
    home = os.path.join(d, "fred")
    os.makedirs(home)
    os.chown(home, 42001, 42001)
    users = os.path.join(d, "users")
    with open(users, "w") as f:
        f.write(f"fred:{{SHA256}}pmWkWSBCL51Bfkhn79xPuKBKHz//H6B+mY6G9/eieuM=:42001:42001::{home}::\n")
    conf = os.path.join(d, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"mail_location = maildir:%h/Maildir\nspool =\nlog_path = {d}/imapd.log\n"
                f"plaintext_auth = yes\nalert_file = {d}/alert\nshutdown_file = {d}/shutdown\n"
                + conf_text.replace("USERS", users))
    return lib.ImapSession([lib.binary("imapd"), "-c", conf], env={"PATH": "/usr/bin:/bin"}, cwd=d)


def tls_conf(d, key_text=None):
    cert, key = make_cert(d)
    if key_text is not None:
        with open(key, "w") as f:
            f.write(key_text)
    return f"passdb = passwd-file:USERS\ntls_cert = {cert}\ntls_key = {key}\n"


def test_greeting_inetd_without_tls_maps_no_ssl_until_a_sha_password():
    # {SHA256} of "123" (Dovecot's doveadm pw -s SHA256 form): checking it
    # needs libcrypto, which is loaded at the LOGIN and works.
    s = root_session("passdb = passwd-file:USERS\n")
    assert s.greeting.startswith(b"* OK"), s.greeting
    assert b"STARTTLS" not in s.greeting
    assert mapped(s.proc.pid) == []
    _, tagged = s.cmd("LOGIN fred 123")
    assert b" OK " in tagged, tagged
    assert "libcrypto.so" in mapped(s.proc.pid)
    assert "libpam.so" not in mapped(s.proc.pid)
    s.close()


def test_greeting_inetd_pam_loaded_at_the_first_login():
    s = root_session("passdb = pam\npam_service = imapd-greeting-test-no-such-service\n")
    assert s.greeting.startswith(b"* OK"), s.greeting
    assert mapped(s.proc.pid) == []
    _, tagged = s.cmd("LOGIN nosuchuser-greeting wrong")
    assert b" NO " in tagged, tagged  # refused by PAM, not an internal error
    assert "libpam.so" in mapped(s.proc.pid)
    assert "libssl.so" not in mapped(s.proc.pid)
    s.close()


def test_greeting_inetd_with_tls_loads_openssl_at_starttls():
    s = root_session(tls_conf(lib.tempdir("greeting-cert-")))
    assert s.greeting.startswith(b"* OK") and b"STARTTLS" in s.greeting, s.greeting
    assert mapped(s.proc.pid) == []
    _, tagged = s.cmd("STARTTLS")
    assert b" OK " in tagged, tagged
    assert "libssl.so" in mapped(s.proc.pid)
    s.proc.kill()
    s.proc.wait()


def test_greeting_inetd_unusable_key_is_bye_at_starttls():
    # The key file exists (the greeting is * OK) but is not a key: OpenSSL
    # finds out at STARTTLS, which logs it and ends the session.
    d = lib.tempdir("greeting-cert-")
    s = root_session(tls_conf(d, key_text="not a key\n"))
    assert s.greeting.startswith(b"* OK"), s.greeting
    untagged, tagged = s.cmd("STARTTLS")
    assert b" NO " in tagged and any(u.startswith(b"* BYE ") for u in untagged), (untagged, tagged)
    s.proc.wait(timeout=10)
    log = os.path.join(os.path.dirname(s.proc.args[2]), "imapd.log")
    with open(log) as f:
        assert "TLS: cannot load tls_key" in f.read()
