"""What links two ads: the keys an ad carries, each naming how it links (``by``).

Contacts are the state database's normalised contact keys (E.164 phone, lower-cased e-mail,
``platform:handle``); a contact on more than :data:`CONTACT_CAP` ads is taken as a site's own
number or a placeholder (``+910000000000``) and stops linking. Text keys are the LSH band keys
of :mod:`.neardup`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trafficscan.features.contact_keys import contacts_of

#: A contact shared by more ads than this links no further ads (likely a site's own number).
CONTACT_CAP = 200


@dataclass(frozen=True, slots=True)
class Key:
    """One link key: ``by`` is phone, email, handle or text; ``value`` a signed 64-bit hash."""

    by: str
    value: int


def kind_of(kind: str) -> str:
    """``handle:telegram`` → ``handle``: the ``by`` of a link."""
    return kind.partition(":")[0]


def contact_key(kind: str, value: str) -> Key:
    digest = hashlib.blake2b(f"{kind}\x00{value}".encode(), digest_size=8).digest()
    return Key(kind_of(kind), int.from_bytes(digest, "big", signed=True))


def contact_keys(entities: Mapping[str, Any] | None) -> list[Key]:
    return [contact_key(kind, value) for kind, value in contacts_of(entities)]


def text_keys(bands: list[int]) -> list[Key]:
    # a band key and a contact key never collide in practice (independent 64-bit hashes)
    return [Key("text", b) for b in bands]
