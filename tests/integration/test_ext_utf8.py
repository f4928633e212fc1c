"""UTF8=ACCEPT (RFC 6855): after ENABLE UTF8=ACCEPT mailbox names travel as
UTF-8 both ways, while the store (and every session without it) keeps
modified UTF-7; names that are not valid UTF-8 are BAD. Each in maildir,
mbx and unix. Dovecot 2.3.19 does not offer UTF8=ACCEPT, so these are
transcripts of our server only."""
import lib

FORMATS = {
    "maildir": None,
    "mbx": {"MAIL": "mbx:~/mail:INBOX=~/INBOX"},
    "unix": {"MAIL": "unix:~/mail:INBOX=~/INBOX"},
}

MESSAGE = b"From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n"
DRAFTS = "Entwürfe".encode()          # modified UTF-7: Entw&APw-rfe
JAPANESE = "日本語".encode()           # modified UTF-7: &ZeVnLIqe-
TROUBLE = "Ärger & Co".encode()       # modified UTF-7: &AMQ-rger &- Co


def ok(reply):
    untagged, tagged = reply
    assert b" OK " in tagged, (untagged, tagged)
    return untagged


def utf8_session(home, env):
    s = lib.imapd_session(home, env)
    assert b"UTF8=ACCEPT" in s.greeting, s.greeting
    assert ok(s.cmd("ENABLE UTF8=ACCEPT")) == [b"* ENABLED UTF8=ACCEPT\r\n"]
    return s


def listed(session):
    # These tests are about names: a mailbox file of mbx/unix (\NoInferiors,
    # it can have no children) is written as a maildir's childless folder.
    return [l.replace(b"(\\NoInferiors)", b"(\\HasNoChildren)")
            for l in ok(session.cmd("LIST \"\" \"*\"")) if l.startswith(b"* LIST")]


def each_format(check):
    for fmt, env in FORMATS.items():
        home = lib.tempdir()
        try:
            check(home, env)
        except AssertionError as e:
            raise AssertionError("%s: %s" % (fmt, e)) from e


def test_utf8_name_created_is_utf8_here_and_mutf7_elsewhere():
    def check(home, env):
        s = utf8_session(home, env)
        ok(s.cmd(b"CREATE \"" + DRAFTS + b"\""))
        assert b"* LIST (\\HasNoChildren) \"/\" \"" + DRAFTS + b"\"\r\n" in listed(s)
        s.close()
        plain = lib.imapd_session(home, env)
        lines = listed(plain)
        assert b"* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n" in lines, lines
        # ...and the other way: a name made in modified UTF-7
        ok(plain.cmd("CREATE &ZeVnLIqe-"))
        plain.close()
        s = utf8_session(home, env)
        assert b"* LIST (\\HasNoChildren) \"/\" \"" + JAPANESE + b"\"\r\n" in listed(s)
        s.close()
    each_format(check)


def test_select_status_rename_delete_by_utf8_name():
    def check(home, env):
        s = utf8_session(home, env)
        ok(s.cmd(b"CREATE \"" + DRAFTS + b"\""))
        ok(s.cmd(b"APPEND \"" + DRAFTS + b"\" {%d+}" % len(MESSAGE), [MESSAGE]))
        assert ok(s.cmd(b"STATUS \"" + DRAFTS + b"\" (MESSAGES)")) == [
            b"* STATUS \"" + DRAFTS + b"\" (MESSAGES 1)\r\n"]
        untagged = ok(s.cmd(b"SELECT \"" + DRAFTS + b"\""))
        assert b"* 1 EXISTS\r\n" in untagged
        untagged, tagged = s.cmd(b"COPY 1 \"" + JAPANESE + b"\"")
        assert b"NO [TRYCREATE]" in tagged, tagged  # no such mailbox yet
        ok(s.cmd(b"CREATE \"" + JAPANESE + b"\""))
        ok(s.cmd(b"COPY 1 \"" + JAPANESE + b"\""))
        ok(s.cmd(b"UNSELECT"))
        ok(s.cmd(b"RENAME \"" + DRAFTS + b"\" \"" + TROUBLE + b"\""))
        lines = listed(s)
        assert b"* LIST (\\HasNoChildren) \"/\" \"" + TROUBLE + b"\"\r\n" in lines, lines
        assert not any(DRAFTS in l for l in lines), lines
        assert ok(s.cmd(b"STATUS \"" + JAPANESE + b"\" (MESSAGES)")) == [
            b"* STATUS \"" + JAPANESE + b"\" (MESSAGES 1)\r\n"]
        # LIST patterns match the UTF-8 names, a wildcard inside a non-ASCII run too
        lines = [l.replace(b"(\\NoInferiors)", b"(\\HasNoChildren)")
                 for l in ok(s.cmd("LIST \"\" \"日*語\"")) if l.startswith(b"* LIST")]
        assert lines == [b"* LIST (\\HasNoChildren) \"/\" \"" + JAPANESE + b"\"\r\n"], lines
        s.close()
        plain = lib.imapd_session(home, env)
        assert ok(plain.cmd("STATUS \"&AMQ-rger &- Co\" (MESSAGES)")) == [
            b"* STATUS \"&AMQ-rger &- Co\" (MESSAGES 1)\r\n"]
        plain.close()
        s = utf8_session(home, env)
        ok(s.cmd(b"SUBSCRIBE \"" + TROUBLE + b"\""))
        assert ok(s.cmd("LSUB \"\" \"*\"")) == [b"* LSUB () \"/\" \"" + TROUBLE + b"\"\r\n"]
        ok(s.cmd(b"UNSUBSCRIBE \"" + TROUBLE + b"\""))
        ok(s.cmd(b"DELETE \"" + TROUBLE + b"\""))
        assert not any(TROUBLE in l for l in listed(s))
        s.close()
    each_format(check)


