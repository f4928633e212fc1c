"""Hostile input before login: more than 100 cases sent to a root-started
imapd on a socket, as inetd starts it. Each case must get a tagged BAD or
NO, or a BYE (or, for valid commands, their normal answers), end without a
crash (no signal, no sanitizer report), stay within a memory bound, leave
every file of the site as it was, and not disturb a logged-in session
running beside it."""
import base64
import os
import re
import select
import socket
import subprocess
import time

import lib
from test_login_env import Site

MAX_RSS_KB = 64 * 1024  # a session's memory bound for any of these inputs
CASE_SECONDS = 20


def cases():
    """(name, chunks to send, expect) where expect is 'reject' (some BAD, NO
    or BYE line), 'ok' (a tagged OK for every command) or 'any' (only the
    process-level checks)."""
    c = []
    add = lambda name, data, expect="reject": c.append((name, data if isinstance(data, list) else [data], expect))

    # Oversized and unterminated lines.
    for n in (8 * 1024, 65 * 1024, 1024 * 1024, 8 * 1024 * 1024):
        add(f"long line {n}", b"a LOGIN " + b"x" * n + b"\r\n")
        add(f"long line {n} no CRLF then EOF", b"a LOGIN " + b"x" * n, "any")
    add("long tag", b"t" * 100000 + b" NOOP\r\n")
    add("many spaces", b"a" + b" " * 70000 + b"NOOP\r\n")
    add("unterminated line then EOF", b"a CAPABILITY", "any")
    add("empty lines", b"\r\n" * 50)
    add("lone LF lines", b"a NOOP\nb NOOP\n", "any")
    add("lone CR", b"a NOOP\rb NOOP\r\n")

    # Literals.
    for size in (b"999999999", b"2147483648", b"4294967296", b"9223372036854775807",
                 b"18446744073709551616", b"99999999999999999999999", b"-1", b"", b"abc", b"1 2",
                 b"0x10", b"+", b"999999999+", b"4294967296+"):
        add(b"literal {%s}" % size, b"a LOGIN {" + size + b"}\r\n")
    add("literal shorter than said, then EOF", b"a LOGIN {10}\r\nabc", "any")
    add("LITERAL+ shorter than said, then EOF", b"a LOGIN {10+}\r\nabc", "any")
    add("literal zero", b"a LOGIN {0}\r\n {0}\r\n\r\n")
    add("literal in the tag", b"{5}\r\nhello\r\n")
    add("literal as the command", b"a {4}\r\nNOOP\r\n")
    add("100 literals in one command", b"a LOGIN " + b"{1+}\r\nx " * 100 + b"\r\n")
    add("APPEND before login with a big literal", b"a APPEND INBOX {50000000}\r\n")
    add("APPEND before login with LITERAL+", b"a APPEND INBOX {5+}\r\nhello\r\n")

    # NUL, 8-bit, control bytes.
    add("NUL in the tag", b"a\x00b NOOP\r\n")
    add("NUL in the command", b"a NO\x00OP\r\n")
    add("NUL in LOGIN", b"a LOGIN fred\x00 pw-fred\r\n")
    add("NUL in a quoted string", b'a LOGIN "fred\x00bob" "x"\r\n')
    add("NUL in a literal user", b"a LOGIN {5+}\r\nfr\x00ed x\r\n")
    add("8-bit command", b"a \xff\xfe\xfd\r\n")
    add("8-bit tag", b"\xc3\xa9 NOOP\r\n", "any")
    add("invalid UTF-8 user", b'a LOGIN "\xc0\xaf\xc0\xaf" "x"\r\n')
    add("control bytes", bytes(range(1, 32)).replace(b"\r", b"").replace(b"\n", b"") + b"\r\n")
    add("DEL bytes", b"a LOGIN \x7f\x7f \x7f\r\n")
    add("escape sequences", b"a LOGIN \x1b[2J \x1b]0;x\x07\r\n")

    # Quoting.
    add("unterminated quote", b'a LOGIN "fred pw\r\n')
    add("bad escape in quote", b'a LOGIN "fr\\ed" "x"\r\n')
    add("backslash at end of quote", b'a LOGIN "fred\\" x\r\n')
    add("quote in atom", b'a LOGIN fr"ed x\r\n')
    add("parenthesis user", b"a LOGIN (fred) x\r\n")
    add("missing password", b"a LOGIN fred\r\n")
    add("extra arguments", b"a LOGIN fred x y z\r\n")

    # Deep nesting and big lists.
    add("nesting 1000 in LOGIN", b"a LOGIN " + b"(" * 1000 + b")" * 1000 + b" x\r\n")
    add("nesting 30000 in ID", b"a ID " + b"(" * 30000 + b")" * 30000 + b"\r\n")
    add("unbalanced open parens", b"a ID " + b"(" * 5000 + b"\r\n")
    add("unbalanced close parens", b"a ID " + b")" * 5000 + b"\r\n")
    add("ID with 1000 pairs", b"a ID (" + b" ".join(b'"k%d" "v"' % i for i in range(1000)) + b")\r\n")
    add("ID with a 60000-byte value", b'a ID ("name" "' + b"v" * 60000 + b'")\r\n')
    add("ID odd list", b'a ID ("name")\r\n')
    add("ID NIL values", b"a ID (NIL NIL)\r\n")
    add("SEARCH nested before login", b"a SEARCH " + b"(" * 2000 + b"ALL" + b")" * 2000 + b"\r\n")

    # Sequence sets (before login: refused, and fast).
    add("FETCH 1:4294967295 before login", b"a FETCH 1:4294967295 FLAGS\r\n")
    add("UID FETCH huge set", b"a UID FETCH " + b",".join(b"%d" % i for i in range(1, 8000)) + b" FLAGS\r\n")
    add("sequence overflow", b"a FETCH 1:99999999999999999999 FLAGS\r\n")
    add("sequence zero", b"a FETCH 0 FLAGS\r\n")
    add("sequence garbage", b"a FETCH 1:*:* FLAGS\r\n")
    add("STORE before login", b"a STORE 1 +FLAGS (\\Deleted)\r\n")
    add("EXPUNGE before login", b"a EXPUNGE\r\n")

    # Commands in the wrong state.
    for cmd in (b"SELECT INBOX", b"EXAMINE INBOX", b"CREATE ../x", b"DELETE INBOX", b"RENAME INBOX x",
                b"SUBSCRIBE INBOX", b"LIST \"\" *", b"LSUB \"\" *", b"STATUS INBOX (MESSAGES)",
                b"CHECK", b"CLOSE", b"UNSELECT", b"IDLE", b"NAMESPACE", b"GETQUOTAROOT INBOX",
                b"ENABLE CONDSTORE", b"COMPRESS DEFLATE", b"COPY 1 x", b"MOVE 1 x", b"UID EXPUNGE 1",
                b"SORT (DATE) UTF-8 ALL", b"THREAD REFERENCES UTF-8 ALL"):
        add(b"before login: " + cmd, b"a " + cmd + b"\r\n")
    add("unknown command", b"a FROBNICATE\r\n")
    add("command without tag", b"NOOP\r\n")
    add("tag only", b"a\r\n")
    add("star tag", b"* NOOP\r\n")
    add("plus tag", b"+ NOOP\r\n")
    add("STARTTLS with an argument", b"a STARTTLS now\r\n")

    # TLS garbage.
    hello = bytes.fromhex("160301002e0100002a0303") + b"\x00" * 32 + b"\x00\x00\x02\x00\x2f\x01\x00"
    add("TLS ClientHello on the plain port", hello, "any")
    add("STARTTLS then garbage", [b"a STARTTLS\r\n", b"\x16\x03\x01\x00\x05garbage" * 10], "any")
    add("STARTTLS then plain command", [b"a STARTTLS\r\n", b"b NOOP\r\n"], "any")
    add("STARTTLS then a bogus record length", [b"a STARTTLS\r\n", b"\x16\x03\x01\xff\xff" + b"x" * 100], "any")
    add("STARTTLS twice pipelined", b"a STARTTLS\r\nb STARTTLS\r\n", "any")

    # AUTHENTICATE.
    for resp in (b"!!!!", b"====", b"Zm9v=YmFy", b"Zm9", b"*", b"=", b"AGZyZWQ", b"\x00\x01",
                 base64.b64encode(b"fred\x00fred\x00wrong"), base64.b64encode(b"\x00\x00"),
                 base64.b64encode(b"a" * 5000 + b"\x00fred\x00x"), b"A" * 100000):
        add(b"AUTHENTICATE PLAIN response " + resp[:20], [b"a AUTHENTICATE PLAIN\r\n", resp + b"\r\n"])
    add("AUTHENTICATE PLAIN initial response junk", b"a AUTHENTICATE PLAIN ***\r\n")
    add("AUTHENTICATE unknown mechanism", b"a AUTHENTICATE X-EVIL\r\n")
    add("AUTHENTICATE LOGIN bad base64", [b"a AUTHENTICATE LOGIN\r\n", b"@@@\r\n"])
    add("AUTHENTICATE without mechanism", b"a AUTHENTICATE\r\n")
    add("AUTHENTICATE then EOF", b"a AUTHENTICATE PLAIN\r\n", "any")

    # LOGIN with names that are paths or other users.
    for user in (b"../root", b"~root", b"/etc/passwd", b"fred/../bob", b"../../../../etc/shadow",
                 b"%2e%2e%2froot", b"bob", b"root", b"fred\\\\bob", b"*", b"%", b"fred@evil/../bob",
                 b"#mh/fred", b"~fred/../bob", b".", b".."):
        quoted = b'"' + user + b'"'
        add(b"LOGIN as " + user, b"a LOGIN " + quoted + b' "pw-fred"\r\n')
    add("LOGIN with a 10000-byte password", b'a LOGIN fred "' + b"p" * 10000 + b'"\r\n')

    # Volume.
    add("10,000 NOOPs in one packet", b"".join(b"n%d NOOP\r\n" % i for i in range(10000)), "ok")
    add("10,000 CAPABILITY in one packet", b"".join(b"c%d CAPABILITY\r\n" % i for i in range(10000)), "ok")
    add("10,000 garbage lines", b"x\r\n" * 10000)
    add("2,000 failed LOGINs pipelined", b"".join(b'l%d LOGIN fred "wrong"\r\n' % i for i in range(2000)))
    return c


