"""A small tokenizer for IMAP server responses (RFC 3501 section 9 syntax).

parse_value() reads one value: an atom (NIL, numbers, flags, section
specs like BODY[1]), a quoted string with backslash escapes, a literal
{n}\\r\\n<n bytes> (also literal8 ~{n}), or a parenthesised list of values.
It returns the value and the position just after it, so that the caller
can keep the server's exact bytes for any value (buf[start:end]).

Values: Atom (bytes subclass), bytes for strings, None for NIL, list for
lists. Pure functions over bytes, no I/O.
"""


class ParseError(ValueError):
    pass


class Atom(bytes):
    """An unquoted token (NIL is returned as None instead)."""


ATOM_END = b" ()\r\n"


def skip_spaces(buf, pos):
    while pos < len(buf) and buf[pos:pos + 1] == b" ":
        pos += 1
    return pos


def parse_quoted(buf, pos):
    assert buf[pos:pos + 1] == b'"'
    out = bytearray()
    pos += 1
    while True:
        if pos >= len(buf):
            raise ParseError("unterminated quoted string")
        c = buf[pos:pos + 1]
        if c == b"\\":
            if pos + 1 >= len(buf):
                raise ParseError("backslash at end of input")
            out += buf[pos + 1:pos + 2]
            pos += 2
        elif c == b'"':
            return bytes(out), pos + 1
        elif c in (b"\r", b"\n"):
            raise ParseError("line break inside a quoted string at %d" % pos)
        else:
            out += c
            pos += 1


def parse_literal(buf, pos):
    if buf[pos:pos + 1] == b"~":
        pos += 1
    close = buf.find(b"}", pos)
    if close < 0:
        raise ParseError("unterminated literal length")
    count = buf[pos + 1:close].rstrip(b"+")
    if not count.isdigit():
        raise ParseError("bad literal length %r" % count)
    n = int(count)
    if buf[close + 1:close + 3] != b"\r\n":
        raise ParseError("literal length not followed by CRLF")
    start = close + 3
    if start + n > len(buf):
        raise ParseError("literal shorter than announced")
    return buf[start:start + n], start + n


def parse_atom(buf, pos):
    start = pos
    depth = 0  # BODY[HEADER.FIELDS (A B)] holds spaces and parentheses
    while pos < len(buf):
        c = buf[pos:pos + 1]
        if c == b"[":
            depth += 1
        elif c == b"]":
            depth -= 1
        elif depth == 0 and c in (b" ", b"(", b")", b"\r", b"\n"):
            break
        pos += 1
    if pos == start:
        raise ParseError("expected a value at %d" % start)
    return Atom(buf[start:pos]), pos


def parse_list(buf, pos):
    assert buf[pos:pos + 1] == b"("
    items = []
    pos += 1
    while True:
        pos = skip_spaces(buf, pos)
        if pos >= len(buf):
            raise ParseError("unterminated list")
        if buf[pos:pos + 1] == b")":
            return items, pos + 1
        value, pos = parse_value(buf, pos)
        items.append(value)


def parse_value(buf, pos=0):
    """One value at buf[pos:]; returns (value, end position)."""
    pos = skip_spaces(buf, pos)
    c = buf[pos:pos + 1]
    if c == b"(":
        return parse_list(buf, pos)
    if c == b'"':
        return parse_quoted(buf, pos)
    if c == b"{" or (c == b"~" and buf[pos + 1:pos + 2] == b"{"):
        return parse_literal(buf, pos)
    atom, end = parse_atom(buf, pos)
    if atom.upper() == b"NIL":
        return None, end
    return atom, end


def parse_fetch(line):
    """Parses "* N FETCH (KEY VALUE ...)\\r\\n" into (N, {KEY: raw bytes}),
    each raw value exactly as the server sent it. Keys are upper-cased."""
    if not line.startswith(b"* "):
        raise ParseError("not an untagged response: %r" % line[:40])
    num, pos = parse_atom(line, 2)
    pos = skip_spaces(line, pos)
    word, pos = parse_atom(line, pos)
    if word.upper() != b"FETCH" or not num.isdigit():
        raise ParseError("not a FETCH response: %r" % line[:40])
    pos = skip_spaces(line, pos)
    if line[pos:pos + 1] != b"(":
        raise ParseError("FETCH without a list")
    pos += 1
    items = {}
    while True:
        pos = skip_spaces(line, pos)
        if line[pos:pos + 1] == b")":
            pos += 1
            break
        key, pos = parse_atom(line, pos)
        pos = skip_spaces(line, pos)
        start = pos
        _, pos = parse_value(line, pos)
        items[bytes(key).upper()] = line[start:pos]
    if line[pos:] not in (b"\r\n", b"\n", b""):
        raise ParseError("junk after FETCH list: %r" % line[pos:pos + 40])
    return int(num), items
