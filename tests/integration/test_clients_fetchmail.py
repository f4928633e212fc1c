"""fetchmail with a plugin (the tunnel to a preauthenticated imapd) and
procmail as its MDA, fetching every message of INBOX into a local mbox,
keeping them on the server."""
import mailbox
import os
import re

import clients_util as cu

FETCHMAILRC = """\
set no syslog
poll localhost with proto IMAP
  plugin "{tunnel}"
  user "{user}" there is "{local_user}" here
  password "unused-preauth"
  sslproto ""
  folder "INBOX"
  fetchall
  keep
  no rewrite
  mda "/usr/bin/procmail -f %F -m {procmailrc}"
"""


def unquote(text):
    text = text.replace(b"\r\n", b"\n")
    return re.sub(rb"(?m)^>(>*From )", rb"\1", text).rstrip(b"\n")


def without_fetchmail_received(head):
    """The header less the Received field fetchmail adds for itself."""
    fields = re.split(rb"\n(?=[^ \t])", head)
    return b"\n".join(f for f in fields if not (f.startswith(b"Received: from localhost")
                                               and b"(fetchmail-" in f))


def test_fetchmail_fetches_all_into_mbox():
    cu.need("fetchmail")
    cu.need("procmail")
    server = cu.ImapdServer(count=80, seed=41)
    original = cu.snapshot(server.maildir)
    work = cu.client_dir("clients-fetchmail-")
    mbox = os.path.join(work, "fetched.mbox")
    procmailrc = os.path.join(work, "procmailrc")
    with open(procmailrc, "w") as f:
        f.write(f"DEFAULT={mbox}\nLOGFILE={work}/procmail.log\n")
    rc = os.path.join(work, "fetchmailrc")
    import pwd
    local_user = pwd.getpwuid(os.geteuid()).pw_name
    with open(rc, "w") as f:
        f.write(FETCHMAILRC.format(tunnel=server.tunnel, user=server.user,
                                   local_user=local_user, procmailrc=procmailrc))
    os.chmod(rc, 0o600)
    proc = cu.run([cu.need("fetchmail"), "-f", rc, "--nodetach", "-N", "-v",
                   "--idfile", os.path.join(work, "fetchids"),
                   "--pidfile", os.path.join(work, "fetchmail.pid")],
                  timeout=50, cwd=work,
                  env={"HOME": work, "PATH": "/usr/bin:/bin", "USER": local_user,
                       "LOGNAME": local_user})
    # exit 0: mail was fetched (1 would mean none, others errors)
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:],
                                  server.stderr()[-2000:])

    assert os.path.exists(mbox), (proc.stdout[-3000:], proc.stderr[-3000:],
                                  cu.read_bytes(os.path.join(work, "procmail.log"))[-2000:]
                                  if os.path.exists(os.path.join(work, "procmail.log")) else b"")
    box = mailbox.mbox(mbox, create=False)
    fetched = {}
    for key in box.keys():
        text = box.get_bytes(key)
        mid = cu.message_id(text)
        assert mid not in fetched, f"{mid} delivered twice"
        fetched[mid] = text
    box.close()
    assert set(fetched) == set(original), (len(fetched), len(original))
    for mid, text in fetched.items():
        head, body = text.replace(b"\r\n", b"\n").split(b"\n\n", 1)
        want = original[mid].text
        assert unquote(body) == unquote(cu.body_of(want)), mid
        want_head = want.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        assert unquote(without_fetchmail_received(head)) == unquote(want_head), mid

    # "keep" left every message on the server, which fetchmail marked \Seen;
    # the other flags are unchanged
    served = server.server_messages()
    assert set(served) == set(original)
    for mid, (uid, flags) in served.items():
        want = original[mid].flags | {"\\Seen"}
        assert flags == want, (mid, flags, want)
    server.assert_quiet()
