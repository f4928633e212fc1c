"""Python's imaplib against imapd through IMAP4_stream (the client starts
imapd on a pipe): select, search, fetch, store, copy, expunge, append."""
import email
import email.policy
import imaplib
import re
import time

import clients_util as cu
from clients_util import ok


def test_imaplib_select_search_fetch():
    server = cu.ImapdServer(count=50, seed=11)
    on_disk = cu.snapshot(server.maildir)
    with server.imaplib() as c:
        assert c.welcome.startswith(b"* PREAUTH"), c.welcome
        data = ok(c.select("INBOX"))
        assert data == [b"50"], data
        # UIDVALIDITY and UIDNEXT come with SELECT
        assert re.fullmatch(rb"\d+", c.untagged_responses["UIDVALIDITY"][0]), c.untagged_responses
        # SEARCH ALL lists every sequence number
        assert ok(c.search(None, "ALL"))[0].split() == [b"%d" % i for i in range(1, 51)]
        # SEARCH UNSEEN and FLAGGED agree with the flags in the file names
        unseen = ok(c.search(None, "UNSEEN"))[0].split()
        flagged = ok(c.search(None, "FLAGGED"))[0].split()
        assert len(unseen) == sum("\\Seen" not in m.flags for m in on_disk.values()), unseen
        assert len(flagged) == sum("\\Flagged" in m.flags for m in on_disk.values()), flagged
        # every message's flags and full text match the file on disk
        served = cu.fetch_message_ids(c)
        assert set(served) == set(on_disk)
        for mid, (_, flags, _) in on_disk.items():
            assert served[mid][1] == flags, (mid, served[mid], flags)
        data = ok(c.fetch("1:*", "(BODY.PEEK[] RFC822.SIZE)"))
        texts = [d[1] for d in data if isinstance(d, tuple)]
        assert len(texts) == 50
        for text in texts:
            want = on_disk[cu.message_id(text)].text
            assert text.replace(b"\r\n", b"\n") == want.replace(b"\r\n", b"\n")
        # SEARCH by header text finds the message whose subject it is
        subject = str(email.message_from_bytes(texts[7], policy=email.policy.default)["Subject"])
        subject_word = max(re.findall(r"[A-Za-z]{5,}", subject), key=len,
                           default=None)
        if subject_word:
            hits = ok(c.search(None, "SUBJECT", subject_word))[0].split()
            assert b"8" in hits, (subject_word, hits)
        # FETCH ENVELOPE carries the subject
        env = ok(c.fetch("8", "(ENVELOPE)"))[0]
        assert env.startswith(b"8 (ENVELOPE ("), env
    server.assert_quiet()


def test_imaplib_store_copy_expunge():
    server = cu.ImapdServer(count=20, seed=12)
    with server.imaplib() as c:
        ok(c.create("Archive"))
        ok(c.select("INBOX"))
        ids = cu.fetch_message_ids(c)
        by_uid = {uid: mid for mid, (uid, _) in ids.items()}
        uids = sorted(by_uid)
        # STORE +FLAGS returns the new flags
        data = ok(c.store("1:3", "+FLAGS", "(\\Flagged $Work)"))
        assert len(data) == 3 and all(b"\\Flagged" in d and b"$Work" in d for d in data), data
        data = ok(c.store("1", "-FLAGS", "(\\Flagged)"))
        assert b"\\Flagged" not in data[0] and b"$Work" in data[0], data
        ok(c.store("2", "FLAGS.SILENT", "(\\Seen)"))
        data = ok(c.fetch("2", "(FLAGS)"))
        flags = set(re.fullmatch(rb"2 \(FLAGS \(([^)]*)\)\)", data[0]).group(1).split())
        assert flags - {b"\\Recent"} == {b"\\Seen"}, data
        # COPY 4:6 to Archive
        ok(c.copy("4:6", "Archive"))
        # delete 1, 5 and 10, expunge: the answers count down correctly
        ok(c.store("1,5,10", "+FLAGS.SILENT", "(\\Deleted)"))
        data = ok(c.expunge())
        # any order is valid (Dovecot goes backwards): replay the numbers
        seqs = list(range(1, 21))
        for n in data:
            del seqs[int(n) - 1]
        assert set(range(1, 21)) - set(seqs) == {1, 5, 10}, data
        assert ok(c.select("INBOX"))[0] == b"17"
        left = cu.fetch_message_ids(c)
        gone = {by_uid[uids[0]], by_uid[uids[4]], by_uid[uids[9]]}
        assert set(left) == set(ids) - gone
        # UIDs survive the expunge
        for mid, (uid, _) in left.items():
            assert ids[mid][0] == uid
        assert left[by_uid[uids[1]]][1] == {"\\Seen"}
        assert left[by_uid[uids[2]]][1] >= {"\\Flagged", "$Work"}
        # the copies are in Archive, with their flags
        ok(c.select("Archive", readonly=True))
        archived = cu.fetch_message_ids(c)
        assert set(archived) == {by_uid[u] for u in uids[3:6]}
        for mid, (_, flags) in archived.items():
            assert flags == ids[mid][1], (mid, flags, ids[mid][1])
    # a fresh session sees the same state (it was written to disk)
    assert set(server.server_messages()) == set(left)
    assert cu.maildir_messages(server.maildir).keys() == left.keys()
    server.assert_quiet()


def test_imaplib_append_with_flags_and_date():
    server = cu.ImapdServer()
    message = (b"From: Ann <ann@example.org>\r\nTo: bob@example.com\r\n"
               b"Subject: appended by imaplib\r\nMessage-ID: <append-1@example.org>\r\n"
               b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\nHello,\r\nthis is the body.\r\n")
    when = imaplib.Time2Internaldate(time.mktime((2020, 3, 4, 5, 6, 7, 0, 0, -1)))
    with server.imaplib() as c:
        data = ok(c.append("INBOX", "(\\Seen \\Flagged $Label1)", when, message))
        # UIDPLUS servers say [APPENDUID v uid]; plain OK is fine too
        ok(c.select("INBOX"))
        data = ok(c.fetch("1", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"))
        meta, text = data[0]
        assert text == message, text
        assert b"RFC822.SIZE %d" % len(message) in meta, meta
        flags = set(re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).split())
        assert flags - {b"\\Recent"} == {b"\\Seen", b"\\Flagged", b"$Label1"}, meta
        got = re.search(rb'INTERNALDATE "([^"]+)"', meta).group(1)
        assert imaplib.Internaldate2tuple(b'INTERNALDATE "' + got + b'"') == \
            imaplib.Internaldate2tuple(b"INTERNALDATE " + when.encode()), (got, when)
        # appending to a missing mailbox fails with [TRYCREATE]
        typ, data = c.append("NoSuchBox", None, None, message)
        assert typ == "NO" and b"TRYCREATE" in data[0], (typ, data)
    # the message is in the Maildir with the flags in its name
    on_disk = cu.maildir_messages(server.maildir)
    assert list(on_disk) == ["<append-1@example.org>"]
    path, flags = on_disk["<append-1@example.org>"]
    assert flags == {"\\Seen", "\\Flagged"}, path
    assert cu.read_bytes(path).replace(b"\r\n", b"\n") == message.replace(b"\r\n", b"\n")
    server.assert_quiet()
