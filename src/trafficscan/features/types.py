"""The small, immutable records the extractors return.

Every record carries ``start``/``end``: a half-open span of the **original** ad text, so the
report can quote and highlight exactly what the ad said, whatever normalisation found it.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar

__all__ = ["Age", "Email", "Handle", "Location", "Person", "Phone", "Price", "Url"]

_T = TypeVar("_T")


class _Factory:
    """The default shown for a field with a default factory, as dataclasses shows it."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def fast_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an ``__init__`` that stores each field through its slot.

    The ``__init__`` dataclasses writes for a frozen class calls ``object.__setattr__`` for every
    field, which makes it nearly twice as slow, and these records are made for every ad. The new
    one has the same parameters and defaults; nothing else changes (the instances stay frozen,
    with the same repr, equality and hash). Apply it on top of
    ``@dataclass(frozen=True, slots=True)``.
    """
    assert not hasattr(cls, "__post_init__"), "fast_init: no __post_init__"
    ns: dict[str, Any] = {"_FACTORY": _FACTORY}
    params: list[str] = []
    body: list[str] = []
    for f in fields(cls):  # type: ignore[arg-type]
        assert f.init and not f.kw_only, "fast_init: plain fields only"
        ns[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor
        if f.default is not MISSING:
            ns[f"_dflt_{f.name}"] = f.default
            params.append(f"{f.name}=_dflt_{f.name}")
        elif f.default_factory is not MISSING:
            ns[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(f"if {f.name} is _FACTORY: {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"_set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "".join(f"    {b}\n" for b in body)
    exec(source, ns)
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@fast_init
@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number, validated by ``phonenumbers`` and written in E.164 (``+919000012345``).

    ``obfuscated`` is true when the number could only be read after undoing digit words, Indic
    or full-width digits, letters or keycaps for digits, invisible characters or unusual spacing.
    ``platforms`` lists the messaging apps named next to it (``whatsapp``, ``telegram``);
    ``voice`` is false when the ad offers it for messaging only (no "call", or "no calls").
    """

    e164: str
    start: int
    end: int
    obfuscated: bool = False
    country: str = ""
    platforms: tuple[str, ...] = ()
    voice: bool = True

    @property
    def messaging_only(self) -> bool:
        return bool(self.platforms) and not self.voice


@fast_init
@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address, lower case; ``obfuscated`` for ``name [at] domain [dot] com`` forms."""

    value: str
    start: int
    end: int
    obfuscated: bool = False


@fast_init
@dataclass(frozen=True, slots=True)
class Handle:
    """A messaging or social-media account: ``platform`` is one of whatsapp, telegram,
    instagram, snapchat, facebook, twitter; ``value`` is the user name (lower case), an invite
    code (case kept), or for WhatsApp the E.164 number."""

    platform: str
    value: str
    start: int
    end: int


@fast_init
@dataclass(frozen=True, slots=True)
class Url:
    """A web address as written in the ad (case kept: invite links are case-sensitive).

    ``messaging`` marks links that only open a chat (t.me, wa.me, chat.whatsapp.com...), which
    do not count as a website for ``messaging_only_contact``.
    """

    value: str
    domain: str
    start: int
    end: int
    messaging: bool = False


@fast_init
@dataclass(frozen=True, slots=True)
class Price:
    """An amount of money: ``amount`` in units of ``currency`` (ISO 4217), multipliers such as
    ``k``, lakh and crore applied; ``unit`` is hour, night, day, week, month, year or session
    when the ad says what the amount is per."""

    amount: float
    currency: str
    start: int
    end: int
    unit: str | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class Age:
    """A stated age or age range (``low == high`` for a single age)."""

    low: int
    high: int
    start: int
    end: int


@fast_init
@dataclass(frozen=True, slots=True)
class Location:
    """A place from the gazetteer: ``name`` is the canonical English name, ``country`` the ISO
    code; ``foreign`` is true outside India, ``scam_hub`` for known scam-compound locations."""

    name: str
    country: str
    kind: str
    start: int
    end: int
    foreign: bool = False
    scam_hub: bool = False


@fast_init
@dataclass(frozen=True, slots=True)
class Person:
    """A counted mention of people on offer or wanted: "2 girls" -> ``count=2, noun="girls"``."""

    count: int
    noun: str
    start: int
    end: int
