#!/usr/bin/env python3
"""Pages through GET /api/v1/clients of a running broker with limit=1000 and prints the page latencies.

Usage: bench/admin-paging.py HOST ADMIN_PORT API_TOKEN PASSES [PAUSE_SECONDS]
Each pass follows nextCursor from the first page to the last over one keep-alive connection; a page is timed from
sending the request to the last byte of the answer. The answers are not parsed as JSON (the client's own CPU would
compete with the broker on a small machine): items are counted by their "clientId" key and the cursor is read from
the end of the answer. PAUSE_SECONDS (default 0) waits between passes, like a list refreshed every few seconds.
"""
import http.client
import re
import sys
import time

CURSOR = re.compile(rb'"nextCursor":(null|"([^"]*)")\s*}\s*$')


def main():
    host, port, token, passes = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    conn = http.client.HTTPConnection(host, port)
    latencies = []
    total = 0
    for n in range(passes):
        if n > 0 and pause > 0:
            time.sleep(pause)
        cursor = None
        seen = 0
        while True:
            path = "/api/v1/clients?limit=1000" + ("&cursor=" + cursor if cursor else "")
            started = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": "Bearer " + token})
            answer = conn.getresponse()
            body = answer.read()
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                sys.exit(f"{path}: {answer.status} {body[:200]!r}")
            seen += body.count(b'"clientId":')
            found = CURSOR.search(body[-400:])
            if found is None:
                sys.exit(f"{path}: no nextCursor at the end of the answer")
            if found.group(2) is None:
                break
            cursor = found.group(2).decode()
        total = seen
    latencies.sort()

    def pct(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    print(f"sessions per pass: {total}, pages: {len(latencies)} over {passes} passes, page latency ms: "
          f"p50 {pct(0.5):.1f}, p90 {pct(0.9):.1f}, p99 {pct(0.99):.1f}, max {latencies[-1]:.1f}")


if __name__ == "__main__":
    main()
