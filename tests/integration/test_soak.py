"""Soak: a client sends random commands to one imapd session per format
(maildir, mbx, unix) for a while: today's extensions (CONDSTORE/QRESYNC,
SORT/THREAD/ESEARCH/SEARCHRES/WITHIN, LIST-EXTENDED/LIST-STATUS/SPECIAL-USE,
STATUS=SIZE, QUOTA, BINARY, UTF8=ACCEPT, IMAP4rev2) and the old commands,
valid ones, mutated ones, truncated ones, junk, deep nesting, overlong lines
and literals near the limits. Every command must get its tagged answer in
time, imapd must never say BYE or die, and LOGOUT must end it cleanly.

Fixed seed; SOAK_SECONDS (default 20) per format, SOAK_SEED to vary it:
    SOAK_SECONDS=600 SOAK_SEED=7 python3 tests/integration/run.py test_soak
"""
import os
import random
import select
import subprocess
import time

import lib

FORMATS = {
    "maildir": {"MAIL": "maildir:~/Maildir"},
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}
ANSWER_TIMEOUT = 120  # seconds for one command, on a loaded machine
MAX_LITERAL = 64 * 1024  # ParserLimits::max_literal
MAX_BAD_IN_A_ROW = 10  # SessionOptions::max_bad_commands


class Literal:
    """A literal inside a command: its bytes, and how it is announced."""

    def __init__(self, data, sync=False, binary=False):
        self.data, self.sync, self.binary = data, sync, binary

    def head(self):
        return b"%s{%d%s}\r\n" % (b"~" if self.binary else b"", len(self.data), b"" if self.sync else b"+")


