"""imapstat on logs with known answers: mixed prefixes, noise and damaged
lines, rotated .gz files, --since/--until, --json/--csv/--html, and the log
that real imapd sessions write."""
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import time

import lib

BODY = ("session end: user={user} host={host} connect={connect} duration={dur:.3f} "
        "utime={ut:.3f} stime={st:.3f} maxrss={rss} minflt={minflt} majflt={majflt} "
        "nvcsw=5 nivcsw=1 in=100 out=2000")

# (user, host, start "2025-11-25T..", duration, utime, stime, maxrss, minflt, majflt)
SESSIONS = [
    ("fred", "192.0.2.1", "2025-11-25T10:00:00", 30.0, 0.100, 0.050, 4000, 100, 1),
    ("fred", "192.0.2.1", "2025-11-25T10:00:10", 5.0, 0.010, 0.010, 4100, 110, 0),
    ("ann", "192.0.2.2", "2025-11-25T10:00:20", 0.5, 0.001, 0.002, 3900, 90, 0),
    ("-", "198.51.100.9", "2025-11-25T10:00:25", 2.0, 0.000, 0.001, 3000, 50, 0),
    ("bob", "192.0.2.1", "2025-11-25T11:30:00", 4000.0, 2.000, 1.000, 9000, 5000, 3),
    ("ann", "192.0.2.3", "2025-11-25T12:00:00", 700.0, 0.300, 0.200, 5000, 700, 0),
    ("fred", "192.0.2.2", "2025-11-26T00:10:00", 90.0, 0.050, 0.020, 4200, 300, 0),
]
# fred's 10:00:00-10:00:30 overlaps each of the next three in turn (never
# two of them at once), bob's 11:30-12:36:40 overlaps ann's 12:00-12:11:40.
EXPECTED_PEAK = 2


def epoch(iso):
    return int(time.mktime(time.strptime(iso, "%Y-%m-%dT%H:%M:%S"))) - time.timezone


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def lines_for(sessions, style):
    """Session-end lines in the order sessions end, with noise and damage."""
    out = []
    ends = sorted(((epoch(s[2]) + s[3], s) for s in sessions), key=lambda x: x[0])
    for i, (end, s) in enumerate(ends):
        body = BODY.format(user=s[0], host=s[1], connect=iso(epoch(s[2])), dur=s[3], ut=s[4],
                           st=s[5], rss=s[6], minflt=s[7], majflt=s[8])
        t = int(end)
        if style == "syslog" or (style == "mixed" and i % 2 == 0):
            tm = time.gmtime(t)
            prefix = time.strftime("%b ", tm) + "%2d" % tm.tm_mday + time.strftime(" %H:%M:%S", tm)
            prefix += " mailhost imapd[%d]: " % (100 + i)
        else:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S.000123+00:00", time.gmtime(t)) + \
                " mailhost imapd[%d]: " % (100 + i)
        out.append(prefix + "login: user=x host=y")           # other imapd line: ignored
        out.append(prefix.replace("imapd", "postfix/smtpd") + "connect from x")
        out.append(prefix + body)
    return out


DAMAGED = [
    "Nov 25 13:00:00 mailhost imapd[9]: session end: user=fred host=x",
    "Nov 25 13:00:00 mailhost imapd[9]: session end: user=fred host=x connect=never duration=1 "
    "utime=0 stime=0 maxrss=1 minflt=1 majflt=0 nvcsw=0 nivcsw=0 in=0 out=0",
    "Zzz 25 13:00:00 mailhost imapd[9]: " + BODY.format(user="a", host="b",
                                                          connect="2025-11-25T12:00:00Z", dur=1,
                                                          ut=0, st=0, rss=1, minflt=1, majflt=0),
    "\x00\xff binary session end: junk",
]


def expected():
    users = {s[0] for s in SESSIONS if s[0] != "-"}
    return {
        "sessions": len(SESSIONS),
        "sessions_without_login": 1,
        "unique_users": len(users),
        "unique_hosts": len({s[1] for s in SESSIONS}),
        "connect_seconds": round(sum(s[3] for s in SESSIONS), 3),
        "cpu_seconds": round(sum(s[4] + s[5] for s in SESSIONS), 3),
        "minor_faults": sum(s[7] for s in SESSIONS),
        "major_faults": sum(s[8] for s in SESSIONS),
        "max_rss_kb": max(s[6] for s in SESSIONS),
        "max_concurrent": EXPECTED_PEAK,
    }


def write_log(d, name, lines, mtime=None):
    path = os.path.join(d, name)
    data = ("\n".join(lines) + "\n").encode("latin-1")
    if name.endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


def run(args, **kw):
    env = dict(os.environ, TZ="UTC")
    p = subprocess.run([lib.binary("imapstat")] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120, **kw)
    return p


def check_json(report, exp):
    for k, v in exp.items():
        got = report[k]
        if isinstance(v, float):
            assert abs(got - v) < 0.0015, (k, got, v)
        else:
            assert got == v, (k, got, v)


