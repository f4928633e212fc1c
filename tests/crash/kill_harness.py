#!/usr/bin/env python3
"""Kill harness: writers of every kind (imapd APPEND, MULTIAPPEND, COPY,
MOVE, STORE, EXPUNGE; dmail; mailtool copy/convert) SIGKILLed at random
moments, in each format (maildir, mbx, unix), on one mailbox pair (INBOX and
a folder) that lives through the whole run.

After every kill a fresh imapd reads both mailboxes whole and compares them
with the model: every message whose APPEND, COPY, MOVE or delivery was
acknowledged is there exactly once and byte-identical, every message the
killed writer did not touch is unchanged (UID, flags, bytes), a message it
did touch is in its old or its new state (MULTIAPPEND and COPY all or
nothing), no UID is reused and UIDVALIDITY does not change. Then `mailtool
check` must find nothing, UW's `mailutil check` must count the same messages
(mbx, unix) and Dovecot must read the maildir with the same UIDs and bytes.

The writer kind, its arguments, the message sizes and the kill delays come
from --seed (printed); where the kill lands also depends on timing, so a
seed reproduces the sequence of attempts, not each outcome. A kill comes
after a random delay (up to 1.5 times that kind's running mean duration),
at the moment the writer's lock file appears, or a random 0-15 ms after the
writer first changes a mailbox file or directory (inside its write).
One summary line per format; exits 1 (raises) on any violation, after
printing each with the format, seed, round and the attempt.

  tests/crash/kill_harness.py [--seed N] [--seconds S] [--format F ...]
                              [--only KIND ...] [--keep-going]
"""
import argparse
import hashlib
import os
import pwd
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402
from imapwire import (is_ok, parse_fetch, response_code, split_responses, tagged,  # noqa: E402
                      uid_set, uid_text)

FORMATS = ("maildir", "mbx", "unix")
FOLDER = "Folder"
BOXES = ("INBOX", FOLDER)
KINDS = ("append", "multiappend", "copy", "move", "store", "expunge", "dmail", "mailtool")
# how often each kind is chosen: expunge (mbx compaction, uidlist rewrite) most
WEIGHTS = {"append": 2, "multiappend": 1, "copy": 1, "move": 2, "store": 2, "expunge": 3, "dmail": 2, "mailtool": 1}
# the first kills: an expunge of INBOX's first message killed this long after
# a mailbox file first changes
PROBES = (("change", 0.0), ("change", 0.001), ("change", 0.003), ("change", 0.006))
STEP_TIMEOUT = 20  # seconds: a writer's setup or a check that takes longer hangs (a lock left behind)
FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Draft", "kw1", "kw2")


class Violation(Exception):
    def __init__(self, kind, text):
        super().__init__(f"{kind}: {text}")
        self.kind, self.text = kind, text


class Hang(Exception):
    pass


def nobody():
    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def as_nobody():
    """Popen arguments that run the child as nobody when we are root (the
    home is nobody's); user= and group= keep the fast vfork path that a
    preexec_fn would lose."""
    if os.geteuid() != 0:
        return {}
    uid, gid = nobody()
    return {"user": uid, "group": gid, "extra_groups": []}


class Writer:
    """A process killed at a chosen moment: its stdout is collected in the
    background, its stdin fed by a thread (a big literal can block)."""

    def __init__(self, argv, env, cwd, stdin=True, stderr=subprocess.DEVNULL):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=cwd,
                                     **as_nobody())
        self.out = b""
        self.fd = self.proc.stdout.fileno()

    def send(self, data, background=False):
        def write():
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass
        if background:
            t = threading.Thread(target=write, daemon=True)
            t.start()
            return t
        write()
        return None

    def pump(self, timeout):
        """Reads what is there within timeout; False at end of file."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return True
        chunk = os.read(self.fd, 1 << 20)
        self.out += chunk
        return bool(chunk)

    def wait_tag(self, tag, timeout):
        """Reads until tag's response; its line, or raises Hang."""
        deadline = time.monotonic() + timeout
        pat = b"\r\n" + tag.encode() + b" "
        while True:
            i = (b"\r\n" + self.out).find(pat)
            if i >= 0 and self.out.find(b"\r\n", i) >= 0:
                return tagged(split_responses(self.out), tag)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Hang(f"no answer to {tag} in {timeout} s")
            if not self.pump(min(left, 0.5)):
                return None

    def kill(self):
        try:
            self.proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        while self.pump(0):
            pass
        try:
            self.proc.stdin and self.proc.stdin.close()
        except OSError:
            pass
        self.proc.stdout.close()
        return self.proc.returncode


