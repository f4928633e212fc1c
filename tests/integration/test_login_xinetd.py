"""imapd started by root under a real xinetd: STARTTLS, LOGIN as a
passwd-file user, privilege drop, mail owned by the user, the session-end
log line; TLS versions; implicit TLS; hostile input before login."""
import os
import socket
import ssl
import subprocess
import time

from test_login_env import (SESSION_END, Client, Site, Xinetd, client_context, process_ids,
                            session_pids)

MESSAGE = b"From: a@example.com\r\nTo: fred@example.com\r\nSubject: hi\r\n\r\nbody text\r\n"


def test_login_xinetd_starttls_login_append_fetch():
    site = Site()
    with Xinetd(site) as x:
        c = Client(x.port)
        assert c.greeting.startswith(b"* OK "), c.greeting
        assert b"STARTTLS" in c.greeting and b"LOGINDISABLED" in c.greeting
        _, tagged = c.cmd("LOGIN fred pw-fred")
        assert b" NO " in tagged, tagged  # no password before TLS
        assert c.starttls() == "TLSv1.3"
        untagged, tagged = c.cmd("CAPABILITY")
        caps = untagged[0]
        assert b"LOGINDISABLED" not in caps and b"STARTTLS" not in caps, caps
        assert b"AUTH=PLAIN" in caps
        _, tagged = c.cmd("LOGIN fred wrong")
        assert b"NO [AUTHENTICATIONFAILED]" in tagged, tagged
        _, tagged = c.cmd("LOGIN fred pw-fred")
        assert b" OK " in tagged, tagged

        # The session runs as fred, with fred's groups only.
        pids = session_pids(x.proc.pid)
        ids = [process_ids(p) for p in pids]
        assert ([42001] * 4, [42001] * 4, [42001]) in ids, ids

        _, tagged = c.cmd("APPEND INBOX", MESSAGE)
        assert b" OK " in tagged, tagged
        untagged, tagged = c.cmd("SELECT INBOX")
        assert b" OK " in tagged and b"* 1 EXISTS" in untagged, (untagged, tagged)
        untagged, tagged = c.cmd("FETCH 1 BODY[]")
        assert b" OK " in tagged and MESSAGE in b"".join(untagged), untagged
        c.close()

    # Everything under fred's Maildir belongs to fred.
    for root, dirs, files in os.walk(os.path.join(site.home("fred"), "Maildir")):
        for name in dirs + files:
            st = os.stat(os.path.join(root, name))
            assert (st.st_uid, st.st_gid) == (42001, 42001), (root, name, st.st_uid)

    m = site.wait_for_log(r"session end: user=fred .*")
    fields = SESSION_END.search(m.group(0))
    assert fields, m.group(0)
    assert fields.group(2) == "127.0.0.1"
    assert int(fields.group(12)) > len(MESSAGE) and int(fields.group(13)) > 0
    site.wait_for_log(r"login: user=fred host=127\.0\.0\.1 mech=LOGIN tls=TLSv1\.3")
    site.wait_for_log(r"failed login: user=fred host=127\.0\.0\.1 reason=wrong%20password")


def test_login_other_users_mail_unreachable():
    site = Site()
    with Xinetd(site) as x:
        bob = Client(x.port)
        bob.starttls()
        assert b" OK " in bob.cmd("LOGIN bob pw-bob")[1]
        assert b" OK " in bob.cmd("APPEND INBOX", MESSAGE)[1]
        assert b" OK " in bob.cmd("CREATE Secret")[1]
        bob.close()

        c = Client(x.port)
        c.starttls()
        assert b" OK " in c.cmd("LOGIN fred pw-fred")[1]
        bob_maildir = os.path.join(site.home("bob"), "Maildir")
        for name in [bob_maildir, "../bob/Maildir", "../../home/bob/Maildir", "/etc",
                     "~bob/Maildir", "../../../../etc/passwd", "#driver.unix//etc/passwd"]:
            _, tagged = c.cmd(f'SELECT "{name}"')
            assert b" OK " not in tagged, (name, tagged)
            _, tagged = c.cmd(f'CREATE "{name}/x"')
            assert b" OK " not in tagged, (name, tagged)
        untagged, _ = c.cmd('LIST "" "*"')
        assert not any(b"Secret" in line for line in untagged), untagged
        untagged, _ = c.cmd('LIST "/" "*"')
        assert not any(b"etc" in line for line in untagged), untagged
        c.close()
    assert not os.path.exists("/etc/x") and not os.path.exists(os.path.join(bob_maildir, "x"))


def test_login_authenticate_plain_sasl_ir_and_alert():
    site = Site()
    with open(os.path.join(site.dir, "alert"), "w") as f:
        f.write("Maintenance tonight\n")
    with Xinetd(site) as x:
        c = Client(x.port)
        c.starttls()
        import base64
        ir = base64.b64encode(b"\0fred\0pw-fred").decode()
        untagged, tagged = c.cmd(f"AUTHENTICATE PLAIN {ir}")
        assert b" OK " in tagged, tagged
        assert b"* OK [ALERT] Maintenance tonight" in untagged, untagged
        c.close()


def test_login_shutdown_file_says_bye():
    site = Site()
    with open(os.path.join(site.dir, "shutdown"), "w") as f:
        f.write("Down for the upgrade\n")
    with Xinetd(site) as x:
        c = Client(x.port)
        assert c.greeting == b"* BYE Down for the upgrade", c.greeting