def run_case(site, data_chunks):
    """Runs one root-started imapd on a socket (as inetd does), sends the
    chunks, then half-closes, and returns (lines, exit status, maxrss kB)."""
    ours, theirs = socket.socketpair()
    imapd = lib.binary("imapd")
    env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"}
    # /usr/bin/time measures imapd's peak RSS: a child's own maxrss would
    # start from this Python process's size (Linux keeps it across exec).
    rss_file = os.path.join(site.dir, "maxrss")
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, imapd, "-c", site.conf],
                            stdin=theirs, stdout=theirs, stderr=subprocess.PIPE, env=env)
    theirs.close()
    ours.setblocking(False)
    received = bytearray()
    deadline = time.monotonic() + CASE_SECONDS
    pending = b"".join(data_chunks[:1])
    rest = list(data_chunks[1:])
    sent_all = False
    while time.monotonic() < deadline:
        want_write = bool(pending) or (rest and b"\r\n" in received)
        r, w, _ = select.select([ours], [ours] if want_write else [], [], 0.2)
        if r:
            try:
                chunk = ours.recv(1 << 16)
            except (ConnectionResetError, BlockingIOError):
                chunk = b""
            if not chunk:
                break
            received += chunk
        if w:
            if not pending and rest:
                pending = rest.pop(0)
            try:
                n = ours.send(pending[:1 << 16])
                pending = pending[n:]
            except (BrokenPipeError, ConnectionResetError):
                pending, rest = b"", []
        if not pending and not rest and not sent_all:
            sent_all = True
            time.sleep(0.1)  # let it answer before the half-close (EOF)
            try:
                ours.shutdown(socket.SHUT_WR)
            except OSError:
                pass
    ours.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"imapd did not end; got {bytes(received[-300:])!r}")
    stderr = proc.stderr.read()
    # time's own exit status is imapd's; a signal shows as "Command terminated by signal N".
    status = proc.returncode
    m = re.search(rb"terminated by signal (\d+)", stderr)
    if m:
        status = -int(m.group(1))
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
    os.unlink(rss_file)
    return bytes(received).split(b"\r\n"), status, rss, stderr


