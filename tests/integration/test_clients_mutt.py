"""mutt with its `tunnel` to imapd, driven through tmux (mutt has no batch
mode for reading and deleting): open INBOX, read a message, delete another,
sync and quit; then check the server and the Maildir on disk."""
import os
import subprocess
import time

import clients_util as cu

MUTTRC = """\
set tunnel="{tunnel}"
set folder="imap://{user}@localhost/"
set spoolfile="+INBOX"
set ssl_starttls=no
set ssl_force_tls=no
set sort=mailbox-order
set delete=yes
set quit=yes
set move=no
set mark_old=no
set wait_key=no
set confirmappend=no
set record=""
set header_cache=""
set message_cachedir=""
set imap_check_subscribed=no
set pager_index_lines=0
set pager_stop=yes
set help=no
"""


def message(n):
    return (b"From: Sender %d <sender%d@example.org>\n"
            b"To: reader@example.com\n"
            b"Subject: mutt test message %d\n"
            b"Message-ID: <mutt-%d@example.org>\n"
            b"Date: Wed, 2 Jun 2021 10:%02d:00 +0000\n"
            b"\n"
            b"Body line of message number %d: the quick brown fox.\n" % (n, n, n, n, n, n))


class Tmux:
    """A private tmux server (its own socket) running one program."""

    def __init__(self, workdir, argv, env):
        self.socket = os.path.join(workdir, "tmux.sock")
        self.env = env
        self.tmux(["new-session", "-d", "-s", "mutt", "-x", "160", "-y", "40", *argv])

    def tmux(self, args, check=True):
        return subprocess.run([cu.need("tmux"), "-S", self.socket, *args], env=self.env,
                              capture_output=True, timeout=10, check=check)

    def screen(self):
        proc = self.tmux(["capture-pane", "-p", "-t", "mutt"], check=False)
        return proc.stdout.decode(errors="replace")

    def keys(self, *keys):
        self.tmux(["send-keys", "-t", "mutt", *keys])

    def wait_for(self, text, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on mutt's screen after {timeout}s:\n{self.screen()}")

    def running(self):
        return self.tmux(["has-session", "-t", "mutt"], check=False).returncode == 0

    def wait_exit(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                return
            time.sleep(0.1)
        raise AssertionError(f"mutt still running after {timeout}s:\n{self.screen()}")

    def kill(self):
        self.tmux(["kill-server"], check=False)


def test_mutt_reads_deletes_and_syncs():
    cu.need("mutt")
    cu.need("tmux")
    server = cu.ImapdServer()
    for n in range(1, 6):
        with open(os.path.join(server.maildir, "new", "16226280%02d.M%dP1.test" % (n, n)),
                  "wb") as f:
            f.write(message(n))
    server.give_to_server()
    # the order the server numbers them in (mutt shows mailbox order)
    with server.imaplib() as c:
        cu.ok(c.select("INBOX", readonly=True))
        order = [cu.message_id(d[1]) for d in cu.ok(c.fetch(
            "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")) if isinstance(d, tuple)]
    assert len(order) == 5, order
    first = int(order[0].split("-")[1].split("@")[0])
    third = int(order[2].split("-")[1].split("@")[0])

    work = cu.client_dir("clients-mutt-")
    rc = os.path.join(work, "muttrc")
    with open(rc, "w") as f:
        f.write(MUTTRC.format(tunnel=server.tunnel, user=server.user))
    env = {"HOME": work, "PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8"}
    tmux = Tmux(work, ["mutt", "-n", "-F", rc], env)
    try:
        tmux.wait_for("mutt test message 5")
        # read the first message
        tmux.keys("1", "Enter")
        tmux.keys("Enter")
        screen = tmux.wait_for(f"Body line of message number {first}:")
        assert f"Subject: mutt test message {first}" in screen, screen
        tmux.keys("i")  # back to the index
        tmux.wait_for("mutt test message 5")
        # delete the third, sync the mailbox, quit
        tmux.keys("3", "Enter")
        tmux.keys("d")
        tmux.keys("$")
        # the sync expunged it on the server while mutt is still running
        deadline = time.monotonic() + 15
        while len(server.server_messages()) != 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(server.server_messages()) == 4, tmux.screen()
        tmux.keys("q")
        tmux.wait_exit()
    finally:
        tmux.kill()

    served = server.server_messages()
    assert f"<mutt-{third}@example.org>" not in served, served
    assert len(served) == 4, served
    assert "\\Seen" in served[f"<mutt-{first}@example.org>"][1], served
    unread = [m for m, (_, flags) in served.items() if m != f"<mutt-{first}@example.org>"]
    for mid in unread:
        assert "\\Seen" not in served[mid][1], (mid, served[mid])
    on_disk = cu.maildir_messages(server.maildir)
    assert set(on_disk) == set(served), (sorted(on_disk), sorted(served))
    assert on_disk[f"<mutt-{first}@example.org>"][1] == {"\\Seen"}
    server.assert_quiet()
