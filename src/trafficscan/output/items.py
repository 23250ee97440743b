"""One scored ad as an output record (SPEC schema ``trafficscan/flagged/v1``).

Also the redaction used with ``--redact``: outputs carry phone numbers of possible victims, so
a copy meant for sharing replaces every contact with a mask made from a keyed hash, which still
links ads sharing a number without revealing it (see :func:`redact_item`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trafficscan.core.ad import ScoredAd
from trafficscan.core.finding import Finding

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
    if item.cluster is not None:
        out["cluster"] = item.cluster
    if item.evidence is not None:
        out["evidence"] = item.evidence
    if ad.extra:  # the input file's own columns, passed through (extension to SPEC)
        out["extra"] = ad.extra
    return out


def redact_item(
    record: dict[str, Any], key: bytes, *, findings: Sequence[Finding] | None = None
) -> dict[str, Any]:
    """Replace phones, e-mails and handles everywhere in a record with keyed masks.

    ``findings`` are the scorer's contact findings of the record's ``text``
    (``ScoredAd.findings``): the text is masked by those spans. ``None`` (a record read back
    from a file) extracts the text again.

    Irreversible: a mask comes from HMAC-SHA256 under ``key`` (random per output unless a share
    key is given, see ``--redact-key``), so hashing every candidate number finds nothing.
    Consistent: texts are masked by span (:mod:`trafficscan.output.redact`), and a contact has the
    same mask in the texts and in ``entities``, so redacted ads that share a number still show
    the link. Match and indicator spans are re-pointed into the masked text; one that covered a
    contact now covers its mask. ``contacts`` lists each contact's kind, keyed hash and mask.
    The content id becomes a keyed id too: it is an unkeyed hash of the unmasked text, so a
    guessed number put back into the masked text could be tested against it.
    """
    from trafficscan.output.redact import ContactHasher, mask_of, mask_text, normal_contacts

    hasher = ContactHasher(key)
    where = f"item {record.get('id', '?')}"
    out = dict(record)
    if isinstance(record.get("id"), str):
        out["id"] = hasher.keyed_id(record["id"])
    text = record.get("text")
    masked = mask_text(
        text if isinstance(text, str) else "",
        hasher,
        where=f"{where}: text",
        findings=findings if isinstance(text, str) else None,
    )
    if isinstance(text, str):
        out["text"] = masked.text
    for name in ("title", "contact", "price", "location"):
        if isinstance(out.get(name), str):
            out[name] = mask_text(out[name], hasher, where=f"{where}: {name}").text

    def one(kind: str, value: Any) -> Any:
        found = normal_contacts({kind: [value]})
        return hasher.mask(found[0]) if found else value

    ents = record.get("entities") or {}
    new_ents = dict(ents)
    if "phones" in ents:
        new_ents["phones"] = [one("phones", p) for p in ents["phones"]]
    if "emails" in ents:
        new_ents["emails"] = [one("emails", e) for e in ents["emails"]]
    if "handles" in ents:
        new_ents["handles"] = [
            {**h, "value": one("handles", h)} if isinstance(h, dict) else one("handles", h)
            for h in ents["handles"]
        ]
    if "urls" in ents:
        new_ents["urls"] = [
            mask_text(str(u), hasher, where=f"{where}: url").text for u in ents["urls"]
        ]
    if isinstance(record.get("entities"), dict):
        out["entities"] = new_ents
    contacts = dict.fromkeys([*normal_contacts(ents), *masked.contacts])
    out["contacts"] = [
        {"kind": c.kind, "hash": (h := hasher.hash(c)), "mask": mask_of(c.kind, h)}
        for c in contacts
    ]

    def repoint(m: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(m.get("start"), int) or not isinstance(m.get("end"), int):
            return {**m, "text": mask_text(str(m.get("text", "")), hasher, where=where).text}
        s, e = masked.span(m["start"], m["end"])
        return {**m, "text": masked.text[s:e], "start": s, "end": e}

    rules = []
    for hit in record.get("rules") or []:
        new_hit = {**hit, "matches": [repoint(m) for m in hit.get("matches", [])]}
        if "context" in hit:
            new_hit["context"] = [repoint(m) for m in hit["context"]]
        rules.append(new_hit)
    out["rules"] = rules
    if isinstance(record.get("explanation"), dict):
        out["explanation"] = _redact_explanation(record["explanation"], rules, masked)
    if isinstance(out.get("seen_with"), dict):
        seen = dict(out["seen_with"])
        seen["ads"] = [
            {**ad, "url": mask_text(ad["url"], hasher, where=f"{where}: seen_with").text}
            if isinstance(ad, dict) and isinstance(ad.get("url"), str)
            else ad
            for ad in seen.get("ads") or []
        ]
        out["seen_with"] = seen
    cluster = record.get("cluster")
    if isinstance(cluster, dict) and isinstance(cluster.get("id"), str):
        # named after its first ad's content id: keyed like the ids, still equal across items
        out["cluster"] = {**cluster, "id": "c-" + hasher.keyed_id(cluster["id"].removeprefix("c-"))}
    out["redacted"] = True
    return out


def _redact_explanation(
    explanation: dict[str, Any], rules: list[dict[str, Any]], masked: Any
) -> dict[str, Any]:
    """The indicators of the explanation, with the words of the redacted matches and entity
    spans into the masked text (an obfuscated-phone span now points at the phone's mask)."""
    words = {hit.get("id"): list(dict.fromkeys(m["text"] for m in hit["matches"])) for hit in rules}
    out = dict(explanation)
    found = []
    for ind in explanation.get("indicators") or []:
        if ind.get("kind") == "rule":
            ind = {**ind, "words": words.get(ind.get("id"), [])}
        elif ind.get("kind") == "entity":
            ind = {**ind, "spans": [list(masked.span(s, e)) for s, e in ind.get("spans", [])]}
        found.append(ind)
    if "indicators" in explanation:
        out["indicators"] = found
    return out