def test_invalid_utf8_names_are_bad():
    def check(home, env):
        s = utf8_session(home, env)
        for command in (b"CREATE \"bad\xff\"", b"SELECT \"bad\xc3\"", b"STATUS \"\xed\xa0\x80\" (MESSAGES)",
                        b"RENAME INBOX \"x\xc0\xaf\"", b"DELETE \"bad\xff\"", b"LIST \"\" \"\xff*\"",
                        b"SUBSCRIBE \"bad\xff\""):
            untagged, tagged = s.cmd(command)
            assert tagged.startswith(b"t%d BAD " % s.tag_no), (command, tagged)
        untagged, tagged = s.cmd(b"APPEND \"bad\xff\" {%d+}" % len(MESSAGE), [MESSAGE])
        assert tagged.startswith(b"t%d BAD " % s.tag_no), tagged
        ok(s.cmd("NOOP"))  # the session goes on
        s.close()
    each_format(check)


def test_without_enable_names_are_unchanged():
    def check(home, env):
        s = lib.imapd_session(home, env)
        untagged, tagged = s.cmd(b"CREATE \"" + DRAFTS + b"\"")
        assert b" NO " in tagged, tagged  # 8-bit names are refused as before
        ok(s.cmd("CREATE \"a&-b\""))
        assert b"* LIST (\\HasNoChildren) \"/\" a&-b\r\n" in listed(s)
        s.close()
        s = utf8_session(home, env)
        assert b"* LIST (\\HasNoChildren) \"/\" a&b\r\n" in listed(s)
        assert ok(s.cmd("STATUS a&b (MESSAGES)")) == [b"* STATUS a&b (MESSAGES 0)\r\n"]
        s.close()
    each_format(check)


def test_imap4rev2_has_utf8_names():
    def check(home, env):
        s = lib.imapd_session(home, env)
        assert b"IMAP4rev2" in s.greeting
        ok(s.cmd("ENABLE IMAP4rev2"))
        ok(s.cmd(b"CREATE \"" + DRAFTS + b"\""))
        untagged = ok(s.cmd(b"SELECT \"" + DRAFTS + b"\""))
        assert b"* LIST () \"/\" \"" + DRAFTS + b"\"\r\n" in untagged, untagged
        s.close()
    each_format(check)


UTF8_MESSAGE = "From: Jürgen <j@example.org>\r\nSubject: Grüße\r\n\r\nbody\r\n".encode()


def append_utf8(session, mailbox, message):
    """APPEND mailbox UTF8 (~{n+}message) by hand: cmd() knows only {n+}."""
    session.tag_no += 1
    tag = b"t%d" % session.tag_no
    session.send(tag + b" APPEND " + mailbox + b" UTF8 (~{%d+}\r\n" % len(message) + message + b")\r\n")
    untagged = []
    while True:
        line = session.read_response_line()
        if line.startswith(tag + b" "):
            return untagged, line
        untagged.append(line)


def test_append_utf8_data_extension():
    def check(home, env):
        s = lib.imapd_session(home, env)
        untagged, tagged = append_utf8(s, b"INBOX", UTF8_MESSAGE)
        assert b" BAD " in tagged, tagged  # not before ENABLE UTF8=ACCEPT
        ok(s.cmd("NOOP"))
        s.close()
        s = utf8_session(home, env)
        ok(s.cmd(b"CREATE \"" + DRAFTS + b"\""))
        untagged, tagged = append_utf8(s, b"\"" + DRAFTS + b"\"", UTF8_MESSAGE)
        assert b" OK [APPENDUID " in tagged, tagged
        ok(s.cmd(b"SELECT \"" + DRAFTS + b"\""))
        untagged = ok(s.cmd("FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"))
        assert "Subject: Grüße".encode() in b"".join(untagged), untagged  # 8-bit headers as they are
        s.close()
    each_format(check)
