"""Time from connection to greeting, and to a completed STARTTLS + LOGIN,
for this imapd under xinetd beside Dovecot's own daemon (imap-login plus
imap) on the same machine with the same passwd-file user. Prints the
figures; fails only if ours is absurdly slow."""
import os
import shutil
import socket
import subprocess
import time

import lib
from test_login_env import Client, Site, Xinetd, free_port, wait_listening

ROUNDS = 20


def greeting_time(port):
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    data = b""
    while b"\r\n" not in data:
        data += s.recv(4096)
    elapsed = time.monotonic() - start
    s.close()
    return elapsed


def login_time(port, user, password):
    start = time.monotonic()
    c = Client(port)
    c.starttls()
    _, tagged = c.cmd(f"LOGIN {user} {password}")
    assert b" OK " in tagged, tagged
    elapsed = time.monotonic() - start
    c.close()
    return elapsed


def median(xs):
    return sorted(xs)[len(xs) // 2] * 1000


def measure(port, user, password):
    g = [greeting_time(port) for _ in range(ROUNDS)]
    l = [login_time(port, user, password) for _ in range(ROUNDS)]
    return median(g), median(l)


def dovecot_daemon(site, port):
    if not os.path.exists("/usr/sbin/dovecot"):
        raise lib.Skip("dovecot is not installed")
    d = os.path.join(site.dir, "dovecot")
    os.makedirs(d)
    conf = os.path.join(d, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = yes
ssl_cert = <{site.cert}
ssl_key = <{site.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {site.passwd}
}}
userdb {{
  driver = passwd-file
  args = {site.passwd}
}}
first_valid_uid = 1000
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
    proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", conf],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc


def test_login_timing_xinetd_beside_dovecot():
    site = Site()
    with Xinetd(site) as x:
        ours = measure(x.port, "fred", "pw-fred")
    port = free_port()
    proc = dovecot_daemon(site, port)
    try:
        wait_listening(port, proc)
        theirs = measure(port, "fred", "pw-fred")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"    connect->greeting median: imapd/xinetd {ours[0]:.1f} ms, dovecot {theirs[0]:.1f} ms")
    print(f"    connect->STARTTLS+LOGIN OK median: imapd/xinetd {ours[1]:.1f} ms, "
          f"dovecot {theirs[1]:.1f} ms")
    assert ours[0] < 1000 and ours[1] < 5000