def test_known_answers_json_text_csv():
    d = lib.tempdir()
    log = write_log(d, "mail.log", lines_for(SESSIONS, "mixed") + DAMAGED,
                    mtime=epoch("2025-11-27T00:00:00"))
    p = run(["--json", log])
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    check_json(r, expected())
    assert r["lines"] == {"read": 3 * len(SESSIONS) + len(DAMAGED), "sessions": len(SESSIONS),
                          "malformed": len(DAMAGED), "out_of_range": 0}
    assert r["concurrency_exact"] is True
    assert r["first_start"] == "2025-11-25T10:00:00Z"
    assert r["last_end"] == "2025-11-26T00:11:30Z"
    buckets = {b["bucket"]: b["sessions"] for b in r["session_length"]}
    assert buckets == {"<1s": 1, "1-10s": 2, "10s-1m": 1, "1-10m": 1, "10m-1h": 1,
                       "1-8h": 1, ">=8h": 0}
    users = {u["name"]: u for u in r["users"]}
    assert users["fred"]["sessions"] == 3 and r["users"][0]["name"] == "fred"
    assert abs(users["bob"]["cpu_seconds"] - 3.0) < 1e-9
    hosts = {h["name"]: h["sessions"] for h in r["hosts"]}
    assert hosts == {"192.0.2.1": 3, "192.0.2.2": 2, "192.0.2.3": 1, "198.51.100.9": 1}
    hours = {h["hour"]: h for h in r["hours"]}
    assert hours["2025-11-25T10:00Z"]["sessions"] == 4
    assert hours["2025-11-25T10:00Z"]["max_concurrent"] == 2
    assert hours["2025-11-25T12:00Z"]["max_concurrent"] == 2  # bob and ann overlap

    p = run(["--csv", log])
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode())))
    summary = {row["name"]: row["value"] for row in rows if row["kind"] == "summary"}
    for k, v in expected().items():
        assert abs(float(summary[k]) - v) < 0.0015, (k, summary[k], v)
    assert summary["malformed_lines"] == str(len(DAMAGED))
    host_rows = {row["name"]: int(row["sessions"]) for row in rows if row["kind"] == "host"}
    assert host_rows["192.0.2.1"] == 3
    assert [row["name"] for row in rows if row["kind"] == "user"][0] == "fred"

    p = run(["--top", "2", log])
    text = p.stdout.decode()
    assert p.returncode == 0, p.stderr
    assert "unique users              3" in text
    assert "malformed (skipped)       4" in text
    assert "max concurrent sessions   2" in text
    assert "Top hosts by sessions" in text and "192.0.2.1" in text
    # --top 2 cuts the tables: the third host by sessions is not listed there.
    tops = text.split("Top hosts by sessions")[1].split("Top hosts by CPU")[0]
    assert "192.0.2.3" not in tops and "198.51.100.9" not in tops


