"""IMAP response parsing shared by the kill harness and the model check:
split a server's output into responses (literals kept inline), parse FETCH
data, read the tagged status and response codes. Stdlib only."""
import re


def split_responses(data):
    """Complete responses of data (bytes), each with its literals inline and
    its CRLF; a trailing partial response (a killed server's) is dropped."""
    out, pos = [], 0
    while pos < len(data):
        start = pos
        complete = False
        while True:
            end = data.find(b"\r\n", pos)
            if end < 0:
                break
            m = re.search(rb"\{(\d+)\+?\}$", data[pos:end])
            if not m:
                pos = end + 2
                complete = True
                break
            pos = end + 2 + int(m.group(1))
            if pos > len(data):
                break
        if not complete:
            break
        out.append(data[start:pos])
    return out


def tagged(responses, tag):
    """The tagged response line of tag (bytes or str), or None."""
    tag = tag.encode() if isinstance(tag, str) else tag
    for r in responses:
        if r.startswith(tag + b" "):
            return r
    return None


def is_ok(line):
    return line is not None and line.split(b" ", 2)[1:2] == [b"OK"]


class _Reader:
    def __init__(self, data, pos):
        self.data, self.pos = data, pos

    def skip_spaces(self):
        while self.pos < len(self.data) and self.data[self.pos:self.pos + 1] == b" ":
            self.pos += 1

    def value(self):
        """One value: list, quoted string, literal, NIL, number or atom
        (an atom keeps its [section] and <partial> with any spaces or
        parentheses inside them)."""
        self.skip_spaces()
        c = self.data[self.pos:self.pos + 1]
        if c == b"(":
            self.pos += 1
            items = []
            while True:
                self.skip_spaces()
                if self.data[self.pos:self.pos + 1] == b")":
                    self.pos += 1
                    return items
                if self.pos >= len(self.data):
                    raise ValueError("unterminated list")
                items.append(self.value())
        if c == b'"':
            out = bytearray()
            self.pos += 1
            while self.data[self.pos:self.pos + 1] != b'"':
                if self.data[self.pos:self.pos + 1] == b"\\":
                    self.pos += 1
                out += self.data[self.pos:self.pos + 1]
                self.pos += 1
            self.pos += 1
            return bytes(out)
        if c == b"{":
            end = self.data.index(b"}", self.pos)
            n = int(self.data[self.pos + 1:end].rstrip(b"+"))
            start = end + 3  # "}\r\n"
            self.pos = start + n
            return self.data[start:start + n]
        start = self.pos
        depth = 0
        while self.pos < len(self.data):
            ch = self.data[self.pos:self.pos + 1]
            if ch in (b"[", b"<"):
                depth += 1
            elif ch in (b"]", b">"):
                depth -= 1
            elif depth == 0 and ch in (b" ", b")", b"(", b"\r"):
                break
            self.pos += 1
        atom = self.data[start:self.pos]
        if atom == b"NIL":
            return None
        if atom.isdigit():
            return int(atom)
        return atom.decode("latin-1")


def parse_fetch(response):
    """(sequence number, {ITEM: value}) of "* n FETCH (...)", or None. Item
    names are upper case; FLAGS is a list of str; literals are bytes."""
    m = re.match(rb"\* (\d+) FETCH ", response)
    if not m:
        return None
    items = _Reader(response, m.end()).value()
    out = {}
    for i in range(0, len(items) - 1, 2):
        name = items[i].upper() if isinstance(items[i], str) else items[i]
        out[name] = items[i + 1]
    return int(m.group(1)), out


def response_code(line, name):
    """The argument text of [NAME ...] in a response line, or None."""
    m = re.search(rb"\[" + name.encode() + rb" ([^\]]*)\]", line or b"")
    return m.group(1).decode() if m else None


def uid_set(text):
    """The UIDs of a UID set such as "4:6,9", in order."""
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out.extend(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(part))
    return out


def uid_text(uids):
    return ",".join(str(u) for u in uids)


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
