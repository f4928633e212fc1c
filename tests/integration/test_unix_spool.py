"""The spool snarf as imapd wires it: a spool given by the configuration
(-c) is moved into the user's INBOX when INBOX is selected, and emptied."""
import os
import re

import lib

SPOOL = (
    b"From alice@example.com Mon Jan  1 10:00:00 2001\n"
    b"Message-ID: <spool-1@example.com>\nSubject: one\n\nbody one\n>From quoted\n\n"
    b"From bob@example.com Tue Jan  2 11:30:00 2001\n"
    b"Message-ID: <spool-2@example.com>\nSubject: two\n\nbody two\n\n"
)


def session(home, conf, mail):
    env = {"HOME": home, "USER": "nobody", "PATH": "/usr/bin:/bin", "MAIL": mail}
    return lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env,
                           preexec_fn=lib.imapd_preexec(home), cwd=home)


def spool_home(fmt, spool_line):
    home = lib.tempdir("unix-spool-")
    os.mkdir(os.path.join(home, "mail"))
    spool = os.path.join(home, "spool")
    with open(spool, "wb") as f:
        f.write(SPOOL)
    conf = os.path.join(home, "imapd.conf")
    with open(conf, "w") as f:
        f.write(spool_line.format(spool=spool) + "fsync = no\n")
    return home, conf, spool


def exists_count(untagged):
    for line in untagged:
        m = re.match(rb"\* (\d+) EXISTS", line)
        if m:
            return int(m.group(1))
    raise AssertionError(untagged)


def check_snarf(fmt):
    home, conf, spool = spool_home(fmt, "spool = {spool}\n")
    s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")
    try:
        untagged, tagged = s.cmd("SELECT INBOX")
        assert b"OK" in tagged, tagged
        assert exists_count(untagged) == 2
        untagged, tagged = s.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] BODY.PEEK[TEXT])")
        text = b"".join(untagged)
        assert b"<spool-1@example.com>" in text and b"<spool-2@example.com>" in text
        assert b"body one\r\nFrom quoted" in text or b">From quoted" in text
    finally:
        s.close()
    assert os.path.getsize(spool) == 0
    assert os.path.getsize(os.path.join(home, "INBOX")) > 0
    # a second session finds the messages in INBOX once, not twice
    s = session(home, conf, f"{fmt}:~/mail:INBOX=~/INBOX")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 2
    finally:
        s.close()


def test_spool_snarfed_into_unix_inbox():
    check_snarf("unix")


def test_spool_snarfed_into_mbx_inbox():
    check_snarf("mbx")


def test_spool_left_alone_when_it_is_the_inbox():
    home, conf, spool = spool_home("unix", "spool = {spool}\n")
    s = session(home, conf, f"unix:~/mail:INBOX={spool}")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 2
    finally:
        s.close()
    assert os.path.getsize(spool) > 0


def test_no_spool_when_the_key_is_empty():
    home, conf, spool = spool_home("unix", 'spool = ""\n# {spool}\n')
    s = session(home, conf, "unix:~/mail:INBOX=~/INBOX")
    try:
        untagged, _ = s.cmd("SELECT INBOX")
        assert exists_count(untagged) == 0
    finally:
        s.close()
    assert os.path.getsize(spool) == len(SPOOL)