def test_rotated_gz_and_stdin_give_the_same_answers():
    d = lib.tempdir()
    lines = lines_for(SESSIONS, "syslog")
    # Oldest first: mail.log.2.gz, mail.log.1.gz, mail.log; a December to
    # January roll is not in this data, the unit tests cover it.
    a, b = lines[:6], lines[6:15]
    c = lines[15:]
    files = [write_log(d, "mail.log.2.gz", a, epoch("2025-11-25T11:00:00")),
             write_log(d, "mail.log.1.gz", b, epoch("2025-11-25T23:00:00")),
             write_log(d, "mail.log", c, epoch("2025-11-26T01:00:00"))]
    p = run(["--json"] + files)
    assert p.returncode == 0, p.stderr
    check_json(json.loads(p.stdout), expected())
    with open(os.path.join(d, "all"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(d, "all")) as f:
        p2 = run(["--json", "-"], stdin=f)
    check_json(json.loads(p2.stdout), expected())
    # A missing file is reported and the rest still counted.
    p3 = run(["--json", os.path.join(d, "nope")] + files)
    assert p3.returncode == 1 and b"nope" in p3.stderr
    check_json(json.loads(p3.stdout), expected())


def test_since_until():
    d = lib.tempdir()
    log = write_log(d, "mail.log", lines_for(SESSIONS, "rfc3339"))
    p = run(["--json", "--since", "2025-11-25T11:00Z", "--until", "2025-11-25", log])
    r = json.loads(p.stdout)
    assert r["sessions"] == 2 and r["lines"]["out_of_range"] == 5, r
    p = run(["--json", "--since", "2025-11-26", log])
    assert json.loads(p.stdout)["sessions"] == 1
    p = run(["--json", "--since", "2025-11-27", "--until", "bad", log])
    assert p.returncode == 2 and b"not a date" in p.stderr


def test_garbage_never_crashes():
    d = lib.tempdir()
    import random
    rnd = random.Random(3)
    good = lines_for(SESSIONS, "mixed")
    junk = []
    for i in range(2000):
        line = rnd.choice(good)
        cut = rnd.randrange(len(line))
        junk.append(line[:cut] + chr(rnd.randrange(256)) + line[cut + 1:])
    junk.append("x" * 3000000)  # longer than the read buffer
    path = write_log(d, "junk.log", junk)
    p = run(["--json", path])
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["lines"]["read"] >= 2001
    assert r["lines"]["malformed"] > 0 and r["sessions"] > 0


def test_html_charts():
    if not shutil.which("gnuplot"):
        raise lib.Skip("gnuplot (gnuplot-nox) is not installed")
    d = lib.tempdir()
    log = write_log(d, "mail.log", lines_for(SESSIONS, "mixed"))
    out = os.path.join(d, "report")
    p = run(["--html", out, log])
    assert p.returncode == 0, p.stderr
    html = open(os.path.join(out, "index.html")).read()
    for svg in ("sessions.svg", "cpu.svg", "hosts.svg"):
        assert f'src="{svg}"' in html
        data = open(os.path.join(out, svg)).read()
        assert data.lstrip().startswith("<?xml") or "<svg" in data[:500], svg
    sessions = open(os.path.join(out, "sessions.svg")).read()
    assert "sessions started per hour" in sessions and "max concurrent sessions" in sessions
    assert "<path" in sessions
    assert "CPU seconds per hour" in open(os.path.join(out, "cpu.svg")).read()
    hosts = open(os.path.join(out, "hosts.svg")).read()
    for h in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.9"):
        assert h in hosts, h
    assert "unique users              3" in html


def test_real_imapd_sessions():
    """imapd started as root (as inetd does) logs each session's end to
    log_path; imapstat reads those lines back."""
    if os.geteuid() != 0:
        raise lib.Skip("needs root: only a root-started imapd logs users in and session ends")
    d = lib.tempdir("imapstat-")
    os.chmod(d, 0o755)
    homes = {}
    passwd = []
    for user, uid in (("fred", 42011), ("ann", 42012)):
        home = os.path.join(d, user)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(home, "Maildir", sub))
        lib.chown_tree(home, uid, uid)
        homes[user] = home
        passwd.append(f"{user}:{{PLAIN}}pw-{user}:{uid}:{uid}::{home}::")
    with open(os.path.join(d, "users"), "w") as f:
        f.write("\n".join(passwd) + "\n")
    log = os.path.join(d, "imapd.log")
    conf = os.path.join(d, "imapd.conf")
    with open(conf, "w") as f:
        f.write(f"passdb = passwd-file:{d}/users\nmail_location = maildir:%h/Maildir\n"
                f"spool =\nlog_path = {log}\nplaintext_auth = yes\n"
                f"alert_file = {d}/alert\nshutdown_file = {d}/shutdown\n")
    env = {"PATH": "/usr/bin:/bin"}
    for user in ("fred", "fred", "ann"):
        s = lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env, cwd=d)
        _, tagged = s.cmd(f"LOGIN {user} pw-{user}")
        assert b"OK" in tagged, tagged
        s.cmd("SELECT INBOX")
        s.close()
    s = lib.ImapSession([lib.binary("imapd"), "-c", conf], env=env, cwd=d)
    s.close()  # a session without a login
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and open(log).read().count("session end:") < 4:
        time.sleep(0.05)
    p = run(["--json", log])
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["sessions"] == 4, (r, open(log).read())
    assert r["lines"]["malformed"] == 0
    assert r["sessions_without_login"] == 1
    assert {u["name"]: u["sessions"] for u in r["users"]} == {"fred": 2, "ann": 1}
    assert r["unique_hosts"] == 1
    assert r["minor_faults"] > 0 and r["max_rss_kb"] > 0


def test_html_chart_axes_have_headroom():
    """With the same number of sessions every hour, the sessions line lay on
    the chart's top border, invisible: every chart's y-axis must end above
    its largest value (charts.gp is the script the SVGs are drawn from)."""
    if not shutil.which("gnuplot"):
        raise lib.Skip("gnuplot (gnuplot-nox) is not installed")
    d = lib.tempdir()
    same = [("fred", "192.0.2.1", f"2025-11-25T{h:02d}:10:00", 60.0, 1.0, 0.0, 4000, 1, 0)
            for h in range(10, 16)]
    log = write_log(d, "mail.log", lines_for(same, "syslog"))
    out = os.path.join(d, "report")
    p = run(["--html", out, log])
    assert p.returncode == 0, p.stderr
    script = open(os.path.join(out, "charts.gp")).read()
    tops = {}
    chart = None
    for line in script.splitlines():
        if line.startswith("set output"):
            chart = os.path.basename(line.split("'")[1])
        elif line.startswith("set yrange") and chart:
            tops[chart] = float(line.split(":")[1].rstrip("]"))
    # 1 session an hour (and 1 at most at once), 1 s of CPU an hour, 6 for the one host
    assert tops.get("sessions.svg", 0) > 1 and tops.get("cpu.svg", 0) > 1 and tops.get("hosts.svg", 0) > 6, tops
