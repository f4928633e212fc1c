"""Asks Dovecot for ENVELOPE, BODYSTRUCTURE and RFC822.SIZE of corpus
messages: each .eml is copied byte for byte into a fresh maildir, Dovecot
(preauthenticated, tests/integration/lib.py) assigns the UIDs, and
dovecot-uidlist tells which UID is which file.

Shared by generate-expected (writes the golden files) and by
tests/integration/test_corpus_dovecot.py (checks them)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402
from imap_response import parse_fetch  # noqa: E402

ITEMS = (b"ENVELOPE", b"BODYSTRUCTURE", b"RFC822.SIZE")
# File suffix of each item's golden file, NAME.<suffix>.
SUFFIX = {b"ENVELOPE": "envelope", b"BODYSTRUCTURE": "bodystructure",
          b"RFC822.SIZE": "size"}


def corpus_names(corpus=HERE):
    return sorted(n[:-4] for n in os.listdir(corpus) if n.endswith(".eml"))


def make_maildir(home, corpus, names):
    """Writes each NAME.eml into home/Maildir/cur as one message file."""
    maildir = os.path.join(home, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    for i, name in enumerate(names):
        with open(os.path.join(corpus, name + ".eml"), "rb") as f:
            data = f.read()
        # The base name carries the corpus name so that the uidlist maps
        # UIDs back to names; no S=/W= so that Dovecot measures the file.
        fname = "%d.M%dP1.%s:2," % (1700000000 + i, i, name)
        with open(os.path.join(maildir, "cur", fname), "wb") as f:
            f.write(data)
    return maildir


def read_uidlist(maildir):
    """{uid: corpus name} from Dovecot's dovecot-uidlist (version 3)."""
    uids = {}
    with open(os.path.join(maildir, "dovecot-uidlist"), "rb") as f:
        lines = f.read().decode().splitlines()
    for line in lines[1:]:
        # "UID [extension fields] :FILENAME"; the file name follows the
        # first colon (extension fields hold none).
        uid, rest = line.split(" ", 1)
        base = rest[rest.index(":") + 1:].split(":", 1)[0]
        uids[int(uid)] = base.split(".", 2)[2]
    return uids


def ask_dovecot(corpus=HERE, names=None):
    """{name: {item: Dovecot's exact bytes}} for the named corpus messages."""
    names = corpus_names(corpus) if names is None else names
    home = lib.tempdir("corpus-")
    maildir = make_maildir(home, corpus, names)
    session = lib.dovecot_session(home)
    try:
        _, tagged = session.cmd("SELECT INBOX")
        if tagged.split()[1] != b"OK":
            raise RuntimeError("SELECT failed: %r" % tagged)
        untagged, tagged = session.cmd(
            "UID FETCH 1:* (" + " ".join(i.decode() for i in ITEMS) + ")")
        if tagged.split()[1] != b"OK":
            raise RuntimeError("FETCH failed: %r" % tagged)
    finally:
        session.close()
    uid_names = read_uidlist(maildir)
    answers = {}
    for line in untagged:
        _, items = parse_fetch(line)
        name = uid_names[int(items[b"UID"])]
        answers[name] = {item: items[item] for item in ITEMS}
    missing = set(names) - set(answers)
    if missing:
        raise RuntimeError("Dovecot did not answer for %s" % sorted(missing))
    return answers
