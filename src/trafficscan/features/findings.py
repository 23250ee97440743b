"""Every recognizer's records, and every derived signal, as :class:`Finding` objects.

The typed records stay what rules, the ``entities`` output and the classifier read; this module
converts them to the one shape (kind, span, value, normal form, confidence, explanation) for
whatever works on spans of the text: redaction masks the contact findings the scorer found, and
an analyst's tools can list every finding with its reason. Nothing here runs while scoring
except :func:`contact_findings`, which costs one truth test for an ad without contacts.

One converter per registered kind (:data:`trafficscan.features.recognizers.KINDS`) and one per
derived signal (:data:`~trafficscan.features.recognizers.SIGNALS`); the assertions at the end
hold both tables to the registry. A signal's spans equal ``Features.entity_spans(name)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from trafficscan.core.finding import DEOBFUSCATED, INFERRED, STATED, Finding
from trafficscan.features.contact_keys import contacts_of
from trafficscan.features.entity_names import is_young
from trafficscan.features.recognizers import KINDS, SIGNALS
from trafficscan.features.types import Age, Handle, Location, Phone, Price

if TYPE_CHECKING:
    from trafficscan.features.extract import Features

__all__ = ["CONTACT_KINDS", "contact_findings", "findings_of"]

#: The kinds that identify a person or operator: what redaction masks and the state links.
CONTACT_KINDS = ("phone", "email", "handle")

_NATIONALITY = {
    "IN": "Indian", "AE": "UAE", "SA": "Saudi", "QA": "Qatari", "OM": "Omani", "KW": "Kuwaiti",
    "BH": "Bahraini", "MY": "Malaysian", "TH": "Thai", "KH": "Cambodian", "MM": "Myanmar",
    "LA": "Lao", "NP": "Nepali", "BD": "Bangladeshi", "LK": "Sri Lankan", "PK": "Pakistani",
    "US": "US", "GB": "UK", "SG": "Singapore",
}  # fmt: skip
_PLATFORM = {
    "whatsapp": "WhatsApp", "telegram": "Telegram", "instagram": "Instagram",
    "snapchat": "Snapchat", "facebook": "Facebook", "twitter": "Twitter",
}  # fmt: skip


def _key(kind: str, value: object) -> str:
    """The contact's normal form, exactly as the state database and redaction key it."""
    if kind == "handle":
        assert isinstance(value, Handle)
        found = contacts_of({"handles": [{"platform": value.platform, "value": value.value}]})
        return f"{found[0][0].removeprefix('handle:')}:{found[0][1]}" if found else ""
    found = contacts_of({f"{kind}s": [value]})
    return found[0][1] if found else ""


def _how_written(value: str) -> str:
    """How a number was disguised, read from the text as written."""
    if any(ch.isalpha() for ch in value):
        return "written in words or letters for digits"
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        return "written in Indic or full-width digits"
    return "written with unusual spacing, symbols or hidden characters"


def _phone(text: str, p: Phone) -> Finding:
    value = text[p.start : p.end]
    nationality = _NATIONALITY.get(p.country, p.country)
    what = f"{nationality} phone number".lstrip()
    if p.obfuscated:
        why, confidence = _how_written(value), DEOBFUSCATED
    else:
        why, confidence = "written in digits", STATED
    if p.messaging_only:
        why += f", offered for {' and '.join(_PLATFORM.get(x, x) for x in p.platforms)} only"
    return Finding(
        "phone", p.start, p.end, value, _key("phone", p.e164), confidence, f"{what} {why}"
    )


def _phones(f: Features) -> Iterator[Finding]:
    text = f.text
    return (_phone(text, p) for p in f.phones)


def _emails(f: Features) -> Iterator[Finding]:
    text = f.text
    for e in f.emails:
        if e.obfuscated:
            why, confidence = "e-mail address written as 'name [at] domain'", DEOBFUSCATED
        else:
            why, confidence = "e-mail address", STATED
        yield Finding(
            "email", e.start, e.end, text[e.start : e.end], _key("email", e.value), confidence, why
        )


def _handles(f: Features) -> Iterator[Finding]:
    text = f.text
    # numbers named beside a messaging app become accounts of it in extract(): same span
    numbers = {(p.start, p.end, p.e164) for p in f.phones if p.platforms}
    for h in f.handles:
        platform = _PLATFORM.get(h.platform, h.platform)
        if (h.start, h.end, h.value) in numbers:
            why, confidence = f"{platform} account: a number named beside {platform}", INFERRED
        else:
            why, confidence = f"{platform} account", STATED
        yield Finding(
            "handle", h.start, h.end, text[h.start : h.end], _key("handle", h), confidence, why
        )


def _urls(f: Features) -> Iterator[Finding]:
    text = f.text
    for u in f.urls:
        why = f"chat link ({u.domain})" if u.messaging else f"web address ({u.domain})"
        yield Finding("url", u.start, u.end, text[u.start : u.end], u.value, STATED, why)


def _amount(p: Price) -> str:
    amount = int(p.amount) if p.amount.is_integer() else p.amount
    return f"{amount} {p.currency}" + (f"/{p.unit}" if p.unit else "")


def _price(text: str, p: Price, kind: str = "price") -> Finding:
    amount = int(p.amount) if p.amount.is_integer() else p.amount
    why = f"price of {amount:,} {p.currency}" + (f" per {p.unit}" if p.unit else "") + " stated"
    return Finding(kind, p.start, p.end, text[p.start : p.end], _amount(p), STATED, why)


