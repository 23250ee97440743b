"""A scan process writing evidence for ever, for the SIGKILL test (run as a script).

``write DB``: open the state database, begin a scan and store exchanges with large bodies
(incompressible, so each takes a while to write) in small rolling files, saying
``stored <n>`` after each is on disk and indexed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from trafficscan.evidence.store import EvidenceStore
from trafficscan.fetch.fetcher import Capture
from trafficscan.state import StateDB


def write(path: Path) -> None:
    db = StateDB.open(path)
    scan_id = db.begin_scan(["crash-site"], "2026-12-03T08:00:00Z")
    print("opened", flush=True)
    store = EvidenceStore(path, scan_id, db, roll_bytes=3_000_000)
    n = 0
    while True:
        body = os.urandom(400_000)
        capture = Capture(
            url=f"https://crash.test/{scan_id}/{n}",
            fetched_at="2026-12-03T08:00:00.000000Z",
            status_line="HTTP/1.1 200 OK",
            headers=[("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
            body=body,
            request_line=f"GET /{scan_id}/{n} HTTP/1.1",
            request_headers=[("Host", "crash.test")],
            server_ip="127.0.0.1",
        )
        store.store(capture)
        n += 1
        print(f"stored {n}", flush=True)


if __name__ == "__main__":
    write(Path(sys.argv[2]))
