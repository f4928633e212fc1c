#!/usr/bin/env python3
"""Generates realistic sample mail, deterministically (same seed, same bytes).

  genmail.py --count N --seed S --format maildir|mbox|eml-dir OUTPUT

- maildir: OUTPUT/{cur,new,tmp}; read messages in cur/ named
  "T.M<i>P<seed>.genmail,S=<size>,W=<crlf size>:2,<flags>" (flags F, R, S),
  the newest unread ones in new/; no dovecot-uidlist (the server assigns
  UIDs in order). File mtimes are the messages' dates (INTERNALDATE).
- mbox: one Berkeley mbox file OUTPUT, "From " separator lines, body lines
  starting with "From " quoted as ">From " (mboxo, as UW c-client, procmail
  and Postfix write them), Status: RO / O and X-Status: F/A headers.
- eml-dir: OUTPUT/NNNNNN.eml, one message a file.

What the messages are like: a few hundred people, threads (Re: subjects,
In-Reply-To and References chains), dates spread over the two years before
2024-06-01 in mailbox order, sizes from 1 KB to a few MB with most under
10 KB: plain text, multipart/alternative with HTML, attachments (base64
PDFs, images, archives of random bytes), some non-ASCII subjects and names
as RFC 2047 encoded words, a few mailing-list headers.

A summary (counts of messages, seen, flagged, bytes) is printed to stderr.
"""
import argparse
import base64
import os
import random
import sys
import time

