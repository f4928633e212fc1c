#!/usr/bin/env python3
"""Writes a mail log like a busy site's: imapd session-end lines (the format
of imapd/log/session_end.hpp) among Postfix and other imapd lines, in the
order sessions end, with a syslog or RFC 3339 prefix.

    genlog.py [--lines N] [--users U] [--hosts H] [--start YYYY-MM-DD]
              [--rate SESSIONS_PER_HOUR] [--format syslog|rfc3339]
              [--noise FRACTION] [--malformed EVERY] [--seed S] > mail.log

Only the imapd session lines count as sessions; --noise is the share of
other lines; every EVERY-th session line is damaged (0: none)."""
import argparse
import heapq
import random
import sys
import time


def stamp(t, fmt):
    if fmt == "rfc3339":
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06d+00:00" % random.randrange(1000000)
    tm = time.gmtime(t)
    return time.strftime("%b ", tm) + "%2d" % tm.tm_mday + time.strftime(" %H:%M:%S", tm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--hosts", type=int, default=2000)
    ap.add_argument("--start", default="2025-11-01")
    ap.add_argument("--rate", type=float, default=3000.0, help="sessions per hour")
    ap.add_argument("--format", choices=["syslog", "rfc3339"], default="syslog")
    ap.add_argument("--noise", type=float, default=0.3)
    ap.add_argument("--malformed", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    random.seed(a.seed)
    t = time.mktime(time.strptime(a.start, "%Y-%m-%d")) - time.timezone
    users = ["user%d" % i for i in range(a.users)]
    hosts = ["198.51.%d.%d" % (i // 250, i % 250 + 1) for i in range(a.hosts)]
    out = sys.stdout
    pending = []  # (end, line) waiting for their end time
    written = sessions = 0
    mean_gap = 3600.0 / a.rate

    def emit(end, body, prog="imapd[%d]" % 1000):
        nonlocal written
        out.write("%s mailhost %s: %s\n" % (stamp(end, a.format), prog, body))
        written += 1

    while written < a.lines:
        t += random.expovariate(1.0 / mean_gap)
        while pending and pending[0][0] <= t and written < a.lines:
            end, body = heapq.heappop(pending)
            emit(end, body, "imapd[%d]" % random.randrange(2, 60000))
        if written >= a.lines:
            break
        if random.random() < a.noise:
            emit(t, "%X: to=<u@example.org>, relay=local, status=sent" % random.getrandbits(40),
                 "postfix/local[%d]" % random.randrange(2, 60000))
            continue
        sessions += 1
        dur = min(random.lognormvariate(3.0, 1.8), 5 * 3600)
        user = "-" if random.random() < 0.02 else random.choice(users[: max(1, int(len(users) * random.random()) + 1)])
        body = ("session end: user=%s host=%s connect=%s duration=%.3f utime=%.3f stime=%.3f "
                "maxrss=%d minflt=%d majflt=%d nvcsw=%d nivcsw=%d in=%d out=%d") % (
            user, random.choice(hosts), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t))),
            dur, dur * 0.001, dur * 0.0005, random.randrange(3000, 9000), random.randrange(200, 3000),
            random.randrange(0, 3), random.randrange(5, 500), random.randrange(0, 50),
            random.randrange(100, 10000), random.randrange(1000, 10000000))
        if a.malformed and sessions % a.malformed == 0:
            body = body[: random.randrange(12, len(body))]
        heapq.heappush(pending, (int(t) + dur, body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
