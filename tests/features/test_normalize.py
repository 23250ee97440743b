"""Normalisation: the text rules see (docs/rules.md) and the map back to the original."""

from __future__ import annotations

import pytest

from trafficscan.features.normalize import contact_view, normalize, normalize_both


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # case folding and NFKC
        ("NEW Girls", "new girls"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "full width"),
        ("ﬁne Straße", "fine strasse"),
        # zero-width and control characters removed, whitespace folded and stripped
        ("ne\u200bw gi\u00adrl", "new girl"),
        ("a\x00b\x07c", "abc"),
        ("  call\n\n me \t now  ", "call me now"),
        # leetspeak inside words
        ("y0ung h0t b@by", "young hot baby"),
        ("n3w g!rl $exy m0d3ls", "new girl sexy models"),
        ("girl5 av4ilable", "girls available"),
        ("4vailable", "4vailable"),  # starts with a digit: kept
        # ... but not in tokens that start with a number, nor in plain numbers
        ("18yo 5k 2bhk 24x7", "18yo 5k 2bhk 24x7"),
        ("call 9000012345 for 2000", "call 9000012345 for 2000"),
        ("$500 only", "$500 only"),
        # trailing digit runs of two or more are kept (age18, covid19)
        ("age18 covid19", "age18 covid19"),
        # a leading @ (a handle) is kept; e-mail addresses are left alone
        ("@r0sy_99", "@rosy_99"),
        ("r0sy@gmail.com", "r0sy@gmail.com"),
        # homoglyphs in Latin words, not in Cyrillic words
        ("Nеw gіrl", "new girl"),
        ("ПРИВЕТ", "привет"),
        # spaced or dotted letters joined (runs of >= 3 single letters)
        ("N E W  G I R L S", "new girls"),
        ("y.o.u.n.g girl", "young girl"),
        ("f-r-e-s-h", "fresh"),
        ("a b", "a b"),
        ("e.g. this", "e.g. this"),
        # repeated punctuation folded, emojis kept
        ("hot!!! sexy??", "hot! sexy?"),
        ("🌹🌹 💋", "🌹🌹 💋"),
        ("9\ufe0f\u20e3", "9\ufe0f\u20e3"),
        # Devanagari untouched
        ("नई लड़कियां", "नई लड़कियां"),
        ("", ""),
    ],
)
def test_normalized_text(original: str, expected: str) -> None:
    assert normalize(original).text == expected


@pytest.mark.parametrize(
    "original",
    ["N E W  G I R L S", "y0ung ﬁne ＦＵＬＬ", "a\u200bb  c!!!", "Straße\n\nİstanbul", "e\u0301te"],
)
def test_offsets_invariants(original: str) -> None:
    n = normalize(original)
    assert len(n.offsets) == len(n.text) + 1
    assert n.offsets[-1] == len(original)
    assert all(a <= b for a, b in zip(n.offsets, n.offsets[1:], strict=False))


@pytest.mark.parametrize(
    ("original", "needle", "expected_original"),
    [
        ("Hot N E W  G I R L S here", "girls", "G I R L S"),
        ("so y.o.u.n.g!!", "young", "y.o.u.n.g"),
        ("a n3w g!rl", "new girl", "n3w g!rl"),
        ("ＮＥＷ one", "new", "ＮＥＷ"),
        ("cafe\u0301 open", "café", "cafe\u0301"),  # the combining accent is not cut off
        ("x 9\ufe0f\u20e3 y", "9", "9\ufe0f\u20e3"),  # nor the keycap
    ],
)
def test_span_maps_back_to_the_original(original: str, needle: str, expected_original: str) -> None:
    n = normalize(original)
    i = n.text.index(needle)
    s, e = n.span(i, i + len(needle))
    assert original[s:e] == expected_original


def test_to_norm_inverts_span() -> None:
    n = normalize("Call  N E W girls")
    i = n.text.index("new")
    s, _ = n.span(i, i + 3)
    assert n.to_norm(s) == i


def test_empty_span() -> None:
    n = normalize("abc")
    assert n.span(1, 1) == (1, 1)


def test_contact_view_keeps_symbols_and_digits() -> None:
    c = contact_view("Mail R0SY@Gmail.com, $500, 9OOO0")
    assert c.text == "mail r0sy@gmail.com, $500, 9ooo0"


def test_normalize_both_agrees_with_the_single_functions() -> None:
    text = "N3W  G I R L S ＦＵＬＬ\u200b 9000012345!!!"
    c, n = normalize_both(text)
    assert c == contact_view(text)
    assert n == normalize(text)