class Client:
    """Raw pipes with a deadline on every read (a hang is a failure, not a
    stuck test run)."""

    def __init__(self, home, env):
        argv = [lib.binary("imapd")]
        full_env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}
        full_env.update(env)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env,
                                     preexec_fn=lib.imapd_preexec(home), cwd=home)
        self.out = self.proc.stdout.fileno()
        self.buf = b""
        self.greeting = self.line(time.time() + ANSWER_TIMEOUT)

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _fill(self, deadline):
        left = deadline - time.time()
        if left <= 0 or not select.select([self.out], [], [], left)[0]:
            raise TimeoutError("no answer in %d s" % ANSWER_TIMEOUT)
        chunk = os.read(self.out, 1 << 20)
        if not chunk:
            raise EOFError("imapd closed the connection (exit %r)" % self.proc.poll())
        self.buf += chunk

    def line(self, deadline):
        """One response line, with its literals inline."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill(deadline)
            at = self.buf.index(b"\r\n") + 2
            part, self.buf = self.buf[:at], self.buf[at:]
            out += part
            if not part.endswith(b"}\r\n") or b"{" not in part:
                return out
            n = int(part[part.rindex(b"{") + 1:-3])
            while len(self.buf) < n:
                self._fill(deadline)
            out += self.buf[:n]
            self.buf = self.buf[n:]

    def command(self, tag, pieces):
        """Sends one command (bytes and Literals) and reads up to its tagged
        answer. IDLE is ended with DONE at its continuation. Returns
        (untagged, tagged)."""
        deadline = time.time() + ANSWER_TIMEOUT
        untagged = []
        data = tag + b" "
        idle = False
        for p in pieces:
            if isinstance(p, Literal):
                data += p.head()
                if p.sync:
                    self.send(data)
                    data = b""
                    while True:  # "+ " to go on, or the tagged refusal
                        l = self.line(deadline)
                        if l.startswith(b"+"):
                            break
                        if l.startswith(tag + b" "):
                            return untagged, l
                        untagged.append(l)
                data += p.data
            else:
                data += p
                idle = idle or p.upper() == b"IDLE"
        self.send(data + b"\r\n")
        while True:
            l = self.line(deadline)
            if l.startswith(tag + b" "):
                return untagged, l
            if idle and l.startswith(b"+"):
                self.send(b"DONE\r\n")
                continue
            untagged.append(l)


# ---- what the client sends ----

SUBJECTS = ["hello", "Re: hello", "Fwd: hello", "[list] Re: Fwd: plans", "plans (fwd)", "",
            "=?UTF-8?B?w6l0w6k=?=", "Re: =?UTF-8?Q?caf=C3=A9?=", "[Fwd: [Fwd: nested]]", "\u00e9t\u00e9 utf8"]


def message(rng, n, big=False):
    """A random message: threads by References, multipart bodies with
    base64/QP/8-bit/NUL parts, missing and bad header fields."""
    h = []
    if rng.random() < 0.9:
        h.append("From: %s <u%d@example.org>" % (rng.choice(["A", "\"B, C\"", "=?UTF-8?Q?D=C3=A9?=", ""]),
                                                  rng.randrange(5)))
    if rng.random() < 0.8:
        h.append("To: %s" % rng.choice(["x@example.org", "group: a@b, c@d;", "undisclosed-recipients:;"]))
    h.append("Subject: " + rng.choice(SUBJECTS))
    if rng.random() < 0.8:
        h.append("Date: " + rng.choice(["Mon, 1 Jan 2024 10:00:00 +0000", "Sun, 31 Dec 2023 23:59:59 -1200",
                                        "not a date", "Tue, 2 Jan 2024 10:00:%02d +0100" % rng.randrange(60)]))
    h.append("Message-ID: <m%d@soak>" % rng.randrange(n + 5))
    if rng.random() < 0.6:
        h.append("References: " + " ".join("<m%d@soak>" % rng.randrange(n + 5) for _ in range(rng.randrange(1, 4))))
    body = b""
    if rng.random() < 0.5:
        h += ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b"]
        body = (b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
                b"\r\n\r\ncaf=C3=A9 =3D\r\n--b\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: " + rng.choice([b"base64", b"x-unknown", b"binary", b"8bit"]) +
                b"\r\n\r\nAAECAwQFBgcICQ==\r\n" + (b"raw\x00nul\r\n" if rng.random() < 0.3 else b"") +
                b"--b--\r\n")
    else:
        body = rng.choice([b"plain body\r\n", "\u00e9t\u00e9 8-bit\r\n".encode(), b"a\x00b\r\n", b""])
    if big:
        body += (b"filler line for a big message, %d\r\n" % rng.randrange(1000)) * rng.randrange(20000, 80000)
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def seqset(rng):
    return rng.choice(["1", "*", "1:*", "2,4:6", "$", "1:3", str(rng.randrange(1, 60)), "%d:*" % rng.randrange(1, 30),
                       "0", "4294967296", "1:4294967295", "3:1", "1,,2", "*:*"])


def mailbox(rng):
    return rng.choice(["INBOX", "soak1", "soak2", "soak1/sub", "\"soak 3\"", "Sent", "nonexistent",
                       "\"&AOk-t&AOk-\"", "\"\u00e9t\u00e9\"", "\"\"", "..", "\"a/../b\""])


FETCH_ITEMS = ["FLAGS", "UID", "ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "INTERNALDATE", "MODSEQ",
               "BODY.PEEK[]", "BODY.PEEK[HEADER.FIELDS (Subject From)]", "BODY.PEEK[1.MIME]", "BODY[TEXT]<0.10>",
               "BINARY.PEEK[1]", "BINARY.PEEK[2]<3.5>", "BINARY.SIZE[1]", "BINARY[]", "BINARY.PEEK[1.TEXT]",
               "EMAILID", "THREADID", "SAVEDATE", "RFC822.HEADER", "FAST", "ALL", "FULL", "BODY.PEEK[9.9.9]"]
SEARCH_KEYS = ["ALL", "SEEN", "UNSEEN", "FLAGGED", "DELETED", "SUBJECT hello", "FROM u1", "TEXT caf\u00e9",
               "BODY nul", "LARGER 100", "SMALLER 50", "SINCE 1-Jan-2024", "BEFORE 1-Jan-2100", "OLDER 1",
               "YOUNGER 3600", "MODSEQ 1", "MODSEQ \"/flags/\\\\Seen\" all 3", "$", "UID 1:*", "NOT $",
               "OR SEEN FLAGGED", "HEADER Message-ID soak", "KEYWORD $Junk", "NEW", "RECENT", "1:3",
               "SENTON 1-Jan-2024", "OR (SEEN) (OR DELETED $)"]
SORT_KEYS = ["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO", "REVERSE DATE",
             "REVERSE SUBJECT", "FOO", "REVERSE"]
STATUS_ITEMS = ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "HIGHESTMODSEQ", "DELETED",
                "APPENDLIMIT", "BOGUS"]
RETURN_OPTS = ["MIN", "MAX", "COUNT", "ALL", "SAVE", "FOO"]


def some(rng, items, most=4):
    return " ".join(rng.sample(items, rng.randrange(1, min(most, len(items)) + 1)))


def search_program(rng):
    p = some(rng, SEARCH_KEYS, 3)
    if rng.random() < 0.3:
        p = "CHARSET " + rng.choice(["UTF-8", "US-ASCII", "KOI8-QQ"]) + " " + p
    return p


def valid_command(rng, n):
    """One command line (pieces) of a kind a real client sends."""
    r = rng.random
    u = "UID " if r() < 0.4 else ""
    kinds = [
        lambda: "NOOP", lambda: "CHECK", lambda: "CAPABILITY", lambda: "NAMESPACE", lambda: "ID NIL",
        lambda: "ID (\"name\" \"soak\")",
        lambda: "ENABLE " + some(rng, ["CONDSTORE", "QRESYNC", "IMAP4rev2", "UTF8=ACCEPT", "FOO"], 2),
        lambda: rng.choice(["SELECT", "EXAMINE"]) + " " + mailbox(rng) + rng.choice(
            ["", " (CONDSTORE)", " (QRESYNC (%d %d))" % (rng.randrange(1, 2**32), rng.randrange(1, 99)),
             " (QRESYNC (1 1 1:5 (1:3 1:3)))"]),
        lambda: "SELECT INBOX", lambda: "SELECT INBOX", lambda: "UNSELECT", lambda: "CLOSE",
        lambda: u + "FETCH %s (%s)" % (seqset(rng), some(rng, FETCH_ITEMS)) + rng.choice(
            ["", "", " (CHANGEDSINCE 1)", " (CHANGEDSINCE 1 VANISHED)"]),
        lambda: u + "FETCH %s %s" % (seqset(rng), rng.choice(FETCH_ITEMS)),
        lambda: u + "STORE %s %s%sFLAGS%s (%s)" % (
            seqset(rng), rng.choice(["", "(UNCHANGEDSINCE %d) " % rng.randrange(0, 50)]), rng.choice(["+", "-", ""]),
            rng.choice(["", ".SILENT"]), some(rng, ["\\Seen", "\\Flagged", "\\Deleted", "\\Answered", "$Junk",
                                                     "kw%d" % rng.randrange(100)], 3)),
        lambda: u + "SEARCH " + rng.choice(["", "RETURN (%s) " % some(rng, RETURN_OPTS, 3), "RETURN () "]) +
        search_program(rng),
        lambda: u + "SORT " + rng.choice(["", "RETURN (%s) " % some(rng, RETURN_OPTS, 3)]) +
        "(%s) UTF-8 %s" % (some(rng, SORT_KEYS, 3), some(rng, SEARCH_KEYS, 2)),
        lambda: u + "THREAD %s %s %s" % (rng.choice(["REFERENCES", "ORDEREDSUBJECT", "FOO"]),
                                         rng.choice(["UTF-8", "US-ASCII"]), some(rng, SEARCH_KEYS, 2)),
        lambda: "LIST \"\" " + rng.choice(["*", "%", "soak*", "INBOX", "\"\""]),
        lambda: "LIST %s\"\" (%s)%s" % (
            rng.choice(["", "(SUBSCRIBED) ", "(SPECIAL-USE) ", "(SUBSCRIBED RECURSIVEMATCH) ", "(RECURSIVEMATCH) ",
                        "(REMOTE) "]),
            some(rng, ["*", "%", "soak%", "INBOX", "soak1/*"], 2),
            rng.choice(["", " RETURN (CHILDREN)", " RETURN (SPECIAL-USE SUBSCRIBED)",
                        " RETURN (STATUS (%s))" % some(rng, STATUS_ITEMS, 3), " RETURN (STATUS ())"])),
        lambda: "LSUB \"\" *",
        lambda: "STATUS %s (%s)" % (mailbox(rng), some(rng, STATUS_ITEMS)),
        lambda: "CREATE %s%s" % (mailbox(rng), rng.choice(["", " (USE (\\Sent))", " (USE (\\Archive \\Junk))",
                                                          " (USE (\\Bogus))", " (FOO)"])),
        lambda: "DELETE " + mailbox(rng), lambda: "RENAME %s %s" % (mailbox(rng), mailbox(rng)),
        lambda: rng.choice(["SUBSCRIBE ", "UNSUBSCRIBE "]) + mailbox(rng),
        lambda: u + rng.choice(["COPY", "MOVE"]) + " %s %s" % (seqset(rng), mailbox(rng)),
        lambda: "EXPUNGE", lambda: "UID EXPUNGE " + seqset(rng),
        lambda: rng.choice(["GETQUOTAROOT INBOX", "GETQUOTA \"\"", "GETQUOTAROOT soak1",
                            "SETQUOTA \"\" (STORAGE 10)", "GETQUOTA nothing"]),
        lambda: "IDLE",
        lambda: "LOGIN a b",
    ]
    return [rng.choice(kinds)().encode()]


def append_command(rng, n):
    big = rng.random() < 0.05
    msg = message(rng, n, big)
    binary = b"\x00" in msg and rng.random() < 0.7
    flags = rng.choice(["", "(\\Seen) ", "(\\Flagged $Junk) ", "() "])
    date = rng.choice(["", "\"01-Jan-2024 10:00:00 +0000\" ", "\"bad date\" "])
    head = ("APPEND %s %s%s" % (rng.choice(["INBOX", "INBOX", "soak1", "nonexistent"]), flags, date)).encode()
    pieces = [head, Literal(msg, sync=rng.random() < 0.3, binary=binary)]
    if rng.random() < 0.1:  # MULTIAPPEND
        pieces += [b" ", Literal(message(rng, n), sync=False)]
    return pieces


def literal_command(rng):
    """A search string or mailbox name as a literal, sometimes right at or
    past the limit (the sync one past it must get a tagged BAD, no "+")."""
    size = rng.choice([0, 1, 100, MAX_LITERAL - 100, MAX_LITERAL])
    sync = rng.random() < 0.5
    if sync and rng.random() < 0.3:
        size = MAX_LITERAL + rng.randrange(1, 1 << 20)
    data = bytes(rng.choice(b"abcdefgh \x80\xc3\xa9") for _ in range(size))
    head = rng.choice([b"SEARCH BODY ", b"SEARCH CHARSET UTF-8 TEXT ", b"STATUS ", b"SORT (DATE) UTF-8 SUBJECT ",
                       b"LIST \"\" ", b"CREATE "])
    tail = b" (MESSAGES)" if head == b"STATUS " else b""
    return [head, Literal(data, sync=sync), tail]


def mutate(rng, text):
    """Bytes changed, dropped or inserted after the tag; never CR, LF or a
    brace, so that the command's framing stays what the client thinks."""
    b = bytearray(text)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(3)
        at = rng.randrange(len(b) + 1)
        c = rng.choice(b"()[]<>\"\\*%$ .:,~+-0123456789AZaz\x00\x7f\xff")
        if op == 0 and at < len(b):
            b[at] = c
        elif op == 1 and at < len(b):
            del b[at]
        else:
            b.insert(at, c)
    return bytes(b)


