"""Real text nobody on this project wrote: the check sets for real-world precision.

    python scripts/realdata.py real-pages -o real-pages.jsonl    # the 409 saved listing items
    python scripts/realdata.py emscad -o emscad.jsonl            # EMSCAD sample, legitimate ads

Three sets, all from ``../shared/data`` (see each folder's SOURCE.md):

* ``real-pages`` — the 409 items of the six saved listing pages (OLX India, TimesJobs,
  Internshala, Craigslist for-sale and software jobs, Indeed), read with the crawler's own
  parse stage and the selectors verified in each SOURCE.md. **Never used for training**: it is
  the visible check (a test holds the flag rate on it to at most 1 %).
* ``emscad`` — the legitimate job ads of the EMSCAD sample (347 long company ads with profile,
  requirements and benefits boilerplate). Held out of training: a check on the genre the tool
  reads most, in its real form.
* ``sms-ham`` — the ordinary ("ham") messages of the SMS phishing set (CC BY 4.0), split in
  two halves by a hash of their row: the ``train`` half is shipped as training negatives
  (``data/real/sms-ham-train.jsonl``, ``sms-ham-train`` here), the ``check`` half (``sms-ham``)
  is held out of training.

Used by ``benchmarks/quality.py`` and the quality tests; nothing here reaches the network.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

# (file under real-pages/, source name, item selector, fields) — as verified in SOURCE.md
REAL_PAGES: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (
        "olx-in/search-items-q-car-cover.html",
        "olx-in",
        'li[data-aut-id^="itemBox"]',
        {
            "title": '[data-aut-id="itemTitle"]',
            "body": '[data-aut-id="itemDetails"]',
            "price": '[data-aut-id="itemPrice"]',
            "location": '[data-aut-id="item-location"]',
        },
    ),
    (
        "timesjobs/search-it-software-jobs.html",
        "timesjobs",
        "li.joblistli",
        {
            "title": "header h2 > a",
            "body": "li.job-description__",
            "price": "ul.top-jd-dtl > li:has(> i.salary)",
            "location": "ul.top-jd-dtl > li.location-tru",
        },
    ),
    (
        "internshala/search-data-science-jobs.html",
        "internshala",
        "div.individual_internship[internshipid]",
        {
            "title": "a.job-title-href",
            "body": "div.detail-row-2",
            "price": "div.row-1-item:has(> i.ic-16-money) > span.desktop",
            "location": "p.row-1-item.locations",
        },
    ),
    (
        "craigslist/search-boston-sss-2023-11.html",
        "craigslist-boston",
        "li.cl-search-result",
        {"title": "a.posting-title span.label", "price": "span.priceinfo", "location": "div.meta"},
    ),
    (
        "craigslist/search-sfbay-pen-sof-2019-12.html",
        "craigslist-sfbay",
        "li.result-row",
        {"title": "a.result-title", "location": "span.result-hood"},
    ),
    (
        "indeed/search-savannah-ga-2025-03.html",
        "indeed",
        "div.job_seen_beacon",
        {"title": "h2.jobTitle a span[title]", "body": "ul.metadataContainer"},
    ),
)


def real_pages(shared: Path = SHARED) -> Iterator[dict[str, str]]:
    """The 409 items of the saved listing pages as ad records (input order)."""
    from trafficscan.fetch.charset import decode_body
    from trafficscan.parse.html import parse_listing
    from trafficscan.sources.config import Listing, Selector

    for rel, source, item, fields in REAL_PAGES:
        path = shared / "real-pages" / rel
        text, _ = decode_body(path.read_bytes(), "text/html")
        sels = {k: Selector.parse(v) for k, v in fields.items()}
        page = parse_listing(
            text, f"https://{source}.invalid/", Listing(Selector.parse(item)), sels
        )
        for it in page.items:
            yield {
                "id": f"{source}-{it.position}",
                "source": source,
                "url": f"https://{source}.invalid/#{it.position}",
                **it.fields,
                "label": 0,
            }


def real_page_ads(shared: Path = SHARED) -> list:
    """:func:`real_pages` as :class:`~trafficscan.core.ad.Ad` objects: the check set that the
    precision tests, ``train``'s before/after table and the cluster test all score."""
    from trafficscan.core.ad import Ad

    return [
        Ad(
            source=r["source"],
            id=r["id"],
            title=r.get("title", ""),
            body=r.get("body", ""),
            price=r.get("price", ""),
            location=r.get("location", ""),
        )
        for r in real_pages(shared)
    ]


def emscad(shared: Path = SHARED, *, fraudulent: bool = False) -> Iterator[dict[str, str]]:
    """EMSCAD sample rows as ad records: the ad's text columns joined into ``body``."""
    csv.field_size_limit(1 << 30)
    with open(shared / "emscad" / "fj_small.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["fraudulent"] == "1") != fraudulent:
                continue
            parts = [
                row[c]
                for c in ("company_profile", "description", "requirements", "benefits")
                if row[c].strip()
            ]
            yield {
                "id": f"emscad-{row['job_id']}",
                "source": "emscad",
                "title": row["title"],
                "body": "\n".join(parts),
                "location": row["location"],
                "price": row["salary_range"],
                "label": int(fraudulent),
            }


def half(record_id: str) -> str:
    """``train`` or ``check``: a fixed split of a real set by a hash of the record id."""
    return ("train", "check")[int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % 2]


def sms_ham(shared: Path = SHARED, part: str | None = "check") -> Iterator[dict[str, str]]:
    """The ordinary messages of the SMS phishing set: the ``check`` half (held out of
    training), the ``train`` half (shipped as ``data/real/sms-ham-train.jsonl``), or all."""
    with open(
        shared / "sms_phishing_mendeley_5971" / "Dataset_5971.csv", encoding="utf-8", newline=""
    ) as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            rid = f"sms-{i}"
            if (
                row["LABEL"].strip().lower() == "ham"
                and row["TEXT"].strip()
                and (part is None or half(rid) == part)
            ):
                yield {
                    "id": rid,
                    "title": "",
                    "body": row["TEXT"].strip(),
                    "label": 0,
                    "category": "none",
                    "lang": "en",
                    "kind": "sms",
                }


SETS = {
    "real-pages": real_pages,
    "emscad": emscad,
    "sms-ham": sms_ham,
    "sms-ham-train": lambda: sms_ham(part="train"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args()
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    with out:
        for rec in SETS[args.set]():
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
