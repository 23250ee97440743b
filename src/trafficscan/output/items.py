"""One scored ad as an output record (SPEC schema ``trafficscan/flagged/v1``).

Also the redaction used with ``--redact``: outputs carry phone numbers of possible victims, so
a copy meant for sharing replaces every contact with a keyed hash prefix that still links ads
sharing a number, without revealing it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from trafficscan.ad import ScoredAd

SCHEMA = "trafficscan/flagged/v1"
_ROUND = 4


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), _ROUND)


def item_to_dict(item: ScoredAd) -> dict[str, Any]:
    """The SPEC output item. Field order is fixed: golden files pin it."""
    ad = item.ad
    out: dict[str, Any] = {
        "id": ad.id,
        "source": ad.source,
        "url": ad.url,
        "title": ad.title,
        "text": ad.text,
        "price": ad.price,
        "location": ad.location,
        "posted_at": ad.posted_at,
        "score": _r(item.score),
        "rule_score": _r(item.rule_score),
        "model_score": _r(item.model_score),
        "flagged": item.flagged,
        "entities": item.entities,
        "rules": [h.to_dict() for h in item.hits],
        "explanation": item.explanation,
    }
    if item.first_seen is not None:
        out["first_seen"] = item.first_seen
        out["last_seen"] = item.last_seen
        out["new"] = item.is_new
        out["seen_with"] = item.seen_with
    return out


def _mask(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:10]
    return f"[{kind}:{digest}]"


def redact_item(record: dict[str, Any]) -> dict[str, Any]:
    """Replace phones, e-mails and handles everywhere in a record with stable masks.

    The same contact always gets the same mask, so two redacted ads sharing a phone still show
    the link. Match spans are kept (they index the unredacted text) but their text is masked
    when it overlaps a contact.
    """
    ents = record.get("entities") or {}
    replacements: list[tuple[str, str]] = []
    for phone in ents.get("phones", []):
        mask = _mask("phone", phone)
        replacements.append((phone, mask))
        national = phone[3:] if phone.startswith("+91") else phone.lstrip("+")
        replacements.append((national, mask))
    for email in ents.get("emails", []):
        replacements.append((email, _mask("email", email)))
    for handle in ents.get("handles", []):
        value = handle.get("value", "") if isinstance(handle, dict) else str(handle)
        if value:
            replacements.append((value, _mask("handle", value)))
    replacements.sort(key=lambda kv: -len(kv[0]))

    def scrub(text: str) -> str:
        for raw, mask in replacements:
            if raw and raw in text:
                text = text.replace(raw, mask)
        # digits written with separators still leak a number: mask any long digit run
        return _DIGIT_RUN.sub(lambda m: _mask("digits", re.sub(r"\D", "", m.group())), text)

    out = dict(record)
    for key in ("title", "text", "contact"):
        if isinstance(out.get(key), str):
            out[key] = scrub(out[key])
    new_ents = dict(ents)
    if "phones" in ents:
        new_ents["phones"] = [_mask("phone", p) for p in ents["phones"]]
    if "emails" in ents:
        new_ents["emails"] = [_mask("email", e) for e in ents["emails"]]
    if "handles" in ents:
        new_ents["handles"] = [
            {**h, "value": _mask("handle", h.get("value", ""))} if isinstance(h, dict) else h
            for h in ents["handles"]
        ]
    if "urls" in ents:
        new_ents["urls"] = [scrub(u) for u in ents["urls"]]
    out["entities"] = new_ents
    out["rules"] = [
        {**hit, "matches": [{**m, "text": scrub(m["text"])} for m in hit.get("matches", [])]}
        for hit in record.get("rules", [])
    ]
    if out.get("seen_with"):
        out["seen_with"] = dict(out["seen_with"])
    out["redacted"] = True
    return out


_DIGIT_RUN = re.compile(r"(?<![\w\[:])\+?\d(?:[\s.\-()]*\d){7,}")
