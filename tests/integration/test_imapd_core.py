"""The imapd binary over pipes: greeting, the commands that need no
mailbox, pipelining, literals, limits and the bad-command limit."""
import os
import subprocess

import lib


def run_imapd(data, timeout=30):
    """Sends data (bytes) to a preauthenticated imapd; returns (stdout, stderr, rc)."""
    home = lib.tempdir()
    proc = subprocess.run([lib.binary("imapd")], input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, cwd=home,
                          env={"HOME": home, "PATH": "/usr/bin:/bin"},
                          preexec_fn=lib.imapd_preexec(home))
    return proc.stdout, proc.stderr, proc.returncode


def lines(out):
    return out.split(b"\r\n")


def test_greeting_is_preauth_with_capabilities():
    s = lib.imapd_session(lib.tempdir())
    assert s.greeting.startswith(b"* PREAUTH [CAPABILITY IMAP4rev1 "), s.greeting
    assert b"IDLE" in s.greeting and b"LITERAL+" in s.greeting
    untagged, tagged = s.cmd("CAPABILITY")
    assert tagged.startswith(b"t1 OK"), tagged
    assert untagged[0].startswith(b"* CAPABILITY IMAP4rev1"), untagged
    caps = untagged[0].split()[2:]
    for cap in (b"ID", b"ENABLE", b"NAMESPACE", b"IDLE", b"LITERAL+"):
        assert cap in caps, caps
    s.close()


def test_noop_id_enable_namespace_logout():
    s = lib.imapd_session(lib.tempdir())
    assert s.cmd("NOOP") == ([], b"t1 OK NOOP completed\r\n")
    untagged, tagged = s.cmd('ID ("name" "test" "version" NIL)')
    assert untagged[0].startswith(b'* ID ("name" "imapd"'), untagged
    assert tagged.startswith(b"t2 OK"), tagged
    untagged, tagged = s.cmd("ENABLE FOO")
    assert untagged == [b"* ENABLED\r\n"] and tagged.startswith(b"t3 OK"), (untagged, tagged)
    untagged, tagged = s.cmd("NAMESPACE")
    assert untagged == [b'* NAMESPACE (("" "/")) NIL NIL\r\n'], untagged
    untagged, tagged = s.cmd("LOGOUT")
    assert untagged == [b"* BYE Logging out\r\n"] and tagged.startswith(b"t5 OK"), tagged
    assert s.proc.wait(timeout=10) == 0
    assert s.proc.stdout.read() == b""
    assert s.proc.stderr.read() == b""


def test_pipelined_commands_answered_in_order():
    data = b"".join(b"p%d NOOP\r\n" % i for i in range(200)) + b"z LOGOUT\r\n"
    out, err, rc = run_imapd(data)
    tagged = [l for l in lines(out) if l.startswith(b"p")]
    assert tagged == [b"p%d OK NOOP completed" % i for i in range(200)], tagged[:5]
    assert b"z OK LOGOUT completed" in out
    assert err == b"" and rc == 0


def test_synchronizing_literal_and_literal_plus():
    s = lib.imapd_session(lib.tempdir())
    s.send(b'a ID ("name" {4}\r\n')
    assert s.read_response_line() == b"+ Ready for literal data\r\n"
    s.send(b"test)\r\n")
    assert s.read_response_line().startswith(b"* ID")
    assert s.read_response_line() == b"a OK ID completed\r\n"
    untagged, tagged = s.cmd('ID ("name" {4+}', literals=[b"test)"])
    assert tagged.startswith(b"t1 OK"), tagged
    s.close()


def test_long_line_refused_and_session_goes_on():
    out, err, rc = run_imapd(b"a NOOP " + b"x" * 100000 + b"\r\nb NOOP\r\n")
    assert b"a BAD Command line too long\r\n" in out, out[-300:]
    assert b"b OK NOOP completed\r\n" in out
    assert err == b""


def test_huge_literal_refused_without_reading_it():
    s = lib.imapd_session(lib.tempdir())
    s.send(b"a LOGIN {999999999999}\r\n")
    assert s.read_response_line().startswith(b"a BAD Literal too large"), "no BAD"
    assert s.cmd("NOOP")[1].startswith(b"t1 OK")
    s.close()


def test_garbage_gets_bad_and_no_crash():
    noise = bytes(b for b in range(256) if b not in (10, 13)) * 4
    garbage = noise + b"\r\n(((((\r\n\x00\x00\r\n{5}\r\n" + b"\r\n"
    out, err, rc = run_imapd(garbage + b"z NOOP\r\n")
    assert b"BAD" in out
    assert b"z OK NOOP completed" in out, out[-200:]
    assert err == b"" and rc == 0


def test_twenty_bad_commands_end_with_bye():
    data = b"".join(b"b%d FROB\r\n" % i for i in range(20)) + b"z NOOP\r\n"
    out, err, rc = run_imapd(data)
    assert out.count(b"BAD") == 20, out
    assert out.endswith(b"* BYE Too many invalid commands\r\n"), out[-100:]
    assert b"z OK" not in out
    assert rc == 0 and err == b""


def test_closed_connection_ends_quietly():
    out, err, rc = run_imapd(b"a NOOP\r\n")
    assert out.endswith(b"a OK NOOP completed\r\n")
    assert err == b"" and rc == 0


def test_idle_done():
    s = lib.imapd_session(lib.tempdir())
    s.send(b"a IDLE\r\n")
    assert s.read_response_line() == b"+ idling\r\n"
    s.send(b"DONE\r\n")
    assert s.read_response_line() == b"a OK IDLE terminated\r\n"
    s.close()


def test_root_gets_ok_not_preauth():
    # Started by root (as inetd does) imapd asks for a login (issue 6).
    if os.geteuid() != 0:
        raise lib.Skip("needs root")
    proc = subprocess.run([lib.binary("imapd")], input=b"a NOOP\r\n", stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=10)
    assert proc.stdout.startswith(b"* OK "), proc.stdout
    assert b"a OK NOOP" in proc.stdout
    assert proc.stderr == b""