def test_login_tls_versions_openssl_s_client():
    site = Site()
    with Xinetd(site) as x:
        ok = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{x.port}", "-starttls",
                             "imap", "-tls1_3", "-brief"], input=b"a LOGOUT\r\n",
                            capture_output=True, timeout=30)
        out = ok.stdout + ok.stderr
        assert b"Protocol version: TLSv1.3" in out, out
        ok12 = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{x.port}", "-starttls",
                               "imap", "-tls1_2", "-brief"], input=b"a LOGOUT\r\n",
                              capture_output=True, timeout=30)
        assert b"Protocol version: TLSv1.2" in ok12.stdout + ok12.stderr
        for flag in ["-tls1", "-tls1_1"]:
            bad = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{x.port}",
                                  "-starttls", "imap", flag, "-cipher", "DEFAULT@SECLEVEL=0",
                                  "-brief"], input=b"a LOGOUT\r\n", capture_output=True, timeout=30)
            out = bad.stdout + bad.stderr
            assert b"Protocol version: TLSv1" not in out, (flag, out)
            assert bad.returncode != 0 or b"alert" in out or b"error" in out.lower(), out

        # Python's ssl, limited to TLS 1.1, is refused.
        c = Client(x.port)
        old = client_context()
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            old.set_ciphers("DEFAULT@SECLEVEL=0")
        except ssl.SSLError:
            pass
        try:
            c.starttls(old)
            raise AssertionError("TLS 1.1 was accepted")
        except (ssl.SSLError, OSError):
            pass


def test_login_implicit_tls_flag():
    site = Site()
    with Xinetd(site, args=["-s"]) as x:
        c = Client(x.port, implicit_tls=True)
        assert c.greeting.startswith(b"* OK "), c.greeting
        assert c.sock.version() == "TLSv1.3"
        assert b"STARTTLS" not in c.greeting and b"LOGINDISABLED" not in c.greeting
        assert b" OK " in c.cmd("LOGIN fred pw-fred")[1]
        c.close()


def test_login_missing_certificate_logs_and_says_bye():
    site = Site()
    os.rename(site.key, site.key + ".gone")
    with Xinetd(site) as x:
        c = Client(x.port)
        assert c.greeting.startswith(b"* BYE "), c.greeting
    site.wait_for_log(r"error: TLS: cannot load tls_key")


def test_login_hostile_input_before_login():
    site = Site(extra_conf="login_timeout = 3s\n")
    with Xinetd(site) as x:
        # A line longer than max_line_length.
        c = Client(x.port)
        c.send(b"a LOGIN " + b"x" * 200000 + b"\r\n")
        line = c.line()
        assert line.startswith(b"a BAD") or line.startswith(b"* BAD") or line.startswith(b"* BYE"), line
        c.sock.close()

        # A huge literal is refused before its bytes are asked for.
        c = Client(x.port)
        c.send(b"a LOGIN {999999999}\r\n")
        line = c.line()
        assert b"BAD" in line or b"NO" in line or b"BYE" in line, line
        assert not line.startswith(b"+"), line
        c.sock.close()

        # Garbage: BAD each time, then BYE.
        c = Client(x.port)
        c.send(b"".join(b"\x00\xff garbage %d\r\n" % i for i in range(20)))
        lines = []
        try:
            while True:
                lines.append(c.line())
        except (EOFError, OSError):
            pass
        assert any(b"BAD" in l for l in lines) and any(l.startswith(b"* BYE") for l in lines), lines
        c.sock.close()

        # A slow client gets BYE after login_timeout.
        c = Client(x.port)
        start = time.monotonic()
        c.send(b"a LOG")
        line = c.line()
        assert line.startswith(b"* BYE"), line
        assert 2 <= time.monotonic() - start < 15

    # None of that reached a mailbox.
    assert not os.path.exists(os.path.join(site.home("fred"), "Maildir"))


def test_login_too_many_failures_end_the_session():
    site = Site()
    with Xinetd(site) as x:
        c = Client(x.port)
        c.starttls()
        for i in range(3):
            _, tagged = c.cmd(f"LOGIN fred wrong{i}")
            assert b"NO [AUTHENTICATIONFAILED]" in tagged
        try:
            line = c.line()
            assert line.startswith(b"* BYE") or line == b"", line
        except EOFError:
            pass


def test_login_connect_to_greeting_time():
    """Time from connect to greeting through xinetd (printed, not judged
    beyond a generous bound)."""
    site = Site()
    with Xinetd(site) as x:
        times = []
        for _ in range(20):
            start = time.monotonic()
            s = socket.create_connection(("127.0.0.1", x.port))
            data = b""
            while b"\r\n" not in data:
                data += s.recv(4096)
            times.append(time.monotonic() - start)
            s.close()
    times.sort()
    print(f"    xinetd connect-to-greeting: median {times[10] * 1000:.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms")
    assert times[10] < 1.0


def test_login_implicit_tls_on_port_993():
    """Without -s, a connection to local port 993 starts with TLS (as UW
    imapd does for the imaps service)."""
    from test_login_env import SocketActivate
    import lib
    site = Site()
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", 993))
    except OSError:
        raise lib.Skip("port 993 is in use on 127.0.0.1")
    finally:
        probe.close()
    with SocketActivate(site, port=993) as launcher:
        c = Client(launcher.port, implicit_tls=True)
        assert c.greeting.startswith(b"* OK "), c.greeting
        assert c.sock.version() in ("TLSv1.3", "TLSv1.2")
        assert b"LOGINDISABLED" not in c.greeting
        c.close()
