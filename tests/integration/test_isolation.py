"""Cross-user isolation through a real login: fred logs in (passwd-file,
privileges dropped) and names, through every command that takes a mailbox
name, mailboxes of bob and world-readable mailboxes outside his mail area:
paths with .., ~user, absolute paths, % and * patterns, #driver prefixes,
modified UTF-7 spellings, and symlinks placed in his own tree that point
out of it. No answer may carry another mailbox's text or counts, and no
file outside fred's home may be created, changed or removed."""
import hashlib
import os
import re
import socket
import subprocess

import lib
from test_login_env import Site

SECRET = b"SECRET-OUTSIDE-FRED"


def message(text):
    return (b"From: x@example.com\r\nSubject: " + text + b"\r\n\r\n" + text + b" body\r\n")


def write_outside(root):
    """World-readable mailboxes of every format outside fred's mail area."""
    os.makedirs(root)
    os.chmod(root, 0o755)
    md = os.path.join(root, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    with open(os.path.join(md, "cur", "1.host:2,S"), "wb") as f:
        f.write(message(SECRET + b" maildir"))
    with open(os.path.join(root, "secret.mbox"), "wb") as f:
        f.write(b"From x@example.com Mon Dec  1 10:00:00 2025\n" +
                message(SECRET + b" unix").replace(b"\r\n", b"\n") + b"\n")
    for d, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(d, name), 0o755)
        for name in files:
            os.chmod(os.path.join(d, name), 0o644)