def malformed_command(rng, n):
    r = rng.random()
    if r < 0.4:
        text = valid_command(rng, n)[0]
        return [mutate(rng, text)]
    if r < 0.55:
        text = valid_command(rng, n)[0]
        return [text[:rng.randrange(len(text) + 1)]]
    if r < 0.65:
        return [bytes(rng.choice([c for c in range(256) if c not in b"\r\n{}"]) for _ in range(rng.randrange(200)))]
    if r < 0.75:
        depth = rng.choice([10, 63, 64, 65, 1000, 20000])
        return [rng.choice([b"SEARCH ", b"FETCH 1 ", b"LIST ", b"SORT ", b"STORE 1 FLAGS "]) + b"(" * depth +
                b"ALL" + b")" * depth]
    if r < 0.8:  # a line over max_line
        return [b"SEARCH SUBJECT " + b"x" * rng.choice([65 * 1024, 300 * 1024])]
    if r < 0.9:
        return [b"SEARCH " + b" ".join([b"OR SEEN"] * rng.choice([100, 5000, 20000])) + b" ALL"]
    return [rng.choice([b"", b" ", b"UID", b"UID FOO", b"FETCH", b"SEARCH", b"SORT", b"THREAD", b"ENABLE",
                        b"SELECT", b"APPEND", b"LIST", b"COMPRESS FOO", b"SELECT INBOX (QRESYNC)",
                        b"FETCH 1 (BINARY[1]<0.-1>)", b"STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)",
                        b"SEARCH MODSEQ", b"SEARCH YOUNGER -1", b"SEARCH OLDER 99999999999",
                        b"SEARCH RETURN (SAVE SAVE) ALL", b"LIST () \"\" ()", b"CREATE x (USE ())"])]