def _prices(f: Features) -> Iterator[Finding]:
    text = f.text
    return (_price(text, p) for p in f.prices)


def _age_value(a: Age) -> str:
    return str(a.low) if a.low == a.high else f"{a.low}-{a.high}"


def _age(text: str, a: Age, kind: str = "age", why: str = "") -> Finding:
    value = _age_value(a)
    stated = f"age {value} stated" if a.low == a.high else f"ages {value} stated"
    return Finding(kind, a.start, a.end, text[a.start : a.end], value, STATED, stated + why)


def _ages(f: Features) -> Iterator[Finding]:
    text = f.text
    return (_age(text, a) for a in f.ages)


def _location(text: str, x: Location, kind: str = "location") -> Finding:
    if kind == "scam_hub":
        why = f"{x.name} named: a known scam-compound location"
    elif kind == "foreign_destination":
        why = f"{x.name} named: a place outside India"
    else:
        why = f"{x.name} named ({x.kind}, {x.country})"
    return Finding(kind, x.start, x.end, text[x.start : x.end], x.name, STATED, why)


def _locations(f: Features) -> Iterator[Finding]:
    text = f.text
    return (_location(text, x) for x in f.locations)


def _persons(f: Features) -> Iterator[Finding]:
    text = f.text
    for p in f.persons:
        yield Finding(
            "person",
            p.start,
            p.end,
            text[p.start : p.end],
            f"{p.count} {p.noun}",
            STATED,
            f"{p.count} people counted ('{p.noun}')",
        )


def _minor_age(f: Features) -> Iterator[Finding]:
    return (_age(f.text, a, "minor_age", ": under 18") for a in f.ages if a.low < 18)


def _young_age(f: Features) -> Iterator[Finding]:
    return (_age(f.text, a, "young_age", ": 18 or 19") for a in f.ages if is_young(a))


def _foreign_destination(f: Features) -> Iterator[Finding]:
    return (_location(f.text, x, "foreign_destination") for x in f.locations if x.foreign)


def _scam_hub(f: Features) -> Iterator[Finding]:
    return (_location(f.text, x, "scam_hub") for x in f.locations if x.scam_hub)


def _messaging_only(f: Features) -> Iterator[Finding]:
    """Rests on what the ad lacks (no e-mail, website or number for calls): inferred."""
    if not f.messaging_only_contact:
        return
    text = f.text
    for h in f.handles:
        yield Finding(
            "messaging_only_contact",
            h.start,
            h.end,
            text[h.start : h.end],
            _key("handle", h),
            INFERRED,
            f"messaging is the only contact offered ({_PLATFORM.get(h.platform, h.platform)})",
        )
    for p in f.phones:
        if p.messaging_only:
            yield Finding(
                "messaging_only_contact",
                p.start,
                p.end,
                text[p.start : p.end],
                p.e164,
                INFERRED,
                "messaging is the only contact offered (a number for chat only)",
            )


def _obfuscated_phone(f: Features) -> Iterator[Finding]:
    text = f.text
    for p in f.phones:
        if p.obfuscated:
            value = text[p.start : p.end]
            why = f"phone number hidden from plain reading: {_how_written(value)}"
            yield Finding("obfuscated_phone", p.start, p.end, value, p.e164, DEOBFUSCATED, why)


def _multiple_phones(f: Features) -> Iterator[Finding]:
    n = len({p.e164 for p in f.phones})
    if n < 2:
        return
    for p in f.phones:
        found = _phone(f.text, p)
        why = f"one of {n} different phone numbers in the ad"
        yield Finding("multiple_phones", p.start, p.end, found.value, p.e164, found.confidence, why)


def _foreign_currency(f: Features) -> Iterator[Finding]:
    return (_price(f.text, p, "foreign_currency") for p in f.prices if p.currency != "INR")


_Converter = Callable[["Features"], Iterator[Finding]]
_BY_KIND: dict[str, _Converter] = {
    "phone": _phones,
    "email": _emails,
    "handle": _handles,
    "url": _urls,
    "price": _prices,
    "age": _ages,
    "location": _locations,
    "person": _persons,
}
_BY_SIGNAL: dict[str, _Converter] = {
    "minor_age": _minor_age,
    "young_age": _young_age,
    "foreign_destination": _foreign_destination,
    "scam_hub": _scam_hub,
    "messaging_only_contact": _messaging_only,
    "obfuscated_phone": _obfuscated_phone,
    "multiple_phones": _multiple_phones,
    "foreign_currency": _foreign_currency,
}
assert tuple(_BY_KIND) == KINDS, "one converter per registered kind"
assert set(_BY_SIGNAL) == {s.name for s in SIGNALS} - set(KINDS), "one per derived signal"


def _order(x: Finding) -> tuple[int, int, str]:
    return (x.start, -x.end, x.kind)


def findings_of(f: Features) -> tuple[Finding, ...]:
    """Every recognizer's findings and every derived signal, by (start, -end, kind)."""
    out = [x for convert in (*_BY_KIND.values(), *_BY_SIGNAL.values()) for x in convert(f)]
    out.sort(key=_order)
    return tuple(out)


def contact_findings(f: Features) -> tuple[Finding, ...]:
    """The phone, e-mail and handle findings, by (start, -end, kind): what redaction masks."""
    if not (f.phones or f.emails or f.handles):
        return ()  # most ads
    out = [*_phones(f), *_emails(f), *_handles(f)]
    out.sort(key=_order)
    return tuple(out)
