#!/usr/bin/env python3
"""Holds N Control Center live streams (Server-Sent Events) open on a running broker, as N open overview pages do.

Usage: bench/control-center-streams.py HOST ADMIN_PORT API_TOKEN N SECONDS [PATH]
Each stream is read on a thread of its own for SECONDS; the events received are counted and printed at the end.
PATH defaults to /api/v1/events/metrics (the overview page's stream).
"""
import http.client
import sys
import threading
import time


def hold(host, port, token, path, seconds, counts, index):
    deadline = time.monotonic() + seconds
    while True:
        conn = http.client.HTTPConnection(host, port, timeout=seconds + 10)
        conn.request("GET", path, headers={"Authorization": "Bearer " + token, "Accept": "text/event-stream"})
        answer = conn.getresponse()
        if answer.status != 429 or time.monotonic() > deadline:
            break
        # more requests in progress from this address than admin.limits allows: wait as the broker asks
        conn.close()
        time.sleep(float(answer.getheader("Retry-After", "1")))
    if answer.status != 200:
        print(f"{path}: {answer.status} {answer.read(200)!r}", file=sys.stderr)
        return
    while time.monotonic() < deadline:
        line = answer.fp.readline()
        if not line:
            break
        if line.startswith(b"event: "):
            counts[index] += 1
    conn.close()


def main():
    host, port, token, n, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    path = sys.argv[6] if len(sys.argv) > 6 else "/api/v1/events/metrics"
    counts = [0] * n
    threads = [threading.Thread(target=hold, args=(host, port, token, path, seconds, counts, i), daemon=True)
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 15)
    print(f"streams: {n}, events received: {sum(counts)} ({min(counts)}..{max(counts)} per stream)")


if __name__ == "__main__":
    main()