def snapshot(paths):
    out = {}
    for root in paths:
        for d, dirs, files in os.walk(root):
            for name in dirs + files:
                p = os.path.join(d, name)
                st = os.lstat(p)
                digest = ""
                if os.path.isfile(p) and not os.path.islink(p):
                    with open(p, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                out[p] = (st.st_mode, st.st_uid, st.st_size, digest)
    return out


class Session:
    """A root-started imapd on a socket, logged in as a user."""

    def __init__(self, site, user):
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen([lib.binary("imapd"), "-c", site.conf], stdin=theirs, stdout=theirs,
                                     env={"PATH": "/usr/bin:/bin"})
        theirs.close()
        self.sock = ours
        self.sock.settimeout(20)
        self.f = ours.makefile("rwb")
        assert self.f.readline().startswith(b"* OK")
        self.n = 0
        assert b" OK" in self.cmd(f'LOGIN {user} "pw-{user}"')[-1]

    def cmd(self, text, literal=None):
        self.n += 1
        tag = b"t%d" % self.n
        data = tag + b" " + (text.encode() if isinstance(text, str) else text)
        if literal is not None:
            self.f.write(data + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        else:
            self.f.write(data + b"\r\n")
        self.f.flush()
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError(f"session ended after {text!r}: {lines[-3:]!r}")
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def close(self):
        try:
            self.cmd("LOGOUT")
        except Exception:
            pass
        self.sock.close()
        self.proc.wait(10)


def hostile_names(site, outside):
    bob = site.home("bob")
    names = [
        "../bob", "../bob/Maildir", "../../home/bob/Maildir", "~bob", "~bob/INBOX", "~bob/Maildir",
        "~/../bob", bob, bob + "/Maildir", bob + "/INBOX", outside, outside + "/Maildir",
        outside + "/secret.mbox", "/etc/passwd", "/etc", "..", "../..", "../../../../etc/passwd",
        "INBOX/../../bob", "x/../../../bob", "#mh/" + outside, "#driver.unix/" + outside + "/secret.mbox",
        "#driver.maildir/" + outside + "/Maildir", "#news.comp", "#ftp/x", "#public/x",
        "&AC4ALg-/bob", "&AC4ALgAv-bob", "INBOX&AC8ALgAuAC8-bob", ".../bob", "./../bob",
        "%", "*", "../%", "~bob/%", "/%", "/*",
        "link-out", "link-out/Maildir", "link-file", "link-bob", ".link-out", "dir-link/secret.mbox",
    ]
    return names


def setup_links(site, fred_root, outside):
    """Symlinks in fred's own tree that point out of it."""
    os.makedirs(fred_root, exist_ok=True)
    pairs = [("link-out", outside), ("link-file", os.path.join(outside, "secret.mbox")),
             ("link-bob", site.home("bob")), (".link-out", os.path.join(outside, "Maildir")),
             ("dir-link", outside)]
    for name, target in pairs:
        path = os.path.join(fred_root, name)
        if not os.path.lexists(path):
            os.symlink(target, path)
    uid, gid = site.users["fred"]
    lib.chown_tree(site.home("fred"), uid, gid)


def run_site(location, fred_root):
    site = Site()
    with open(site.conf) as f:
        conf = f.read()
    with open(site.conf, "w") as f:
        f.write(conf.replace("plaintext_auth = no", "plaintext_auth = yes")
                .replace("mail_location = maildir:%h/Maildir", "mail_location = " + location))
    outside = os.path.join(site.dir, "outside")
    write_outside(outside)
    for user in ("fred", "bob"):
        uid, gid = site.users[user]
        os.makedirs(os.path.join(site.home(user), "mail"), exist_ok=True)
        lib.chown_tree(site.home(user), uid, gid)
    # bob has mail with the secret too
    bob = Session(site, "bob")
    assert b" OK" in bob.cmd("APPEND INBOX", message(SECRET + b" bob"))[-1]
    bob.close()
    setup_links(site, fred_root(site), outside)

    protected = [outside, site.home("bob")]
    before = snapshot(protected)
    s = Session(site, "fred")
    leaks = []
    try:
        assert b" OK" in s.cmd("APPEND INBOX", message(b"fred's own"))[-1]
        for name in hostile_names(site, outside):
            q = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            commands = [f"STATUS {q} (MESSAGES UIDNEXT)", f"EXAMINE {q}", "FETCH 1:* (BODY.PEEK[] ENVELOPE)",
                        f"SELECT {q}", "FETCH 1:* (BODY.PEEK[])", "STORE 1:* +FLAGS (\\Deleted)", "EXPUNGE",
                        "SELECT INBOX", f"COPY 1 {q}", f"MOVE 1 {q}", "CLOSE",
                        f"CREATE {q}", f'CREATE "{name}/sub"', f"DELETE {q}", f"RENAME {q} stolen",
                        f"RENAME INBOX {q}", f"SUBSCRIBE {q}", 'LSUB "" *', f'LIST "" {q}', f'LIST {q} "*"',
                        f'LIST "" "{name}*"', f"GETQUOTAROOT {q}", f"UNSUBSCRIBE {q}",
                        ("APPEND " + q, message(b"planted by fred"))]
            for command in commands:
                literal = None
                if isinstance(command, tuple):
                    command, literal = command
                lines = s.cmd(command, literal)
                text = b"".join(lines)
                if SECRET in text:
                    leaks.append((name, command, [l[:200] for l in lines if SECRET in l]))
                # another mailbox's counts: fred's own mailboxes hold at most 2
                for m in re.finditer(rb"\* STATUS .*\(MESSAGES (\d+)", text):
                    if int(m.group(1)) > 2:
                        leaks.append((name, command, text[:300]))
    finally:
        s.close()
    after = snapshot(protected)
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not leaks, leaks[:10]
    assert not changed, changed[:10]


def test_isolation_maildir_login():
    if os.geteuid() != 0:
        raise lib.Skip("needs root: a real login drops privileges")
    run_site("maildir:%h/Maildir", lambda site: os.path.join(site.home("fred"), "Maildir"))


def test_isolation_mbx_login():
    if os.geteuid() != 0:
        raise lib.Skip("needs root: a real login drops privileges")
    run_site("mbx:%h/mail:INBOX=%h/INBOX", lambda site: os.path.join(site.home("fred"), "mail"))


def test_isolation_unix_login():
    if os.geteuid() != 0:
        raise lib.Skip("needs root: a real login drops privileges")
    run_site("unix:%h/mail:INBOX=%h/INBOX", lambda site: os.path.join(site.home("fred"), "mail"))