def soak(fmt, seconds, seed):
    rng = random.Random("%s-%s" % (seed, fmt))
    home = lib.tempdir()
    c = Client(home, FORMATS[fmt])
    assert c.greeting.startswith(b"* PREAUTH"), c.greeting
    history = []
    count = bad_run = 0
    answers = {}
    end = time.time() + seconds
    try:
        for i in range(30):  # a mailbox to work on
            c.command(b"p%d" % i, append_command(rng, i))
        while time.time() < end:
            count += 1
            r = rng.random()
            if bad_run >= MAX_BAD_IN_A_ROW - 1:  # imapd ends a session at 10 BADs in a row
                pieces = [b"NOOP"]
            elif r < 0.15:
                pieces = append_command(rng, count)
            elif r < 0.22:
                pieces = literal_command(rng)
            elif r < 0.45:
                pieces = malformed_command(rng, count)
            else:
                pieces = valid_command(rng, count)
            tag = b"s%d" % count
            history.append(b"".join(p if isinstance(p, bytes) else p.head()[:-2] for p in pieces)[:200])
            untagged, tagged = c.command(tag, pieces)
            status = tagged.split(b" ", 2)[1:2]
            assert status and status[0] in (b"OK", b"NO", b"BAD"), tagged
            bad_run = bad_run + 1 if status[0] == b"BAD" else 0
            answers[status[0]] = answers.get(status[0], 0) + 1
            assert not any(l.startswith(b"* BYE") for l in untagged), (untagged[-1:], tagged)
        untagged, tagged = c.command(b"z1", [b"SELECT INBOX"])
        assert tagged.startswith(b"z1 OK"), tagged
        untagged, tagged = c.command(b"z2", [b"UID FETCH 1:* (UID FLAGS BODYSTRUCTURE)"])
        assert tagged.startswith(b"z2 OK"), tagged
        untagged, tagged = c.command(b"z3", [b"LOGOUT"])
        assert tagged.startswith(b"z3 OK") and any(l.startswith(b"* BYE") for l in untagged), (untagged, tagged)
        assert c.proc.wait(timeout=ANSWER_TIMEOUT) == 0
    except BaseException as e:
        time.sleep(0.5)
        if c.proc.poll() is None:
            c.proc.kill()
        rc = c.proc.wait()
        left = c.buf + c.proc.stdout.read()
        err = c.proc.stderr.read().decode(errors="replace")[-3000:]
        raise AssertionError("%s after %d commands (seed %s, %s, exit %s); last sent:\n  %s\nunread: %r\n"
                             "stderr: %s" % (e, count, seed, fmt, rc, "\n  ".join(repr(h) for h in history[-5:]),
                                             left[-500:], err)) from e
    err = c.proc.stderr.read().decode(errors="replace")
    assert "runtime error" not in err and "Sanitizer" not in err, err[-3000:]
    print("soak %s: %d commands in %d s: %s" % (fmt, count, seconds,
                                                 ", ".join("%s %d" % (k.decode(), v) for k, v in sorted(answers.items()))))
    assert answers.get(b"OK", 0) > count // 4, answers  # mostly not just refused


SECONDS = int(os.environ.get("SOAK_SECONDS", "20"))
SEED = os.environ.get("SOAK_SEED", "9051")


def test_soak_maildir():
    soak("maildir", SECONDS, SEED)


def test_soak_mbx():
    soak("mbx", SECONDS, SEED)


def test_soak_unix():
    soak("unix", SECONDS, SEED)