FIRST = """Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Karl Laura Mallory
Niaj Olivia Peggy Quentin Rupert Sybil Trent Ursula Victor Walter Xavier Yvonne
Zoe Aaron Bianca Chen Dmitri Elena Fatima Giorgio Hannah Ingrid Jamal Kenji Lars
Maria Noah Oskar Priya Rosa Samuel Tomas Uma Vera Wei Yusuf""".split()
LAST = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright
Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Nguyen
Garcia Rossi Novak Kowalski Schmidt Dubois Tanaka Kim Silva Costa Jensen Berg""".split()
# Display names that need RFC 2047 encoding.
INTL_NAMES = ["Jürgen Müller", "François Lefèvre", "Søren Kierkegård", "José Núñez",
              "Zoë Brontë", "Łukasz Wójcik", "Ana Ćosić", "山田 太郎", "Дмитрий Иванов",
              "Ελένη Παπαδοπούλου"]
DOMAINS = """example.com example.org example.net mail.example.com lists.example.org
uni.example.edu corp.example.co.uk example.de example.fr example.jp""".split()
TOPICS = """budget report meeting notes release plan server outage conference travel
invoice contract draft review holiday schedule build failure patch proposal
quarterly numbers lunch team offsite migration backup policy security update
customer feedback design mockups hiring interview performance benchmark roadmap
newsletter survey results office move printer issue database upgrade""".split("\n")
TOPIC_WORDS = [w for line in TOPICS for w in line.split()]
SUBJECT_FORMS = ["{a} {b}", "Question about the {a} {b}", "{A} {b} for next week",
                 "Updated {a} {b}", "FYI: {a} {b}", "Re-scheduling the {a} {b}",
                 "{A} {b} (draft {n})", "Thoughts on {a} {b}?", "[{tag}] {a} {b}",
                 "Reminder: {a} {b} due {day}"]
INTL_SUBJECTS = ["Grüße aus Köln", "Réunion de l'équipe demain", "Большое спасибо",
                 "会議の議事録", "Café & crème brûlée", "Ñandú report für Q3",
                 "Προσφορά για το έργο", "Smörgåsbord på fredag"]
WORDS = """the of and to in is that it for on with as was at by be this have from or
an are but not we they which you one all were there can will more when would your
about their out up what so if into has time them some could other than then now
only its also after use two how our work first well way even new want because any
these give day most us mail server message folder client test data system build
please thanks regards note update change issue think need should see know make
week today tomorrow meeting project team plan review draft attached below above
question answer problem fix patch release version file report number""".split()
MAILERS = ["Mutt/2.2.9 (2022-11-12)", "Thunderbird/115.6.0", "Apple Mail (2.3731)",
           "Microsoft Outlook 16.0", "Evolution 3.46.4", "Alpine 2.26", None, None]
ATTACHMENTS = [("application/pdf", "pdf"), ("image/png", "png"), ("image/jpeg", "jpg"),
               ("application/zip", "zip"), ("application/vnd.openxmlformats-"
               "officedocument.spreadsheetml.sheet", "xlsx"), ("application/pdf", "pdf")]
END = 1717200000  # 2024-06-01 00:00:00 UTC: dates run over the two years before
SPAN = 2 * 365 * 86400
POOL_BYTES = 4 * 1024 * 1024


def encoded_word(text, rng):
    """RFC 2047 encoded words (B or Q), each under 75 characters."""
    words, chunk = [], b""
    for ch in text:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > 30:
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    if rng.random() < 0.5:
        return " ".join("=?UTF-8?B?%s?=" % base64.b64encode(w).decode() for w in words)
    out = []
    for w in words:
        q = "".join(chr(c) if chr(c).isalnum() and c < 128 else
                    "_" if c == 32 else "=%02X" % c for c in w)
        out.append("=?UTF-8?Q?%s?=" % q)
    return " ".join(out)


class Person:
    __slots__ = ("name", "addr", "header")

    def __init__(self, name, addr, header):
        self.name, self.addr, self.header = name, addr, header


def make_people(rng, count=300):
    people, seen = [], set()
    while len(people) < count:
        if rng.random() < 0.06:
            name = rng.choice(INTL_NAMES)
            local = "user%d" % len(people)
            shown = encoded_word(name, rng)
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = "%s %s" % (first, last)
            local = rng.choice(["%s.%s", "%s%s", "%.1s%s"]) % (first.lower(), last.lower())
            shown = '"%s, %s"' % (last, first) if rng.random() < 0.1 else name
        addr = "%s@%s" % (local, rng.choice(DOMAINS))
        if addr in seen:
            continue
        seen.add(addr)
        people.append(Person(name, addr, "%s <%s>" % (shown, addr)))
    return people


def paragraph(rng, words):
    lines, line, width = [], [], 0
    for w in rng.choices(WORDS, k=words):
        line.append(w)
        width += len(w) + 1
        if width > 66:
            lines.append(" ".join(line))
            line, width = [], 0
    if line:
        lines.append(" ".join(line))
    text = "\n".join(lines)
    return text[0].upper() + text[1:] + "."


def body_text(rng, target, sender, quoted=None):
    paras = ["Hi,"]
    size = 4
    while size < target:
        p = paragraph(rng, rng.randint(15, 80))
        if rng.random() < 0.01:
            p = "From what I heard,\n" + p  # exercises mbox >From quoting
        paras.append(p)
        size += len(p) + 2
    paras.append("Best regards,\n%s" % sender.name)
    if quoted:
        paras.append("On earlier mail, someone wrote:\n" +
                     "\n".join("> " + line for line in quoted.splitlines()[:12]))
    return "\n\n".join(paras) + "\n"


def html_of(text):
    paras = text.replace("&", "&amp;").replace("<", "&lt;").split("\n\n")
    return ("<html><head><meta charset=\"utf-8\"></head><body>\n" +
            "\n".join("<p>%s</p>" % p.replace("\n", "<br>\n") for p in paras) +
            "\n</body></html>\n")


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.people = make_people(self.rng)
        pool = self.rng.randbytes(POOL_BYTES)
        # base64 of the pool in 76-character lines (57 bytes each): an
        # attachment is a run of whole lines, so it is valid base64 and
        # costs a slice, not an encoding.
        self.b64pool = base64.encodebytes(pool)
        self.history = []  # (message-id, references, subject, sender, rcpt, text)

    def attachment_size(self):
        r = self.rng.random()
        if r < 0.015:
            return int(self.rng.uniform(0.5, 3.0) * 1024 * 1024)
        return int(2 ** self.rng.uniform(12, 17.5))  # 4 KB .. 185 KB

    def attachment(self, boundary, size):
        ctype, ext = self.rng.choice(ATTACHMENTS)
        lines = max(1, size // 57)
        total = len(self.b64pool) // 77
        start = self.rng.randrange(0, max(1, total - lines))
        data = self.b64pool[start * 77:(start + min(lines, total)) * 77].decode()
        name = "%s-%d.%s" % (self.rng.choice(TOPIC_WORDS), self.rng.randint(1, 999), ext)
        return ("--%s\nContent-Type: %s; name=\"%s\"\nContent-Transfer-Encoding: base64\n"
                "Content-Disposition: attachment; filename=\"%s\"\n\n%s"
                % (boundary, ctype, name, name, data))

    def subject(self):
        rng = self.rng
        if rng.random() < 0.07:
            return rng.choice(INTL_SUBJECTS), True
        a, b = rng.sample(TOPIC_WORDS, 2)
        form = rng.choice(SUBJECT_FORMS)
        return form.format(a=a, b=b, A=a.capitalize(), n=rng.randint(2, 9),
                           tag=rng.choice(["dev", "ops", "announce", "team"]),
                           day=rng.choice(["Monday", "Friday", "tomorrow"])), False

    def message(self, i, date):
        rng = self.rng
        parent = None
        if self.history and rng.random() < 0.35:
            parent = self.history[-rng.randint(1, min(len(self.history), 150))]
        if parent:
            pid, prefs, psubj, psender, prcpt, ptext = parent
            sender, rcpt = prcpt, psender
            subject = psubj if psubj.startswith("Re: ") else "Re: " + psubj
            refs = (prefs + [pid])[-10:]
            intl = not subject.isascii()
        else:
            sender, rcpt = rng.sample(self.people, 2)
            subject, intl = self.subject()
            refs, ptext = [], None
        msgid = "<%d.%d.%x@%s>" % (date, i, rng.getrandbits(32), sender.addr.split("@")[1])
        text = body_text(rng, int(2 ** rng.uniform(8.5, 12.5)), sender, ptext)
        self.history.append((msgid, refs, subject, sender, rcpt, text))
        if len(self.history) > 400:
            del self.history[:200]

        t = time.gmtime(date)
        zone = rng.choice([0, 0, 60, 120, -300, -420, 330, 540])
        local = time.gmtime(date + zone * 60)
        datestr = time.strftime("%a, %d %b %Y %H:%M:%S", local) + " %s%02d%02d" % (
            "-" if zone < 0 else "+", abs(zone) // 60, abs(zone) % 60)
        head = ["Return-Path: <%s>" % sender.addr,
                "Received: from mx%d.%s by mail.example.com with ESMTPS id %08X;\n\t%s"
                % (rng.randint(1, 4), sender.addr.split("@")[1], rng.getrandbits(32),
                   time.strftime("%a, %d %b %Y %H:%M:%S +0000", t)),
                "From: " + sender.header,
                "To: " + rcpt.header]
        if rng.random() < 0.2:
            head.append("Cc: " + ", ".join(p.header for p in rng.sample(self.people,
                                                                          rng.randint(1, 4))))
        head.append("Subject: " + (encoded_word(subject, rng) if intl else subject))
        head.append("Date: " + datestr)
        head.append("Message-ID: " + msgid)
        if parent:
            head.append("In-Reply-To: " + refs[-1])
            head.append("References: " + "\n ".join(refs))
        mailer = rng.choice(MAILERS)
        if mailer:
            head.append("User-Agent: " + mailer)
        if rng.random() < 0.1:
            head.append("List-Id: Team discussion <team.lists.example.org>")
        head.append("MIME-Version: 1.0")

        kind = rng.random()
        charset = "utf-8" if not text.isascii() else "us-ascii"
        plain = ("Content-Type: text/plain; charset=%s; format=flowed\n"
                 "Content-Transfer-Encoding: 7bit\n\n%s" % (charset, text))
        if kind < 0.5:
            body_head, body = plain.split("\n\n", 1)
            head.append(body_head)
        else:
            parts = []
            alt = "=_alt_%d_%x" % (i, rng.getrandbits(24))
            if kind < 0.88:
                inner = None
            else:
                inner = "=_mix_%d_%x" % (i, rng.getrandbits(24))
            alternative = ("--%s\n%s\n--%s\nContent-Type: text/html; charset=utf-8\n"
                           "Content-Transfer-Encoding: 8bit\n\n%s\n--%s--\n"
                           % (alt, plain, alt, html_of(text), alt))
            if inner is None:
                head.append("Content-Type: multipart/alternative; boundary=\"%s\"" % alt)
                body = "This is a multi-part message in MIME format.\n\n" + alternative
            else:
                head.append("Content-Type: multipart/mixed; boundary=\"%s\"" % inner)
                parts.append("--%s\nContent-Type: multipart/alternative; boundary=\"%s\"\n\n%s"
                             % (inner, alt, alternative))
                for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
                    parts.append(self.attachment(inner, self.attachment_size()))
                body = "".join(parts) + "--%s--\n" % inner
        return ("\n".join(head) + "\n\n" + body).encode("utf-8")

    def flags(self, i, count):
        """Maildir flag letters: older mail mostly read, the newest mostly not."""
        rng = self.rng
        age = (count - i) / count
        seen = rng.random() < (0.97 if age > 0.1 else 0.5)
        out = ""
        if rng.random() < 0.05:
            out += "F"
        if seen and rng.random() < 0.12:
            out += "R"
        if seen:
            out += "S"
        return out


def dates(rng, count):
    """Increasing Unix times over the two years before END."""
    start = END - SPAN
    points = sorted(rng.randrange(start, END) for _ in range(count))
    return points


def mbox_quote(data):
    """">From " quoting of body lines (mboxo); headers have no "From " lines."""
    if b"\nFrom " not in data:
        return data
    return data.replace(b"\nFrom ", b"\n>From ")


def write_maildir(gen, count, out):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    stats = {"seen": 0, "flagged": 0, "bytes": 0}
    for i, date in enumerate(dates(gen.rng, count)):
        data = gen.message(i, date)
        flags = gen.flags(i, count)
        base = "%d.M%dP%d.genmail,S=%d,W=%d" % (date, i, gen.seed, len(data),
                                                len(data) + data.count(b"\n"))
        if not flags and count - i <= max(1, count // 50):
            path = os.path.join(out, "new", base)  # just delivered, never seen
        else:
            path = os.path.join(out, "cur", base + ":2," + flags)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (date, date))
        stats["seen"] += "S" in flags
        stats["flagged"] += "F" in flags
        stats["bytes"] += len(data)
    return stats


def write_mbox(gen, count, out):
    stats = {"seen": 0, "flagged": 0, "bytes": 0}
    with open(out, "wb") as f:
        for i, date in enumerate(dates(gen.rng, count)):
            data = gen.message(i, date)
            flags = gen.flags(i, count)
            head, sep, body = data.partition(b"\n\n")
            sender = head.split(b"Return-Path: <", 1)[1].split(b">", 1)[0]
            status = b"Status: RO\n" if "S" in flags else b"Status: O\n"
            xstatus = ("F" if "F" in flags else "") + ("A" if "R" in flags else "")
            if xstatus:
                status += b"X-Status: " + xstatus.encode() + b"\n"
            f.write(b"From %s %s\n" % (sender, time.strftime(
                "%a %b %e %H:%M:%S %Y", time.gmtime(date)).encode()))
            f.write(head + b"\n" + status + b"\n" + mbox_quote(b"\n" + body)[1:])
            if not body.endswith(b"\n"):
                f.write(b"\n")
            f.write(b"\n")
            stats["seen"] += "S" in flags
            stats["flagged"] += "F" in flags
            stats["bytes"] += len(data)
    return stats


def write_eml_dir(gen, count, out):
    os.makedirs(out, exist_ok=True)
    stats = {"seen": 0, "flagged": 0, "bytes": 0}
    for i, date in enumerate(dates(gen.rng, count)):
        data = gen.message(i, date)
        gen.flags(i, count)  # same random sequence, same messages as the other formats
        path = os.path.join(out, "%06d.eml" % (i + 1))
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (date, date))
        stats["bytes"] += len(data)
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("maildir", "mbox", "eml-dir"), default="maildir")
    ap.add_argument("output")
    args = ap.parse_args(argv)
    gen = Generator(args.seed)
    writer = {"maildir": write_maildir, "mbox": write_mbox, "eml-dir": write_eml_dir}
    stats = writer[args.format](gen, args.count, args.output)
    print("genmail: %d messages, %d seen, %d flagged, %d bytes in %s"
          % (args.count, stats["seen"], stats["flagged"], stats["bytes"], args.output),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
