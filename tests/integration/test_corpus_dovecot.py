"""Guards the golden corpus (tests/corpus): Dovecot, asked again, must give
the stored answers; where a NAME.note records a hand correction, Dovecot
must still give the answer the note quotes (NAME.dovecot-ITEM), so that the
note stays true."""
import os
import sys

import lib

sys.path.insert(0, lib.CORPUS)
import dovecot_answers  # noqa: E402
from imap_response import ParseError, parse_fetch, parse_value  # noqa: E402


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_corpus_is_complete():
    names = dovecot_answers.corpus_names()
    assert len(names) >= 70, len(names)
    for name in names:
        base = os.path.join(lib.CORPUS, name)
        for suffix in dovecot_answers.SUFFIX.values():
            assert os.path.exists("%s.%s" % (base, suffix)), (name, suffix)
        for suffix in ("envelope", "bodystructure"):
            if os.path.exists("%s.dovecot-%s" % (base, suffix)):
                assert os.path.exists(base + ".note"), "%s: correction without a note" % name
    for fname in os.listdir(lib.CORPUS):
        if fname.endswith(".note"):
            base = os.path.join(lib.CORPUS, fname[:-5])
            assert os.path.exists(base + ".eml"), fname
            assert any(os.path.exists("%s.dovecot-%s" % (base, s))
                       for s in ("envelope", "bodystructure")), \
                "%s: a note but no recorded Dovecot answer" % fname


def test_corpus_answers_match_dovecot():
    answers = dovecot_answers.ask_dovecot(lib.CORPUS)
    problems = []
    for name, items in sorted(answers.items()):
        base = os.path.join(lib.CORPUS, name)
        for item, answer in items.items():
            suffix = dovecot_answers.SUFFIX[item]
            expected = read("%s.%s" % (base, suffix))
            dovecot_path = "%s.dovecot-%s" % (base, suffix)
            if os.path.exists(dovecot_path):
                quoted = read(dovecot_path)
                if answer != quoted:
                    problems.append("%s %s: Dovecot no longer answers what the note "
                                    "quotes:\n  now    %r\n  quoted %r"
                                    % (name, suffix, answer[:300], quoted[:300]))
                if expected == quoted:
                    problems.append("%s %s: the correction equals Dovecot's answer"
                                    % (name, suffix))
            elif answer != expected:
                problems.append("%s %s:\n  dovecot  %r\n  expected %r"
                                % (name, suffix, answer[:300], expected[:300]))
    assert not problems, "\n".join(problems)


def test_expected_files_are_one_imap_value():
    """Each golden file is exactly one well-formed IMAP value (a list, or a
    number for .size), with nothing after it."""
    for name in dovecot_answers.corpus_names():
        base = os.path.join(lib.CORPUS, name)
        for suffix in ("envelope", "bodystructure", "size"):
            data = read("%s.%s" % (base, suffix))
            value, end = parse_value(data)
            assert end == len(data), (name, suffix, data[end:end + 40])
            if suffix == "envelope":
                assert isinstance(value, list) and len(value) == 10, (name, value)
            elif suffix == "size":
                assert data.isdigit(), (name, data)
            else:
                assert isinstance(value, list), (name, suffix)


def test_response_tokenizer():
    cases = [
        (b'NIL', None),
        (b'"a \\"b\\" \\\\c"', b'a "b" \\c'),
        (b'{5}\r\nab)(c', b'ab)(c'),
        (b'("x" NIL ("y" {2}\r\n"z))', [b"x", None, [b"y", b'"z']]),
        (b'(("" NIL "a" "b"))', [[b"", None, b"a", b"b"]]),
        (b'BODY[HEADER.FIELDS (A B)]', b"BODY[HEADER.FIELDS (A B)]"),
        (b'~{3}\r\n\x00\x01\x02', b"\x00\x01\x02"),
    ]
    for text, expected in cases:
        value, end = parse_value(text)
        assert value == expected, (text, value)
        assert end == len(text), (text, end)
    for bad in (b'"unterminated', b'(NIL', b'{9}\r\nshort', b'{x}\r\n', b'"a\r\nb"'):
        try:
            parse_value(bad)
        except ParseError:
            continue
        raise AssertionError("accepted %r" % bad)
    num, items = parse_fetch(b'* 3 FETCH (UID 7 RFC822.SIZE 12 ENVELOPE (NIL {2}\r\n()))\r\n')
    assert num == 3 and items[b"UID"] == b"7" and items[b"RFC822.SIZE"] == b"12"
    assert items[b"ENVELOPE"] == b"(NIL {2}\r\n())", items


GENMAIL = os.path.join(lib.ROOT, "tests", "bench", "genmail.py")


def run_genmail(fmt, out, count=200, seed=7):
    import subprocess
    subprocess.run([sys.executable, GENMAIL, "--count", str(count), "--seed", str(seed),
                    "--format", fmt, out], check=True, stderr=subprocess.DEVNULL)


def test_genmail_maildir_served_by_dovecot():
    home = lib.tempdir("genmail-")
    maildir = os.path.join(home, "Maildir")
    run_genmail("maildir", maildir)
    cur = os.listdir(os.path.join(maildir, "cur"))
    new = os.listdir(os.path.join(maildir, "new"))
    assert len(cur) + len(new) == 200 and not os.listdir(os.path.join(maildir, "tmp"))
    assert not os.path.exists(os.path.join(maildir, "dovecot-uidlist"))
    seen = sum("S" in name.split(":2,", 1)[1] for name in cur)
    flagged = sum("F" in name.split(":2,", 1)[1] for name in cur)
    assert 0 < seen < 200 and 0 < flagged < 50, (seen, flagged)
    s = lib.dovecot_session(home)
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert tagged.split()[1] == b"OK", tagged
        assert b"* 200 EXISTS\r\n" in untagged, untagged
        untagged, tagged = s.cmd("SEARCH SEEN")
        found = [line for line in untagged if line.startswith(b"* SEARCH")]
        assert len(found[0].split()) - 2 == seen, (found, seen)
        untagged, tagged = s.cmd("SEARCH FLAGGED")
        assert len(untagged[0].split()) - 2 == flagged, (untagged, flagged)
        # Dovecot trusts S= in the names: they must be the real sizes.
        untagged, tagged = s.cmd("FETCH 1:* (RFC822.SIZE)")
        assert tagged.split()[1] == b"OK" and len(untagged) == 200, tagged
    finally:
        s.close()


def test_genmail_is_deterministic_and_mbox_parses():
    import mailbox
    d = lib.tempdir("genmail-")
    run_genmail("mbox", os.path.join(d, "a"), count=120, seed=3)
    run_genmail("mbox", os.path.join(d, "b"), count=120, seed=3)
    run_genmail("mbox", os.path.join(d, "c"), count=120, seed=4)
    a, b, c = (read(os.path.join(d, n)) for n in "abc")
    assert a == b and a != c
    messages = list(mailbox.mbox(os.path.join(d, "a")))
    assert len(messages) == 120, len(messages)
    assert all(m["Message-ID"] and m["Status"] in ("RO", "O") for m in messages)
    assert any(m["In-Reply-To"] for m in messages), "no threads"
    run_genmail("eml-dir", os.path.join(d, "eml"), count=50, seed=3)
    assert len(os.listdir(os.path.join(d, "eml"))) == 50
