"""Property tests: any Unicode in, well-formed features out."""

from __future__ import annotations

import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trafficscan.features import ENTITY_NAMES, NUMERIC_FEATURES, extract
from trafficscan.features.normalize import normalize

# Text that looks like ads: digits of several scripts, digit words, keycaps, separators,
# leetspeak, Devanagari, invisible characters; plus fully arbitrary Unicode.
_PIECES = st.sampled_from(
    [
        "9", "0", "1", "5", "८", "০", "੯", "９", "9\ufe0f\u20e3", "nine", "zero", "oh", "o", "O",
        "l", "I", "S", "double", "triple", "nau", "shunya", "ek", "नौ", "शून्य", " ", "  ", "-",
        ".", "(", ")", "+", "+91", "+971", "00", ",", "/", "/-", "@", "[at]", "[dot]", "com",
        "gmail", "Rs", "₹", "$", "AED", "k", "lakh", "per", "hour", "age", "umar", "yo", "yrs",
        "saal", "just", "Dubai", "KK Park", "girls", "whatsapp", "t.me/", "wa.me/", "www.",
        "\u200b", "\u00ad", "\u0301", "\ufe0f", "\u200d", "🌹", "N E W", "y.o.u", "h0t", "\n",
    ]
)  # fmt: skip
AD_TEXT = st.one_of(
    st.lists(_PIECES, max_size=40).map("".join),
    st.text(max_size=200),
)

settings.register_profile("features", max_examples=300, deadline=None)


def _check(text: str) -> None:
    f = extract(text)
    n = len(text)
    records = [*f.phones, *f.emails, *f.handles, *f.urls, *f.prices, *f.ages, *f.locations,
               *f.persons]  # fmt: skip
    for r in records:
        assert 0 <= r.start <= r.end <= n, r
    for r in [*f.phones, *f.emails]:
        assert r.end > r.start and text[r.start : r.end], r
    for p in f.phones:
        num = phonenumbers.parse(p.e164, None)
        assert phonenumbers.is_valid_number(num), p
        assert phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == p.e164
    for name in ENTITY_NAMES:
        for s, e in f.entity_spans(name):
            assert 0 <= s <= e <= n
    assert tuple(f.numeric()) == NUMERIC_FEATURES
    f.entities()
    norm = f.normalized
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == n
    assert all(a <= b for a, b in zip(norm.offsets, norm.offsets[1:], strict=False))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(AD_TEXT)
def test_extract_never_raises_and_spans_are_sound(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalize_span_is_inside_the_original(text: str) -> None:
    n = normalize(text)
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert 0 <= s < e <= len(text)
    s, e = n.span(0, len(n.text))
    assert 0 <= s <= e <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 99_999),
    st.sampled_from(["987", "8", "7"]),
    st.sampled_from(["{}", "{} {}", "+91 {} {}", "0{}", "{}-{}", "call me on {}"]),
)
def test_made_up_mobiles_are_found(n: int, first: str, template: str) -> None:
    digits = f"{first[0]}0000{n:05d}"
    text = (
        template.format(digits[:5], digits[5:])
        if template.count("{}") == 2
        else template.format(digits)
    )
    assert extract(text).entities()["phones"] == ["+91" + digits]


_WITH_CONTACTS = st.lists(
    st.sampled_from(
        [
            "call 9000012345",
            "nine zero 0 0 0 1 2 3 4 5",
            "rosy@gmail.com",
            "rosy [at] gmail [dot] com",
            "wa.me/918000012345",
            "www.example.org/jobs",
            "Pune",
            "New Delhi",
            "Dubai",
            " or ",
            ", ",
            "\n",
        ]
    ),
    max_size=8,
).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(AD_TEXT, _WITH_CONTACTS))
def test_the_text_at_a_span_reads_as_the_value(text: str) -> None:
    """A span is where the analyst's highlight goes: the original text there, read on its own,
    is the same phone, e-mail, address or place."""
    f = extract(text)
    for p in f.phones:
        assert p.e164 in [q.e164 for q in extract(text[p.start : p.end]).phones], p
    for e in f.emails:
        assert e.value in [q.value for q in extract(text[e.start : e.end]).emails], e
    for u in f.urls:
        assert u.value in [q.value for q in extract(text[u.start : u.end]).urls], u
    for loc in f.locations:
        assert [q.name for q in extract(text[loc.start : loc.end]).locations] == [loc.name], loc