def hostile_site():
    """Site's users and certificate, with plaintext LOGIN allowed (the
    cases run without TLS) and a short login_timeout."""
    site = Site(extra_conf="login_timeout = 5s\n")
    with open(site.conf) as f:
        text = f.read()
    with open(site.conf, "w") as f:
        f.write(text.replace("plaintext_auth = no", "plaintext_auth = yes"))
    return site


def snapshot(root, skip):
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(d, name)
            if path in skip:
                continue
            st = os.lstat(path)
            out[path] = (st.st_mode, st.st_uid, st.st_size, st.st_mtime_ns)
    return out


def test_hostile_input_before_login():
    site = hostile_site()
    for user in ("fred", "bob"):
        os.makedirs(os.path.join(site.home(user), "Maildir", "cur"))
        uid, gid = site.users[user]
        lib.chown_tree(site.home(user), uid, gid)
    before = snapshot(site.dir, {site.log})
    failures = []
    worst_rss = 0
    all_cases = cases()
    assert len(all_cases) >= 100, len(all_cases)
    for name, chunks, expect in all_cases:
        name = name if isinstance(name, str) else name.decode(errors="replace")
        start = time.monotonic()
        try:
            lines, status, rss, stderr = run_case(site, chunks)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
            continue
        worst_rss = max(worst_rss, rss)
        if os.environ.get("HOSTILE_VERBOSE"):
            print(f"  {name}: {time.monotonic() - start:.2f} s, RSS {rss} kB")
        text = [l for l in lines if l]
        problems = []
        if status is None or status < 0:
            problems.append(f"killed by signal {-status}")
        if b"Sanitizer" in stderr or b"runtime error" in stderr:
            problems.append(stderr.decode(errors="replace")[:300])
        if rss > MAX_RSS_KB:
            problems.append(f"max RSS {rss} kB")
        if not text or not text[0].startswith(b"* OK"):
            problems.append(f"no greeting: {[l[:200] for l in text[:1]]!r}")
        rejected = any(re.match(rb"\S+ (BAD|NO|BYE)\b", l) for l in text[1:])
        if expect == "reject" and not rejected:
            problems.append(f"no BAD/NO/BYE: {[l[:200] for l in text[-3:]]!r}")
        if expect == "ok":
            tagged_ok = sum(1 for l in text if l[:1] in (b"n", b"c") and b" OK " in l)
            if tagged_ok != 10000:
                problems.append(f"{tagged_ok} tagged OK of 10000; last {[l[:200] for l in text[-2:]]!r}")
        if any(l.startswith(b"+ ") for l in text) and name.startswith("literal {") and "+" not in name:
            problems.append("asked for a literal it should refuse")
        if problems:
            failures.append(f"{name}: " + "; ".join(problems))
    after = snapshot(site.dir, {site.log})
    changed = sorted(set(before.items()) ^ set(after.items()))
    print(f"  hostile input: {len(all_cases)} cases, worst max RSS {worst_rss} kB")
    assert not changed, changed[:10]
    assert not failures, "\n".join(failures)


