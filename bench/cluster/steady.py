#!/usr/bin/env python3
"""Checked steady load for bench/cluster's failover figure.

WORKERS threads each send GET requests one after another on a keep-alive connection to ENTRY (a node that is not
killed), with the tunnel's Host header, and check status 200 and the body length. After BEFORE seconds the script
sends SIGKILL to PID (the node holding the agent's leg 0) and keeps the load on for AFTER seconds. It prints one line:

  before=N before_failed=N after=N after_failed=N first_success_ms=X last_failure_ms=Y in_flight=N

first_success_ms: kill -> the end of the first successful request sent after the kill; last_failure_ms: kill -> the
end of the last failed request (0 when none failed), i.e. when the failure-free time begins; in_flight: failed
requests that had been sent before the kill.

  steady.py ENTRY_HOST:PORT HOST_HEADER PATH BODY_BYTES PID BEFORE AFTER WORKERS
"""
import http.client
import os
import signal
import sys
import threading
import time

entry, host, path, size, pid, before, after, workers = sys.argv[1:9]
size, pid, before, after, workers = int(size), int(pid), float(before), float(after), int(workers)
addr, port = entry.rsplit(":", 1)
results = []  # (started, ended, ok)
lock = threading.Lock()
stop = threading.Event()


def work():
    conn = None
    while not stop.is_set():
        started = time.monotonic()
        ok = False
        try:
            if conn is None:
                conn = http.client.HTTPConnection(addr, int(port), timeout=10)
            conn.request("GET", path, headers={"Host": host})
            res = conn.getresponse()
            body = res.read()
            ok = res.status == 200 and len(body) == size
            if res.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
        with lock:
            results.append((started, time.monotonic(), ok))
        if not ok:
            time.sleep(0.01)  # a failing path answers at once; do not spin on it


threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
for t in threads:
    t.start()
time.sleep(before)
killed = time.monotonic()
os.kill(pid, signal.SIGKILL)
time.sleep(after)
stop.set()
for t in threads:
    t.join(15)

pre = [r for r in results if r[1] < killed]
post = [r for r in results if r[1] >= killed]
fails = [r for r in post if not r[2]]
first_ok = min((r[1] for r in post if r[2] and r[0] >= killed), default=None)
print("before=%d before_failed=%d after=%d after_failed=%d first_success_ms=%s last_failure_ms=%.0f in_flight=%d" % (
    len(pre), sum(1 for r in pre if not r[2]), len(post), len(fails),
    "none" if first_ok is None else "%.0f" % ((first_ok - killed) * 1000),
    max(((r[1] - killed) * 1000 for r in fails), default=0), sum(1 for r in fails if r[0] < killed)))
