"""The README's commands from a checkout that other users cannot reach: a
copy of the repository in a 0700 directory (as under root's home), whose
demo and integration tests must still work, although they run the programs
as nobody and as PAM test users (issue: 191 integration failures and a demo
that never greeted from /root/project)."""
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile

import clients_util as cu
import lib

# Tests that run our programs as nobody (preauthenticated imapd, dmail under
# procmail) and as a PAM user behind a real xinetd.
SUBSET = ["test_dmail.test_dmail_under_procmail", "test_dmail.test_dmail_delivers_into_each_format",
          "test_imapd_core.test_", "test_login_xinetd.test_login_xinetd_starttls_login_append_fetch"]


def private_checkout():
    """A copy of the repository in a fresh 0700 directory: a git clone when
    the work tree is clean (as in CI), else its tracked and new files; the
    built programs are copied into its build/."""
    outer = tempfile.mkdtemp(prefix="private-checkout-")
    import atexit
    atexit.register(shutil.rmtree, outer, True)
    assert stat.S_IMODE(os.stat(outer).st_mode) == 0o700
    dest = os.path.join(outer, "project")
    git = shutil.which("git")
    dirty = True
    if git and os.path.isdir(os.path.join(lib.ROOT, ".git")):
        st = subprocess.run([git, "-C", lib.ROOT, "status", "--porcelain", "--untracked-files=no"],
                            capture_output=True, text=True)
        dirty = st.returncode != 0 or st.stdout.strip() != ""
    if not dirty:
        subprocess.run([git, "clone", "-q", lib.ROOT, dest], check=True)
    else:
        files = subprocess.run([git, "-C", lib.ROOT, "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], capture_output=True, check=True).stdout
        for rel in filter(None, files.decode().split("\0")):
            src = os.path.join(lib.ROOT, rel)
            if os.path.isfile(src):
                os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
                shutil.copy2(src, os.path.join(dest, rel))
    os.makedirs(os.path.join(dest, "build"))
    for name in lib.PROGRAMS:
        shutil.copy2(os.path.join(lib.BUILD, name), os.path.join(dest, "build", name))
    return outer, dest


def test_private_checkout_demo_and_tests_as_root():
    if os.geteuid() != 0:
        raise lib.Skip("needs root (the case is root's 0700 home)")
    for name in lib.PROGRAMS:
        if not os.path.exists(os.path.join(lib.BUILD, name)):
            raise lib.Skip(f"{name} is not built yet")
    cu.need("socat")
    outer, dest = private_checkout()
    modes_before = {p: os.stat(p).st_mode for p in (outer, dest, os.path.join(dest, "build"))}

    # make demo from there: greets, serves the sample INBOX.
    port = cu.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("BIN_DIR", "BUILD_DIR", "BUILD")}
    env.update(DEMO_PORT=str(port), DEMO_MESSAGES="12", DEMO_BUILD="0")
    proc = subprocess.Popen([os.path.join(dest, "scripts", "demo")], cwd=dest, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        cu.wait_for_port(port, proc, timeout=60)
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            f = s.makefile("rwb")
            greeting = f.readline()
            assert greeting.startswith(b"* PREAUTH"), greeting
            f.write(b"a SELECT INBOX\r\n")
            f.flush()
            lines = []
            while not lines or not lines[-1].startswith(b"a "):
                lines.append(f.readline())
            assert b"* 12 EXISTS\r\n" in lines and lines[-1].startswith(b"a OK"), lines
    finally:
        cu.interrupt_group(proc)
    out = proc.stdout.read().decode(errors="replace")
    assert "Serving on" in out, out
    # the private copy the sessions ran from is gone with the demo
    served = re.search(r"Demo mailbox: (\S+)/home/Maildir", out).group(1)
    assert served.startswith("/tmp/imapd-demo.") and not os.path.exists(served), out

    # a part of the integration suite, run from there with nothing set up.
    r = subprocess.run([sys.executable, os.path.join(dest, "tests", "integration", "run.py")] + SUBSET,
                       cwd=dest, env=env, capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    assert r.returncode == 0 and " 0 failed" in last, r.stdout[-4000:] + r.stderr[-2000:]
    passed = int(last.split()[1])
    assert passed >= 5, r.stdout[-4000:]

    # nothing of the user's directories was opened up.
    for path, mode in modes_before.items():
        assert os.stat(path).st_mode == mode, (path, oct(os.stat(path).st_mode), oct(mode))