def make_message(rng, ident, size):
    head = (f"From: crash@example.org\r\nTo: nobody@example.org\r\nSubject: {ident}\r\n"
            f"Message-ID: <{ident}@crash>\r\nX-Crash-Id: {ident}\r\n\r\n").encode()
    seed = rng.getrandbits(32)
    line = (f"{ident} {seed:08x} " + "abcdefghijklmnopqrstuvwxyz0123456789" * 2 + "\r\n").encode()
    count = max(1, (size - len(head)) // len(line))
    body = b"".join(line[:-2] + b" %d\r\n" % i for i in range(count))
    return head + body


def crash_id(data):
    m = re.search(rb"\r\nX-Crash-Id: (\S+)\r\n", b"\r\n" + (data or b""))
    return m.group(1).decode() if m else None


def flagset(flags):
    return frozenset(f for f in (flags or []) if f != "\\Recent")


def run_dovecot(home, commands):
    """lib.run_dovecot, keeping stderr: (stdout, stderr) of Dovecot's imap
    preauthenticated as nobody on home/Maildir."""
    conf = lib.dovecot_config(home)
    uid, gid = nobody()
    if os.geteuid() == 0:
        lib.chown_tree(home, uid, gid)
    # stdin stays open until LOGOUT is answered: Dovecot drops pending
    # output when its input ends
    err = tempfile.TemporaryFile()
    w = Writer([lib.DOVECOT_IMAP, "-c", conf, "-o", "mail_location=maildir:~/Maildir"],
               {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin"}, home, stderr=err)
    w.send(commands)
    try:
        w.wait_tag("z", STEP_TIMEOUT)
    finally:
        w.kill()
    err.seek(0)
    return w.out, err.read()


def link_or_copy(src, dst):
    if "/cur/" in src or "/new/" in src:
        os.link(src, dst)
    else:
        shutil.copy2(src, dst)


def parse_state(resp, who):
    """{box: (uidvalidity, {uid: (id, flags, bytes or RFC822.SIZE)})} from
    the answers to "sN SELECT box" and its "fN UID FETCH 1:* (...)" and
    optional "gN UID FETCH n:* (...)" (items of one UID merged)."""
    out = {}
    pos = 0
    for i, box in enumerate(BOXES):
        sel = tagged(resp, f"s{i}")
        if not is_ok(sel):
            raise Violation("select", f"{who}: SELECT {box}: {sel!r}")
        s_at = resp.index(sel)
        ends = [tagged(resp, f"{t}{i}") for t in "fg"]
        end = max([resp.index(e) for e in ends if e is not None] or [len(resp)])
        uv, items = None, {}
        for r in resp[pos:s_at]:
            code = response_code(r, "UIDVALIDITY")
            if code:
                uv = int(code)
        first = resp.index(ends[0]) if ends[0] is not None else end
        for at in range(s_at, end):
            f = parse_fetch(resp[at])
            if not f or "UID" not in f[1]:
                continue
            uid = f[1]["UID"]
            if uid in items and at < first:
                raise Violation("uid-twice", f"{who}: {box} UID {uid} twice")
            items.setdefault(uid, {}).update(f[1])
        if items and not is_ok(ends[0]):
            raise Violation("fetch", f"{who}: FETCH {box}: {ends[0]!r}")
        msgs = {}
        for uid, it in items.items():
            body = it.get("BODY[]")
            head = body if body is not None else next((v for k, v in it.items() if k.startswith("BODY[HEADER")), b"")
            msgs[uid] = (crash_id(head), flagset(it.get("FLAGS")), body if body is not None else it.get("RFC822.SIZE"))
        out[box] = (uv, msgs)
        pos = end
    return out


class Format:
    """One format's home, mailbox paths and the state of the mailboxes as
    last verified: box -> {uid: (id, flags)}."""

    def __init__(self, fmt, rng, args):
        self.fmt, self.rng, self.args = fmt, rng, args
        self.mail = {"maildir": "maildir:~/Maildir", "mbx": "mbx:~/mail:INBOX=~/INBOX",
                     "unix": "unix:~/mail:INBOX=~/INBOX"}[fmt]
        self.set_home()
        self.bulk = 12_000_000 if fmt == "mbx" else 3_000_000
        self.bodies = {}  # id -> the bytes to append or deliver (CRLF), for this round only
        self.sums = {}  # id -> (length, SHA-256) of those bytes
        self.state = {b: {} for b in BOXES}
        self.uidvalidity = {}
        self.max_uid = {b: 0 for b in BOXES}
        self.ever = {b: {} for b in BOXES}  # uid -> id, every UID seen
        self.next_id = 0
        self.duration = {k: 0.03 for k in KINDS}  # running mean seconds, for the kill delay
        self.kills = self.acked = self.lost = self.rounds = self.partials = 0
        self.by_kind = {k: 0 for k in KINDS}
        self.violations = []
        self.known_problems = set()
        self.notes = {}
        self.dead = None

    def set_home(self):
        """A new, empty home (nobody's) and the paths of its mailboxes."""
        self.home = lib.tempdir(f"crash-{self.fmt}-")
        if os.geteuid() == 0:
            os.chown(self.home, *nobody())
        self.env = {"HOME": self.home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": self.mail, "TZ": "UTC"}
        self.paths = ({"INBOX": f"{self.home}/Maildir", FOLDER: f"{self.home}/Maildir/.{FOLDER}"}
                      if self.fmt == "maildir" else
                      {"INBOX": f"{self.home}/INBOX", FOLDER: f"{self.home}/mail/{FOLDER}"})

    # --- helpers -----------------------------------------------------------
    def new_id(self):
        self.next_id += 1
        return f"{self.fmt[0]}{self.next_id}"

    def size(self):
        """Mostly small messages, and enough big ones to keep some 10 MB in
        the mailboxes in mbx (3 MB in maildir and unix, faster to read): an
        expunge then moves megabytes (mbx compacts in place) and a rewrite
        (unix) takes long enough to be hit."""
        r = self.rng.random()
        if r < (0.25 if self.total_bytes() < self.bulk else 0.03):
            return self.rng.randint(500_000, 1_500_000)
        if r < 0.75:
            return self.rng.randint(200, 4000)
        return self.rng.randint(8000, 64000)

    def message(self, ident, size):
        data = make_message(self.rng, ident, size)
        self.bodies[ident] = data
        self.sums[ident] = (len(data), hashlib.sha256(data).digest())

    def partial(self, text):
        """A killed MULTIAPPEND or COPY that left part of its messages: RFC
        3502 and 3501 want all or nothing; counted, a violation with --atomic."""
        self.partials += 1
        if self.args.atomic:
            raise Violation("atomicity", text)

    def note(self, what):
        self.notes[what] = self.notes.get(what, 0) + 1

    def imapd(self):
        return Writer([lib.binary("imapd")], self.env, self.home)

    def lock_paths(self, box):
        if self.fmt == "maildir":
            return [self.paths[box] + "/dovecot-uidlist.lock"]
        if self.fmt == "unix":
            return [self.paths[box] + ".lock"]
        return []

    def total_bytes(self):
        return sum(self.sums[i][0] for b in BOXES for (i, _) in self.state[b].values())

    # --- setup -------------------------------------------------------------
    def setup(self):
        w = self.imapd()
        cmds = b"c1 CREATE " + FOLDER.encode() + b"\r\n"
        w.send(cmds)
        line = w.wait_tag("c1", STEP_TIMEOUT)
        w.kill()
        if not is_ok(line):
            raise Violation("setup", f"CREATE {FOLDER}: {line!r}")
        # INBOX as in the mbx case: 8 KB, then megabytes that an
        # expunge of the first message moves; a few small ones after
        sizes = {"INBOX": [8000] + ([1_500_000] * 11 if self.bulk > 5e6 else [1_300_000] * 2) + [2000, 3000],
                 FOLDER: [300, 1000, 2000, 3000]}
        for box in BOXES:
            ids = []
            for size in sizes[box]:
                ident = self.new_id()
                self.message(ident, size)
                ids.append(ident)
            w = self.imapd()
            data = b"".join(b"a%d APPEND %s {%d+}\r\n%s\r\n" % (i, box.encode(), len(self.bodies[x]), self.bodies[x])
                            for i, x in enumerate(ids))
            w.send(data, background=True)
            line = w.wait_tag(f"a{len(ids) - 1}", STEP_TIMEOUT)
            w.kill()
            if not is_ok(line):
                raise Violation("setup", f"APPEND: {line!r}")
        self.uidvalidity = {}
        self.adopt(self.read_state())

    # --- reading and checking ----------------------------------------------
    def read_state(self, full=True):
        """{box: (uidvalidity, {uid: (id, flags, bytes or size)})} as a
        fresh imapd sees it (SELECT: the next open after a kill repairs
        what it must). Not full: the bytes of new messages only, the size
        and X-Crash-Id of the others."""
        cmds = b""
        for i, box in enumerate(BOXES):
            if full:
                cmds += b"s%d SELECT %s\r\nf%d UID FETCH 1:* (UID FLAGS BODY.PEEK[])\r\n" % (i, box.encode(), i)
            else:
                cmds += (b"s%d SELECT %s\r\nf%d UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                         b"(X-Crash-Id)])\r\ng%d UID FETCH %d:* (UID BODY.PEEK[])\r\n"
                         % (i, box.encode(), i, i, self.max_uid[box] + 1))
        cmds += b"z LOGOUT\r\n"
        try:
            proc = subprocess.run([lib.binary("imapd")], input=cmds, capture_output=True, env=self.env,
                                  cwd=self.home, **as_nobody(), timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Hang(f"a fresh imapd did not SELECT and FETCH both mailboxes in {STEP_TIMEOUT} s")
        return parse_state(split_responses(proc.stdout), "imapd")

    def adopt(self, observed):
        for box in BOXES:
            if observed[box][0] != self.uidvalidity.get(box):  # (a violation reported): UIDs begin anew
                self.uidvalidity[box] = observed[box][0]
                self.ever[box] = {}
                self.max_uid[box] = 0
            self.state[box] = {u: (i, fl) for u, (i, fl, _) in observed[box][1].items()}
            for u, (i, _, _) in observed[box][1].items():
                self.ever[box][u] = i
                self.max_uid[box] = max(self.max_uid[box], u)

    def check_against(self, op, observed):
        """Raises Violation unless observed is a state op may have left."""
        for box in BOXES:
            uv = observed[box][0]
            if uv != self.uidvalidity[box]:
                raise Violation("uidvalidity", f"{box} UIDVALIDITY {self.uidvalidity[box]} became {uv}")
        for box in BOXES:
            for uid, (ident, flags, body) in observed[box][1].items():
                if ident is None or ident not in self.sums:
                    raise Violation("half-written", f"{box} UID {uid}: a message that is not one we wrote "
                                    f"({body if isinstance(body, int) else len(body or b'')} bytes"
                                    f"{'' if isinstance(body, int) else ': %r' % (body or b'')[:120]})")
                if isinstance(body, int):
                    if body != self.sums[ident][0]:
                        raise Violation("bytes", f"{box} UID {uid} ({ident}): RFC822.SIZE {body}, "
                                        f"{self.sums[ident][0]} written")
                elif (len(body), hashlib.sha256(body).digest()) != self.sums[ident]:
                    raise Violation("bytes", f"{box} UID {uid} ({ident}): {len(body)} bytes differ from the "
                                    f"{self.sums[ident][0]} written")
                old = self.ever[box].get(uid)
                if old is not None and old != ident:
                    raise Violation("uid-reused", f"{box} UID {uid} was {old}, now {ident}")
                if uid not in self.state[box] and uid <= self.max_uid[box]:
                    raise Violation("uid-reused", f"{box} new message {ident} got UID {uid} <= {self.max_uid[box]}")
        op.check(self, observed)

    def check_tools(self, observed, full=True):
        """mailtool check, UW's mailutil check (mbx, unix) and Dovecot
        (maildir), run at once; raises the first Violation."""
        checks = [self.check_mailtool]
        if self.fmt in ("mbx", "unix") and shutil.which("mailutil"):
            checks += [lambda box=box: self.check_mailutil(box, observed) for box in BOXES]
        if self.fmt == "maildir" and os.path.exists(lib.DOVECOT_IMAP):
            # UIDs, flags, sizes and ids: the bytes of a maildir file do not
            # change, and Dovecot parsing 10 MB afresh each time is slow
            checks.append(lambda: self.check_dovecot(observed, False))
        errors = [None] * len(checks)

        def run(i):
            try:
                checks[i]()
            except (Violation, Hang, subprocess.TimeoutExpired) as e:
                errors[i] = e
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(checks))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for e in errors:
            if e is not None:
                raise e

    def check_mailtool(self):
        p = subprocess.run([lib.binary("mailtool"), "check"] + [self.paths[b] for b in BOXES], capture_output=True,
                           env=self.env, cwd=self.home, **as_nobody(), timeout=STEP_TIMEOUT)
        text = (p.stdout + p.stderr).decode(errors="replace").strip()
        # a damage left in place is reported once, when it appears
        lines = set(text.splitlines()) - self.known_problems
        self.known_problems |= lines
        if lines or (p.returncode != 0 and not text):
            raise Violation("mailtool-check", f"exit {p.returncode}: {chr(10).join(sorted(lines))[:600]}")

    def check_mailutil(self, box, observed):
        """UW's mailutil check on a copy (UW's INBOX is the spool, and its
        read-write open must not change the file under test)."""
        name = f"uwcheck-{box}"
        shutil.copyfile(self.paths[box], f"{self.home}/{name}")
        if os.geteuid() == 0:
            os.chown(f"{self.home}/{name}", *nobody())
        try:
            p = subprocess.run(["mailutil", "check", name], capture_output=True, cwd=self.home,
                               env={"HOME": self.home, "PATH": "/usr/bin:/bin", "TZ": "UTC"},
                               **as_nobody(), timeout=STEP_TIMEOUT)
        finally:
            os.unlink(f"{self.home}/{name}")
        m = re.search(rb"\b(\d+) total in", p.stdout)
        if p.returncode != 0 or not m or int(m.group(1)) != len(observed[box][1]):
            raise Violation("mailutil-check", f"{box}: exit {p.returncode}, {p.stdout[:300]!r} "
                            f"{p.stderr[:300]!r}; imapd sees {len(observed[box][1])}")

    def check_dovecot(self, observed, full):
        scratch = tempfile.mkdtemp(prefix="crash-dovecot-")
        try:
            # message files linked, not copied: Dovecot only reads them
            shutil.copytree(self.paths["INBOX"], f"{scratch}/Maildir", symlinks=True, copy_function=link_or_copy,
                            ignore=shutil.ignore_patterns("*.lock"))
            cmds = b""
            for i, box in enumerate(BOXES):
                items = b"BODY.PEEK[]" if full else b"RFC822.SIZE BODY.PEEK[HEADER.FIELDS (X-Crash-Id)]"
                cmds += b"s%d SELECT %s\r\nf%d UID FETCH 1:* (UID FLAGS %s)\r\n" % (i, box.encode(), i, items)
            out, err = run_dovecot(scratch, cmds + b"z LOGOUT\r\n")
        finally:
            shutil.rmtree(scratch, True)
        try:
            theirs = parse_state(split_responses(out), "Dovecot")
        except Violation as v:
            raise Violation("dovecot", f"{v}; Dovecot's stderr: {err[-400:]!r}")
        for box in BOXES:
            uv, msgs = theirs[box]
            ours = observed[box]
            if uv != ours[0] or sorted(msgs) != sorted(ours[1]):
                raise Violation("dovecot", f"{box}: Dovecot UIDVALIDITY {uv} UIDs {sorted(msgs)}; "
                                f"imapd {ours[0]} {sorted(ours[1])}")
            for uid, (ident, flags, body) in msgs.items():
                mine = ours[1][uid][2]
                if isinstance(body, int) or isinstance(mine, int):
                    size = lambda x: x if isinstance(x, int) else len(x)  # noqa: E731
                    if size(body) != size(mine) or ident != ours[1][uid][0]:
                        raise Violation("dovecot", f"{box} UID {uid}: Dovecot reads {ident} of {size(body)} bytes, "
                                        f"imapd {ours[1][uid][0]} of {size(mine)}")
                elif body.replace(b"\r\n", b"\n") != mine.replace(b"\r\n", b"\n"):
                    raise Violation("dovecot", f"{box} UID {uid}: Dovecot reads other bytes")
                if flags != ours[1][uid][1]:
                    raise Violation("dovecot", f"{box} UID {uid}: Dovecot reads flags {sorted(flags)}, "
                                    f"imapd {sorted(ours[1][uid][1])}")

    # --- one round -----------------------------------------------------------
    def round(self, kinds):
        kind = self.rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        probe = self.rounds < len(PROBES) and "expunge" in kinds
        if probe:
            kind = "expunge"
        if self.total_bytes() > 2.5 * self.bulk or sum(len(s) for s in self.state.values()) > 60:
            if "expunge" in kinds:
                kind = "expunge"
        op = OPS[kind](self)
        if probe:
            # the first rounds: the mbx case, as a probe in every format:
            # expunge the first INBOX message (megabytes after it), killed a few
            # ms after the writer first changes a mailbox file
            op.box, op.uids, op.forced = "INBOX", sorted(self.state["INBOX"])[:1], PROBES[self.rounds]
        if not op.possible():
            return
        started = time.monotonic()
        try:
            self.one_round(op, kind)
        finally:
            self.bodies.clear()
            if self.args.verbose:
                t = self.times + [time.monotonic()]
                print(f"  {self.fmt} round {self.rounds} {time.monotonic() - started:.2f}s "
                      f"({'+'.join('%.2f' % (b - a) for a, b in zip(t, t[1:]))}): {op.describe()[:160]}",
                      flush=True)

    def one_round(self, op, kind):
        self.rounds += 1
        self.by_kind[kind] += 1
        self.times = [time.monotonic()]
        try:
            op.run()
        except Hang as e:
            self.violation("hang", f"the writer's setup: {e}", op)
            self.clear_locks()
            return
        self.kills += 1
        # every byte after a writer that moves data (mbx compaction, unix
        # rewrite) and every few rounds; else new messages whole, sizes of the rest
        full = kind in ("expunge", "move") or self.rounds % self.args.full_every == 0
        self.times.append(time.monotonic())
        try:
            observed = self.read_state(full)
            self.check_against(op, observed)
        except Hang as e:
            self.violation("hang", str(e), op)
            self.clear_locks()
            observed = self.try_read()
        except Violation as v:
            self.violation(v.kind, v.text, op)
            observed = self.try_read()
        self.times.append(time.monotonic())
        if observed is None:
            self.dead = "the mailbox cannot be read any more"
            self.lost += sum(len(v) for v in self.state.values()) + len(op.must_exist())
            return
        self.count_lost(op, observed)
        try:
            self.check_tools(observed, full)
        except Violation as v:
            self.violation(v.kind, v.text, op)
        except (Hang, subprocess.TimeoutExpired) as e:
            self.violation("hang", f"a check: {e}", op)
        self.adopt(observed)

    def try_read(self):
        try:
            return self.read_state()
        except (Hang, Violation):
            return None

    def count_lost(self, op, observed):
        """Acknowledged messages gone: ones that were there and that the
        writer could not remove, and the ones it acknowledged."""
        present = {ident for box in BOXES for ident, _, _ in observed[box][1].values()}
        before = {ident for box in BOXES for ident, _ in self.state[box].values()}
        self.lost += len((before - op.may_remove() - present) | (set(op.must_exist()) - present))

    def clear_locks(self):
        """After a hang: removes the lock files so that the run goes on."""
        for box in BOXES:
            for p in self.lock_paths(box):
                if os.path.exists(p):
                    with open(p, "rb") as f:
                        self.note(f"lock left behind ({f.read(40)!r})")
                    os.unlink(p)

    def violation(self, kind, text, op):
        msg = f"{self.fmt} seed {self.args.seed} round {self.rounds}: {kind}: {text}\n    attempt: {op.describe()}"
        self.violations.append((kind, msg))
        print("VIOLATION " + msg, flush=True)

    def orphan_lock_probe(self, wait=3):
        """maildir: the state a writer leaves when killed between creating
        dovecot-uidlist.lock and writing its "PID:HOST" mark, or while
        filling it with the new list (too short a moment for a timed kill
        to hit often): such a lock is made by hand, then a SELECT must not
        wait more than `wait` seconds for a holder that is gone."""
        lock = self.paths["INBOX"] + "/dovecot-uidlist.lock"
        for content, moment in ((b"", "after creating it, before its mark"),
                                (b"3 V1 N1 G0\n1 :1.M1P1.host\n", "while writing the new list")):
            # a new message in new/ (as procmail delivers): the SELECT must give it a UID
            ident = self.new_id()
            self.message(ident, 500)
            path = f"{self.paths['INBOX']}/new/{int(time.time())}.P{os.getpid()}Q{ident}.probe"
            with open(path, "wb") as f:
                f.write(self.bodies[ident])
            with open(lock, "wb") as f:
                f.write(content)
            if os.geteuid() == 0:
                os.chown(lock, *nobody())
                os.chown(path, *nobody())
            start = time.monotonic()
            try:
                subprocess.run([lib.binary("imapd")], input=b"s SELECT INBOX\r\nz LOGOUT\r\n", capture_output=True,
                               env=self.env, cwd=self.home, timeout=wait, **as_nobody())
            except subprocess.TimeoutExpired:
                msg = (f"{self.fmt} seed {self.args.seed}: stale-lock: a writer killed {moment} leaves "
                       f"dovecot-uidlist.lock ({content[:20]!r}); SELECT INBOX still waits after {wait} s")
                self.violations.append(("stale-lock", msg))
                print("VIOLATION " + msg, flush=True)
            finally:
                self.probe_seconds = time.monotonic() - start
                if os.path.exists(lock):
                    os.unlink(lock)
        self.adopt(self.read_state())

    def run(self, seconds, kinds):
        self.setup()
        if self.fmt == "maildir":
            self.orphan_lock_probe()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.args.keep_going and self.violations:
                break
            if self.dead:
                if not self.args.keep_going:
                    break
                self.restart()
            self.round(kinds)

    def restart(self):
        """--keep-going after a mailbox that cannot be read: a new home."""
        self.note(f"new mailboxes after: {self.dead}")
        self.dead = None
        shutil.rmtree(self.home, True)
        self.set_home()
        self.state = {b: {} for b in BOXES}
        self.max_uid = {b: 0 for b in BOXES}
        self.ever = {b: {} for b in BOXES}
        self.known_problems = set()
        self.setup()


class Op:
    """One writer: run() starts it, sends its command and kills it; check()
    says whether the observed state is one the writer may have left."""

    kind = "?"

    def __init__(self, f):
        self.f = f
        self.rng = f.rng
        self.acked = None
        self.delay = None
        self.elapsed = None
        self.trigger = None
        self.answer = b""
        self.forced = None

    def possible(self):
        return True

    def must_exist(self):
        return []

    def may_remove(self):
        return set()

    def describe(self):
        return (f"{self.kind} {self.params()}; kill {self.trigger or 'after %.1f ms' % (1000 * (self.delay or 0))}; "
                f"{'acknowledged' if self.acked else 'not acknowledged'}"
                f"{'' if self.elapsed is None else ' after %.1f ms' % (1000 * self.elapsed)}; answer {self.answer[-200:]!r}")

    def params(self):
        return ""

    def lock_paths(self):
        return []

    def watch_paths(self):
        """Files and directories whose change means the writer has begun
        to write."""
        return [self.f.paths[b] for b in BOXES] + [self.f.paths[b] + "/cur" for b in BOXES
                                                    if self.f.fmt == "maildir"]

    def await_kill(self, finished):
        """Waits for the moment to kill the writer just started: a random
        delay (up to 1.5 times this kind's mean duration), the moment its
        lock file appears, or a random 0-15 ms after a mailbox file or
        directory changes (inside the write). finished() says (and reads
        what the writer said) whether it is done. Keeps the mean duration."""
        start = time.monotonic()
        mean = self.f.duration[self.kind]
        r = self.rng.random()
        mode = "lock" if r < 0.2 and self.lock_paths() else "change" if r < 0.5 else "delay"
        self.delay = self.rng.uniform(0, 1.5 * mean)
        extra = self.rng.uniform(0, 0.015)
        if self.forced:  # a probe: (mode, extra)
            mode, extra = self.forced
        unmarked = self.f.fmt == "maildir" and self.rng.random() < 0.5
        done = None
        if mode == "delay":
            deadline = start + self.delay
            while time.monotonic() < deadline:
                if finished(deadline - time.monotonic()):
                    done = time.monotonic() - start
                    break
            while time.monotonic() < deadline:
                time.sleep(deadline - time.monotonic())
        else:
            deadline = start + (2 if self.forced else 2 * mean + 0.05)
            paths = self.lock_paths() if mode == "lock" else self.watch_paths()

            def stamp(p):
                try:
                    st = os.stat(p)
                    return (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    return None
            before = [stamp(p) for p in paths]
            polls = 0
            while time.monotonic() < deadline:
                polls += 1
                if mode == "lock" and any(os.path.exists(p) for p in paths):
                    if not unmarked:
                        self.trigger = "when the lock file appeared"
                        break
                    # a maildir lock without its "PID:HOST" mark: just created, or being
                    # filled with the new uidlist; a waiter cannot tell its holder died
                    if any(not re.match(rb"\d+:", read_or(p)) for p in paths if os.path.exists(p)):
                        self.trigger = "when the lock file had no owner mark"
                        break
                if mode == "change" and [stamp(p) for p in paths] != before:
                    self.trigger = f"{extra * 1000:.1f} ms after a mailbox file changed"
                    if extra:
                        time.sleep(extra)
                    break
                if polls % 64 == 0 and finished(0):
                    done = time.monotonic() - start
                    break
            if not self.trigger and done is None:
                self.trigger = f"no {mode} seen in {1000 * (deadline - start):.0f} ms"
        if done is None and finished(0):
            done = time.monotonic() - start
        if done is not None:
            self.elapsed = done
            self.f.duration[self.kind] = 0.8 * mean + 0.2 * done
        elif mode == "delay":
            # killed before the answer: the work takes longer than we waited
            self.f.duration[self.kind] = min(5.0, mean * 1.1)

    def kill_after_send(self, w, tag, data):
        """Sends data to imapd w, kills it (await_kill) and records whether
        tag was answered OK."""
        w.send(data, background=True)

        def finished(timeout):
            w.pump(max(timeout, 0))
            return tagged(split_responses(w.out), tag) is not None
        self.await_kill(finished)
        w.kill()
        line = tagged(split_responses(w.out), tag)
        self.answer = line or b""
        self.acked = is_ok(line)
        if self.acked:
            self.f.acked += 1

    def unchanged_except(self, observed, touched):
        """Every message of the previous state but those in touched
        ({(box, uid)}) is there with the same id and flags."""
        for box in BOXES:
            for uid, (ident, flags) in self.f.state[box].items():
                if (box, uid) in touched:
                    continue
                got = observed[box][1].get(uid)
                if got is None:
                    raise Violation("lost", f"{box} UID {uid} ({ident}) that the writer did not touch is gone")
                if got[1] != flags:
                    raise Violation("flags", f"{box} UID {uid} ({ident}): flags {sorted(flags)} became "
                                    f"{sorted(got[1])} though the writer did not touch it")

    def new_messages(self, observed, box):
        return {u: v for u, v in observed[box][1].items() if u not in self.f.state[box]}

    def no_new(self, observed, boxes=BOXES):
        for box in boxes:
            new = self.new_messages(observed, box)
            if new:
                raise Violation("appeared", f"{box}: UIDs {sorted(new)} appeared")

    def selected_op_setup(self, box, extra=b""):
        """An imapd with box selected (and extra commands answered)."""
        w = self.f.imapd()
        w.send(b"p1 SELECT " + box.encode() + b"\r\n" + extra)
        line = w.wait_tag("p2" if extra else "p1", STEP_TIMEOUT)
        if not is_ok(line):
            w.kill()
            raise Hang(f"setup answered {line!r}")
        return w


class AppendOp(Op):
    kind = "append"
    count = 1

    def __init__(self, f):
        super().__init__(f)
        self.box = self.rng.choice(BOXES)
        n = self.count if self.count == 1 else self.rng.randint(2, 5)
        self.ids = [f.new_id() for _ in range(n)]
        self.flags = [self.rng.sample(FLAGS, self.rng.randint(0, 2)) for _ in range(n)]
        for ident in self.ids:
            f.message(ident, f.size())
        self.uids = []

    def params(self):
        return f"{self.box} {list(zip(self.ids, (self.f.sums[i][0] for i in self.ids), self.flags))}"

    def lock_paths(self):
        return self.f.lock_paths(self.box)

    def run(self):
        w = self.f.imapd()
        data = b"a APPEND " + self.box.encode()
        for ident, flags in zip(self.ids, self.flags):
            body = self.f.bodies[ident]
            data += b" (" + " ".join(flags).encode() + b") {%d+}\r\n" % len(body) + body
        self.kill_after_send(w, "a", data + b"\r\n")
        code = response_code(self.answer, "APPENDUID")
        if self.acked and code:
            self.uids = uid_set(code.split()[1])

    def must_exist(self):
        return self.ids if self.acked else []

    def check(self, f, observed):
        self.unchanged_except(observed, set())
        for box in BOXES:
            if box != self.box:
                self.no_new(observed, [box])
        new = self.new_messages(observed, self.box)
        got = {}
        for uid, (ident, flags, _) in new.items():
            if ident not in self.ids:
                raise Violation("appeared", f"{self.box} UID {uid} ({ident}) is not one of this APPEND's")
            if ident in got:
                raise Violation("twice", f"{ident} is in {self.box} twice (UIDs {got[ident][0]} and {uid})")
            got[ident] = (uid, flags)
        for k, ident in enumerate(self.ids):
            if ident not in got:
                if self.acked:
                    raise Violation("lost", f"acknowledged {ident} is not in {self.box}")
                continue
            uid, flags = got[ident]
            if flagset(self.flags[k]) != flags:
                raise Violation("flags", f"{ident} was appended with {sorted(self.flags[k])}, has {sorted(flags)}")
            if self.uids and self.uids[k] != uid:
                raise Violation("uid", f"{ident}: APPENDUID said {self.uids[k]}, it has UID {uid}")
        if len(self.ids) > 1 and 0 < len(got) < len(self.ids):
            f.partial(f"MULTIAPPEND killed left {len(got)} of its {len(self.ids)} messages ({sorted(got)})")


class MultiAppendOp(AppendOp):
    kind = "multiappend"
    count = 0


class DmailOp(AppendOp):
    kind = "dmail"

    def __init__(self, f):
        super().__init__(f)
        self.flags = [[]]

    def run(self):
        argv = [lib.binary("dmail")] + (["+" + FOLDER] if self.box != "INBOX" else [])
        env = dict(self.f.env, MAIL=self.f.mail.replace("~", self.f.home))
        w = Writer(argv, env, self.f.home)
        body = self.f.bodies[self.ids[0]].replace(b"\r\n", b"\n")
        t = w.send(body, background=True)
        t.join(timeout=5)
        try:
            w.proc.stdin.close()
        except OSError:
            pass
        self.await_kill(lambda timeout: exited(w.proc, timeout))
        rc = w.kill()
        self.acked = rc == 0
        self.answer = b"exit %d" % rc
        if self.acked:
            self.f.acked += 1


def read_or(path, default=b"-"):
    try:
        with open(path, "rb") as f:
            return f.read(64)
    except OSError:
        return default


def exited(proc, timeout):
    try:
        proc.wait(timeout=max(timeout, 0.0001))
        return True
    except subprocess.TimeoutExpired:
        return False


def pick_uids(op, box, most=4):
    uids = sorted(op.f.state[box])
    if not uids:
        return []
    return sorted(op.rng.sample(uids, op.rng.randint(1, min(most, len(uids)))))


class StoreOp(Op):
    kind = "store"

    def __init__(self, f):
        super().__init__(f)
        self.box = self.rng.choice(BOXES)
        self.uids = pick_uids(self, self.box, 8)
        self.mode = self.rng.choice(["+FLAGS", "-FLAGS", "FLAGS"])
        self.flags = self.rng.sample(FLAGS, self.rng.randint(1, 3))

    def possible(self):
        return bool(self.uids)

    def params(self):
        return f"{self.box} UID STORE {uid_text(self.uids)} {self.mode} ({' '.join(self.flags)})"

    def lock_paths(self):
        return self.f.lock_paths(self.box)

    def run(self):
        w = self.selected_op_setup(self.box)
        cmd = f"a UID STORE {uid_text(self.uids)} {self.mode}.SILENT ({' '.join(self.flags)})\r\n"
        self.kill_after_send(w, "a", cmd.encode())

    def new_flags(self, old):
        fl = flagset(self.flags)
        return {"+FLAGS": old | fl, "-FLAGS": old - fl, "FLAGS": fl}[self.mode]

    def check(self, f, observed):
        touched = {(self.box, u) for u in self.uids}
        self.unchanged_except(observed, touched)
        self.no_new(observed)
        for u in self.uids:
            ident, old = f.state[self.box][u]
            got = observed[self.box][1].get(u)
            if got is None:
                raise Violation("lost", f"{self.box} UID {u} ({ident}) is gone after a STORE")
            want = self.new_flags(old)
            if got[1] != want and (self.acked or got[1] != old):
                raise Violation("flags", f"{self.box} UID {u}: flags {sorted(got[1])}, expected {sorted(want)}"
                                + ("" if self.acked else f" or {sorted(old)}"))


class ExpungeOp(Op):
    kind = "expunge"

    def __init__(self, f):
        super().__init__(f)
        # the mailbox with more bytes, so that mbx compaction moves much
        sizes = {b: sum(f.sums[i][0] for i, _ in f.state[b].values()) for b in BOXES}
        self.box = max(BOXES, key=lambda b: sizes[b]) if self.rng.random() < 0.7 else self.rng.choice(BOXES)
        uids = sorted(f.state[self.box])
        # favour the first messages: everything after them moves
        if uids and self.rng.random() < 0.6:
            self.uids = sorted(set(uids[:max(1, len(uids) // 4)][:self.rng.randint(1, 3)]))
        else:
            self.uids = pick_uids(self, self.box, 6)

    def possible(self):
        return bool(self.uids)

    def params(self):
        return f"{self.box} UID STORE {uid_text(self.uids)} +FLAGS.SILENT (\\Deleted), UID EXPUNGE {uid_text(self.uids)}"

    def lock_paths(self):
        return self.f.lock_paths(self.box)

    def run(self):
        text = uid_text(self.uids)
        w = self.selected_op_setup(self.box, f"p2 UID STORE {text} +FLAGS.SILENT (\\Deleted)\r\n".encode())
        for u in self.uids:  # the STORE was acknowledged
            ident, flags = self.f.state[self.box][u]
            self.f.state[self.box][u] = (ident, flags | {"\\Deleted"})
        self.kill_after_send(w, "a", f"a UID EXPUNGE {text}\r\n".encode())

    def may_remove(self):
        return {self.f.state[self.box][u][0] for u in self.uids}

    def check(self, f, observed):
        touched = {(self.box, u) for u in self.uids}
        self.unchanged_except(observed, touched)
        self.no_new(observed)
        for u in self.uids:
            got = observed[self.box][1].get(u)
            if got is None:
                continue
            if self.acked:
                raise Violation("expunged-survived", f"{self.box} UID {u} ({got[0]}) is there after UID EXPUNGE OK")
            if got[1] != f.state[self.box][u][1]:
                raise Violation("flags", f"{self.box} UID {u}: flags {sorted(got[1])}, "
                                f"expected {sorted(f.state[self.box][u][1])}")


class CopyOp(Op):
    kind = "copy"
    verb = "COPY"

    def __init__(self, f):
        super().__init__(f)
        self.src = self.rng.choice(BOXES)
        self.dst = [b for b in BOXES if b != self.src][0]
        self.uids = pick_uids(self, self.src, 5)
        self.map = {}

    def possible(self):
        return bool(self.uids)

    def params(self):
        return f"{self.src} UID {self.verb} {uid_text(self.uids)} {self.dst}"

    def lock_paths(self):
        return self.f.lock_paths(self.dst) + self.f.lock_paths(self.src)

    def run(self):
        w = self.selected_op_setup(self.src)
        self.kill_after_send(w, "a", f"a UID {self.verb} {uid_text(self.uids)} {self.dst}\r\n".encode())
        m = re.search(rb"\[COPYUID \d+ ([\d:,]+) ([\d:,]+)\]", w.out)
        if m:
            self.map = dict(zip(uid_set(m.group(1).decode()), uid_set(m.group(2).decode())))

    def must_exist(self):
        return [self.f.state[self.src][u][0] for u in self.uids] if self.acked else []

    def copies(self, observed):
        ids = {self.f.state[self.src][u][0]: u for u in self.uids}
        got = {}
        for uid, (ident, flags, _) in self.new_messages(observed, self.dst).items():
            if ident not in ids:
                raise Violation("appeared", f"{self.dst} UID {uid} ({ident}) was not {self.verb}'d")
            if ident in got:
                raise Violation("twice", f"{ident} is in {self.dst} twice (UIDs {got[ident][0]} and {uid})")
            src_flags = self.f.state[self.src][ids[ident]][1] - {"\\Deleted"}
            if flags - {"\\Deleted"} != src_flags:
                raise Violation("copy-flags", f"the copy of {ident} in {self.dst} has {sorted(flags)}, "
                                f"the original {sorted(src_flags)}")
            if self.map and self.map.get(ids[ident]) not in (None, uid):
                raise Violation("uid", f"COPYUID said {self.map[ids[ident]]} for {ident}, it has UID {uid}")
            got[ident] = (uid, flags)
        return ids, got

    def check(self, f, observed):
        self.unchanged_except(observed, set())
        self.no_new(observed, [self.src])
        ids, got = self.copies(observed)
        if self.acked and len(got) != len(ids):
            raise Violation("lost", f"COPY acknowledged, copies of {sorted(set(ids) - set(got))} missing")
        if 0 < len(got) < len(ids):
            f.partial(f"a killed COPY left {len(got)} of its {len(ids)} copies")


class MoveOp(CopyOp):
    kind = "move"
    verb = "MOVE"

    def check(self, f, observed):
        touched = {(self.src, u) for u in self.uids}
        self.unchanged_except(observed, touched)
        self.no_new(observed, [self.src])
        ids, got = self.copies(observed)
        for ident, u in ids.items():
            still = observed[self.src][1].get(u)
            if still is not None:
                if self.acked:
                    raise Violation("move", f"{ident} (UID {u}) is still in {self.src} after MOVE OK")
                old = f.state[self.src][u][1]
                if still[1] not in (old, old | {"\\Deleted"}):
                    raise Violation("flags", f"{self.src} UID {u}: flags {sorted(still[1])} after a killed MOVE")
                if ident in got:
                    f.note("killed MOVE left the message in both mailboxes")
            elif ident not in got:
                raise Violation("lost", f"{ident} (UID {u}) is neither in {self.src} nor in {self.dst} "
                                f"after a {'' if self.acked else 'killed '}MOVE")


class MailtoolOp(Op):
    """mailtool copy (same format) or convert (to another) of INBOX into a
    new target, killed; the same command again must finish it, and the
    target must then pass check and hold the source's UIDs."""
    kind = "mailtool"

    def __init__(self, f):
        super().__init__(f)
        f.next_id += 1
        self.target_fmt = self.rng.choice(FORMATS)
        self.dst = f"{f.home}/copies/t{f.next_id}"
        self.convert = self.target_fmt != f.fmt

    def params(self):
        return f"mailtool {'convert' if self.convert else 'copy'} {self.f.paths['INBOX']} {self.dst_arg()}"

    def watch_paths(self):
        return [f"{self.f.home}/copies", self.dst, self.dst + "/cur"]

    def dst_arg(self):
        return f"{self.target_fmt}:{self.dst}" if self.convert else self.dst

    def argv(self):
        return [lib.binary("mailtool"), "convert" if self.convert else "copy", self.f.paths["INBOX"], self.dst_arg()]

    def run(self):
        os.makedirs(f"{self.f.home}/copies", exist_ok=True)
        if os.geteuid() == 0:
            os.chown(f"{self.f.home}/copies", *nobody())
        w = Writer(self.argv(), self.f.env, self.f.home, stdin=False)
        self.await_kill(lambda timeout: exited(w.proc, timeout))
        rc = w.kill()
        self.acked = rc == 0
        self.answer = b"exit %d" % rc
        if not self.acked:  # the same command continues the interrupted copy
            p = subprocess.run(self.argv(), capture_output=True, env=self.f.env, cwd=self.f.home,
                               **as_nobody(), timeout=120)
            self.rerun = p
        else:
            self.rerun = None

    def check(self, f, observed):
        self.unchanged_except(observed, set())
        self.no_new(observed)
        try:
            if self.rerun is not None and self.rerun.returncode != 0:
                raise Violation("mailtool-continue", f"the same command after the kill: exit "
                                f"{self.rerun.returncode}: {(self.rerun.stdout + self.rerun.stderr)[:400]!r}")
            p = subprocess.run([lib.binary("mailtool"), "check", self.dst], capture_output=True, env=f.env,
                               cwd=f.home, **as_nobody(), timeout=STEP_TIMEOUT)
            text = (p.stdout + p.stderr).decode(errors="replace").strip()
            if p.returncode != 0 or text:
                raise Violation("mailtool-check", f"the copy {self.dst}: exit {p.returncode}: {text[:400]}")
            lists = []
            for path in (f.paths["INBOX"], self.dst):
                p = subprocess.run([lib.binary("mailtool"), "ls", path], capture_output=True, env=f.env,
                                   cwd=f.home, **as_nobody(), timeout=STEP_TIMEOUT)
                lists.append(p.stdout.decode(errors="replace").splitlines())
            if lists[0] != lists[1]:
                raise Violation("mailtool-copy", f"mailtool ls of the copy differs: {lists[1][:4]} vs {lists[0][:4]}")
        finally:
            shutil.rmtree(self.dst, True)
            if os.path.exists(self.dst):
                os.unlink(self.dst)


OPS = {"append": AppendOp, "multiappend": MultiAppendOp, "copy": CopyOp, "move": MoveOp, "store": StoreOp,
       "expunge": ExpungeOp, "dmail": DmailOp, "mailtool": MailtoolOp}


def run_format(fmt, seed, seconds, kinds, args):
    rng = random.Random(f"{seed}-{fmt}")
    f = Format(fmt, rng, args)
    try:
        f.run(seconds, kinds)
    except Violation as v:
        f.violations.append((v.kind, f"{fmt} seed {seed}: {v}"))
        print(f"VIOLATION {fmt} seed {seed}: {v}", flush=True)
    kinds_text = " ".join(f"{k}={n}" for k, n in f.by_kind.items() if n)
    viol = {}
    for kind, _ in f.violations:
        viol[kind] = viol.get(kind, 0) + 1
    print(f"crash {fmt}: seed {seed}, {f.kills} kills ({kinds_text}), {f.acked} acknowledged, "
          f"{f.lost} acknowledged messages lost, {f.partials} partial MULTIAPPEND/COPY, {len(f.violations)} violations"
          + (f" ({', '.join(f'{k} {n}' for k, n in sorted(viol.items()))})" if viol else "")
          + (f"; {f.dead}" if f.dead else "")
          + (f"; notes: {f.notes}" if f.notes else ""), flush=True)
    return f


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=15, help="per format")
    ap.add_argument("--format", action="append", choices=FORMATS)
    ap.add_argument("--only", action="append", choices=KINDS, help="writer kinds (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true", help="a line a round")
    ap.add_argument("--full-every", type=int, default=4, metavar="N",
                    help="read every byte of every message after each N-th kill (and after each expunge and "
                    "move); else only new messages whole (default 4)")
    ap.add_argument("--atomic", action="store_true",
                    help="a killed MULTIAPPEND or COPY that left part of its messages is a violation")
    ap.add_argument("--keep-going", action="store_true",
                    help="go on after a violation while the mailbox can still be read")
    ap.add_argument("--known", action="append", default=[], metavar="KIND",
                    help="a violation kind that is a known open defect: reported, not failed")
    args = ap.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 10**6)
    print(f"kill harness: seed {args.seed}, {args.seconds:g} s per format", flush=True)
    results = [run_format(fmt, args.seed, args.seconds, args.only or list(KINDS), args)
               for fmt in (args.format or FORMATS)]
    known = [msg for f in results for kind, msg in f.violations if kind in args.known]
    for msg in known:
        print("KNOWN OPEN DEFECT (not failed): " + msg.splitlines()[0], flush=True)
    bad = [msg for f in results for kind, msg in f.violations if kind not in args.known]
    if bad:
        raise AssertionError(f"{len(bad)} violations (seed {args.seed}); the first: {bad[0]}")
    return results


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
