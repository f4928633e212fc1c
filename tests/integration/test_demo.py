"""make demo (scripts/demo): sample mail served on a loopback port through
socat; an imaplib client connects over TCP, selects INBOX and fetches
envelopes; the demo is then stopped."""
import email
import email.policy
import imaplib
import os
import re
import subprocess

import clients_util as cu
import lib

DEMO = os.path.join(lib.ROOT, "scripts", "demo")


def start_demo(port, demo_dir, count):
    env = dict(os.environ, DEMO_PORT=str(port), DEMO_MESSAGES=str(count), DEMO_DIR=demo_dir,
               BUILD=lib.BUILD, DEMO_BUILD="0")
    return subprocess.Popen([DEMO], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True, cwd=lib.ROOT)


def test_demo_serves_sample_mail_over_tcp():
    lib.binary("imapd")
    cu.need("socat")
    demo_dir = cu.client_dir("clients-demo-")
    port = cu.free_port()
    proc = start_demo(port, demo_dir, 30)
    try:
        cu.wait_for_port(port, proc, timeout=40)
        c = imaplib.IMAP4("127.0.0.1", port, timeout=30)
        try:
            assert c.welcome.startswith(b"* PREAUTH"), c.welcome
            assert cu.ok(c.select("INBOX")) == [b"30"]
            data = cu.ok(c.fetch("1:5", "(ENVELOPE)"))
            assert len(data) == 5, data
            for n, line in enumerate(data, 1):
                assert line.startswith(b"%d (ENVELOPE (" % n), line
            # the subjects are those of the messages on disk
            texts = cu.ok(c.fetch("1:5", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
            subjects = [email.message_from_bytes(t[1], policy=email.policy.compat32)["Subject"]
                        for t in texts if isinstance(t, tuple)]
            assert len(subjects) == 5 and all(subjects), subjects
            for subject, line in zip(subjects, data):
                if subject.isascii() and not set(subject) & set('"\\\n'):
                    assert b'"' + subject.encode() + b'"' in line, (subject, line)
            folders = b" ".join(cu.ok(c.list()))
            for name in (b"Sent", b"Drafts", b"Trash", b"Archive"):
                assert name in folders, folders
        finally:
            c.logout()
    finally:
        cu.interrupt_group(proc)
    out = proc.stdout.read().decode(errors="replace")
    assert f"Serving on 127.0.0.1:{port}" in out, out
    assert re.search(r"INBOX\s+30 messages", out), out
    assert re.search(r"Sent\s+20 messages", out), out
    assert "Traceback" not in out and "error" not in out.lower(), out


def test_demo_says_clearly_when_the_port_is_taken():
    lib.binary("imapd")
    cu.need("socat")
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = start_demo(port, cu.client_dir("clients-demo-"), 5)
        try:
            out, _ = proc.communicate(timeout=30)
        finally:
            cu.kill_group(proc)
    assert proc.returncode != 0
    assert f"127.0.0.1:{port}" in out.decode() and "DEMO_PORT" in out.decode(), out