def test_hostile_input_leaves_other_sessions_alone():
    """A logged-in session keeps working while the worst cases run beside it."""
    site = hostile_site()
    os.makedirs(os.path.join(site.home("fred"), "Maildir", "cur"))
    lib.chown_tree(site.home("fred"), *site.users["fred"])
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen([lib.binary("imapd"), "-c", site.conf], stdin=theirs, stdout=theirs,
                            env={"PATH": "/usr/bin:/bin"})
    theirs.close()
    f = ours.makefile("rwb")
    assert f.readline().startswith(b"* OK")

    def cmd(tag, text):
        f.write(tag + b" " + text + b"\r\n")
        f.flush()
        while True:
            line = f.readline()
            assert line, "session closed"
            if line.startswith(tag + b" "):
                return line

    assert b"OK" in cmd(b"a", b'LOGIN fred "pw-fred"')
    assert b"OK" in cmd(b"b", b"SELECT INBOX")
    worst = [cs for cs in cases() if cs[0] in ("long line 8388608", "nesting 30000 in ID",
                                                "10,000 NOOPs in one packet")]
    for _, chunks, _ in worst:
        run_case(site, chunks)
        assert b"OK" in cmd(b"c", b"NOOP")
    assert b"OK" in cmd(b"d", b"LOGOUT")
    proc.wait(10)
