"""A preauthenticated imapd (started by a user, as under ssh or rsh) logs
the same session-end line as a login session, so that imapstat counts it."""
import os
import pwd
import subprocess

import lib


def test_preauth_session_logs_its_end_and_imapstat_counts_it():
    home = lib.tempdir()
    log = os.path.join(home, "imapd.log")
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"mail_location = maildir:~/Maildir\nspool =\nlog_path = {log}\n")
    preexec = lib.imapd_preexec(home)
    user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    env = {"HOME": home, "USER": user, "PATH": "/usr/bin:/bin"}
    s = lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env, preexec_fn=preexec, cwd=home)
    assert s.greeting.startswith(b"* PREAUTH"), s.greeting
    s.cmd("SELECT INBOX")
    s.cmd("LOGOUT")
    s.close()

    with open(log) as f:
        lines = [l for l in f if "session end:" in l]
    assert len(lines) == 1, lines
    assert f"user={user} " in lines[0], lines[0]
    assert "host=local " in lines[0], lines[0]

    out = subprocess.run([lib.binary("imapstat"), "--json", log], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert '"sessions": 1' in out.stdout.replace("\n", " ") or '"sessions":1' in out.stdout, out.stdout
