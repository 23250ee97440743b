"""Turn an ad's extracted entities into the contact keys that link postings together.

Only contacts that identify a person or an operator link ads: phones, e-mails and messaging
handles. URLs, ages and prices are shared by unrelated ads all the time and would drown the
real links. Keys are normalised so that trivial spelling differences still match; phones are
already E.164 from the entity extractor, so they are only stripped of stray spaces here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Contact = tuple[str, str]  # (kind, value)


def _handle(entry: Any) -> Contact | None:
    """Handles come as ``{"platform", "value"}``; a bare ``"platform:value"`` string is accepted."""
    if isinstance(entry, Mapping):
        platform, value = entry.get("platform"), entry.get("value")
    elif isinstance(entry, str) and ":" in entry:
        platform, _, value = entry.partition(":")
    else:
        return None
    if not platform or not value:
        return None
    value = str(value).strip().lstrip("@").casefold()
    platform = str(platform).strip().casefold()
    return (f"handle:{platform}", value) if value and platform else None


def contacts_of(entities: Mapping[str, Any] | None) -> list[Contact]:
    """The distinct contact keys of one ad, in a stable order."""
    if not entities:
        return []
    found: dict[Contact, None] = {}
    for phone in entities.get("phones") or ():
        value = "".join(str(phone).split())
        if value:
            found[("phone", value)] = None
    for email in entities.get("emails") or ():
        value = str(email).strip().casefold()
        if value:
            found[("email", value)] = None
    for entry in entities.get("handles") or ():
        if (contact := _handle(entry)) is not None:
            found[contact] = None
    return list(found)
