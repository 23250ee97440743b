"""A second trafficscan process for the lock and crash tests (run as a script, not collected).

``hold DB``: open the database, say ``locked <pid>``, keep the lock until a line arrives on
standard input (or it closes), then close and say ``released``.

``write DB BATCH``: open the database and record batches of BATCH new ads for ever, saying
``batch <scan id> <n>`` after each commit and starting a new scan every 5 batches, so that a
SIGKILL from the test lands at an arbitrary point of a write, a commit or a finish_scan.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.state import StateDB


def _item(scan_id: int, n: int, i: int) -> ScoredAd:
    ad = Ad(
        source="crash-site",
        url=f"https://crash.test/{scan_id}/{n}/{i}",
        body=f"ad {scan_id} {n} {i} call now",
    )
    return ScoredAd(
        ad=ad,
        score=0.6,
        rule_score=0.6,
        model_score=None,
        flagged=True,
        entities={
            "phones": [f"+91981{(i * 7919) % 5000:07d}"],
            "emails": [f"x{i % 300}@mail.test"],
        },
    )


def hold(path: Path) -> None:
    db = StateDB.open(path)
    print("locked", flush=True)
    sys.stdin.readline()
    db.close()
    print("released", flush=True)


def write(path: Path, size: int) -> None:
    db = StateDB.open(path)
    print(f"opened {','.join(map(str, db.recovered_scans))}", flush=True)
    n = 0
    while True:
        scan_id = db.begin_scan(["crash-site"], "2026-11-28T05:00:00Z")
        for _ in range(5):
            db.record(scan_id, [_item(scan_id, n, i) for i in range(size)])
            print(f"batch {scan_id} {n}", flush=True)
            n += 1
        db.finish_scan(scan_id, status="completed", counts={"batches": 5}, errors=[])


if __name__ == "__main__":
    command, db_file = sys.argv[1], Path(sys.argv[2])
    if command == "hold":
        hold(db_file)
    elif command == "write":
        write(db_file, int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {command!r}")
