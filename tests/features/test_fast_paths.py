"""The speed-ups of the features stage change no result.

Cheap tests that let an extractor skip its scan (``in`` tests, one regex for several, a look
at the next character) must be necessary conditions of what the scan finds; rewritten patterns
must match what the ones they replace matched. Each is checked here against the exact code or
the former pattern, on texts built to hit the edge cases, and on a few worked examples.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from pathlib import Path
from unittest import mock

import ahocorasick
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trafficscan.features import contacts, extract, phones, places
from trafficscan.features import money as money_mod
from trafficscan.features._regex import trie
from trafficscan.features.ages import _AFTER as AGE_AFTER
from trafficscan.features.ages import _AFTER_FIRST as AGE_AFTER_FIRST
from trafficscan.features.ages import extract_ages
from trafficscan.features.contacts import extract_emails
from trafficscan.features.extract import Features
from trafficscan.features.money import _AFTER as PRICE_AFTER
from trafficscan.features.money import _AFTER_FIRST as PRICE_AFTER_FIRST
from trafficscan.features.normalize import contact_view, normalize
from trafficscan.features.types import Location, Phone, Price, fast_init

# the modules, not the functions of the same names that the package exports
N = importlib.import_module("trafficscan.features.normalize")
E = importlib.import_module("trafficscan.features.extract")

# Pieces that make the edge cases of the fast paths likely: leet digits after letters of any
# script, "!" and "@" in and around words, homoglyphs, separators around single letters,
# repeated punctuation (ASCII or not), money and age words, labels before ":".
_PIECES = st.sampled_from(
    [
        "a", "b", "e", "o", "s", "x", "ü", "é", "ч", "क", "ह", "_", "0", "1", "3", "4", "5", "7",
        "2", "9", "١", "५", "!", "!!", "@", "$", "а", "о", "ο", " ", "  ", "\n", "\t", "\u00a0",
        ".", "-", "*", "·", "•", ",", ":", "=", "/", "/-", "—", "——", "…", "।", "।।", "'", "?",
        "+", "#", "(", ")", "[", "]", "at", " at ", "dot", "gmail", "com", "rs", "₹", "us$", "k",
        "lakh", "aed", "per", "hour", "yrs", "years", "saal", "से", "to", "age", "ig", "insta",
        "fb", "telegram", "user name", "id", "office", "postoffice", "pvt", "ltd", "llp",
        "floor", "walk", "in", "interview", "कार्यालय", "पता", "call", "only", "no", "whats",
        "app", "msg", "text", "nahi", "don't", "n e w", "y.o.u", "g!rl", "h3y", "ü1", "_1", "!h",
        "a!", "!!a", "$e", "@b",
    ]
)  # fmt: skip
TEXT = st.one_of(st.lists(_PIECES, max_size=30).map("".join), st.text(max_size=80))
_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------
# normalize


@_SETTINGS
@given(TEXT)
def test_edit_precheck_is_necessary(text: str) -> None:
    view = contact_view(text).text
    if N._leet_edits(view) or N._REPEATED_PUNCT.search(view):
        assert N._MAY_EDIT.search(view) is not None


def _join_edits_unchecked(text: str) -> list[tuple[int, int, str, range]]:
    """``_join_edits`` without its first test (the loop as it always was)."""
    edits = []
    hint = N._JOIN_HINT.search(text, 1)
    while hint is not None:
        k = hint.start() - 1
        prev = text[k - 1] if k > 0 else " "
        m = None if prev.isalnum() or prev in "_@$" else N._JOIN.match(text, k)
        if m is None:
            hint = N._JOIN_HINT.search(text, k + 2)
            continue
        s, e = m.span()
        edits.append((s, e, m.group()[::2], range(s, e, 2)))
        hint = N._JOIN_HINT.search(text, e + 1)
    return edits


@_SETTINGS
@given(TEXT)
def test_join_precheck_is_necessary(text: str) -> None:
    view = contact_view(text).text
    assert N._join_edits(view) == _join_edits_unchecked(view)


@_SETTINGS
@given(TEXT)
def test_known_flat_text_changes_nothing(text: str) -> None:
    view, offs, flat = N._contact(text)
    assert N._full(view, offs, flat) == N._full(view, offs)
    if flat is not None:
        assert flat == view.replace("\n", " ") and flat.isprintable()


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # a leet digit right after a letter of another script, or after "_"
        ("ü1ber girls", "üiber girls"),
        ("ч1ка", "чiка"),
        ("वह4ल", "वहaल"),
        ("a_1 b", "a_i b"),
        # "!" before a word, and a word examined from a leading "!"
        ("!h3llo", "!hello"),
        ("!!a21b x", "!a2ib x"),
        ("g!rl", "girl"),
        # numbers only: nothing to do
        ("1st 2nd", "1st 2nd"),
        ("5exy", "5exy"),
        # repeated punctuation, ASCII or not
        ("wow!!!", "wow!"),
        ("call——now", "call—now"),
        ("a।।b", "a।b"),
        # spaced-out letters with every separator, ending a text, before punctuation
        ("n e w", "new"),
        ("x n.e.w.", "x new."),
        ("n-e-w-s!", "news!"),
        ("n_e_w", "new"),
        ("n*e*w", "new"),
        ("n·e·w", "new"),
        ("n•e•w", "new"),
        ("is a b c.", "is abc."),
        ("plan a b", "plan a b"),
        ("2-3 k i d s", "2-3 kids"),
    ],
)
def test_normalized_edge_cases(original: str, expected: str) -> None:
    assert normalize(original).text == expected


# ------------------------------------------------------------------------------------------
# contacts

_OLD_EMAIL_HINT = re.compile(r"at(?:[\])}>\n]|(?<=[ \n]at) )")

_EMAIL_PARTS = st.tuples(
    st.sampled_from(["", "mail ", "meet at noon. ", "x (", "\n", "at home. "]),
    st.sampled_from(["rosy", "r.o", "hr12", "a_b", "x", "na-me"]),
    st.sampled_from(["", " ", "  ", "\n", "\t"]),
    st.sampled_from(
        ["@", "at", "[at]", "(at)", "{at}", "<at>", "[@]", "[ at ]", "( at )", "[at ]", "at]"]
    ),
    st.sampled_from(["", " ", "  ", "\n"]),
    st.lists(st.sampled_from(["gmail", "yahoo", "x-y", "ab1", "co", "in"]), min_size=1, max_size=3),
    st.sampled_from([".", "dot", " dot ", "[dot]", "(dot)", "[.]", "( dot )"]),
    st.sampled_from(["com", "in", "org", "xyz", "c"]),
    st.sampled_from(["", ".", " now", ")", "\n"]),
)


@_SETTINGS
@given(st.one_of(_EMAIL_PARTS, TEXT))
def test_email_hint_finds_what_the_former_one_found(parts: tuple[str, ...] | str) -> None:
    if isinstance(parts, str):
        text = parts
    else:
        pre, local, ws1, at, ws2, labels, dot, tld, post = parts
        text = pre + local + ws1 + at + ws2 + dot.join(labels) + dot + tld + post
    view = contact_view(text)
    found = extract_emails(view)
    with mock.patch.object(contacts, "_EMAIL_HINT", _OLD_EMAIL_HINT):
        assert extract_emails(view) == found


@_SETTINGS
@given(TEXT)
def test_named_handle_precheck_is_necessary(text: str) -> None:
    view = contact_view(text).text
    if contacts._NAMED_HANDLE.search(view) is not None:
        assert contacts._may_name_handle(view)


@pytest.mark.parametrize(
    ("text", "value"),
    [("insta: rosy_99", "rosy_99"), ("ig :- rosy_99", "rosy_99"), ("fb user name = rosy99", "rosy99"),
     ("tg id: rosy99", "rosy99"), ("sc-rosy99", "rosy99"), ("big: rosy99", None)],
)  # fmt: skip
def test_named_handles_are_still_found(text: str, value: str | None) -> None:
    handles = contacts.extract_handles(contact_view(text), [], [])
    assert [h.value for h in handles] == ([value] if value else [])


# ------------------------------------------------------------------------------------------
# money, ages


@_SETTINGS
@given(TEXT, st.integers(0, 80))
def test_after_first_characters(text: str, e: int) -> None:
    view = contact_view(text).text
    e = min(e, len(view))
    for pattern, first in ((PRICE_AFTER, PRICE_AFTER_FIRST), (AGE_AFTER, AGE_AFTER_FIRST)):
        m = pattern.match(view, e)
        assert m is not None
        if m.end() > e:
            c = view[e]
            assert c in first or (c.isspace() and view[e + 1 : e + 2] in first)


def _currency_before_unchecked(text: str, s: int) -> tuple[str, int] | None:
    """``money._currency_before`` as it was, without the test of the last two letters."""
    k = s
    if k > 0 and text[k - 1].isspace():
        k -= 1
    if k > 0 and text[k - 1] in ".:-":
        k -= 1
    if k > 0 and text[k - 1].isspace():
        k -= 1
    if k == 0:
        return None
    if text[k - 1] in money_mod._SYMBOL_CHARS:
        if text.startswith("us$", k - 3):
            return "us$", k - 3
        return text[k - 1], k - 1
    for n in money_mod._WORD_LENGTHS.get(text[k - 1], ()):
        j = k - n
        if j < 0:
            break
        word = text[j:k]
        if word not in money_mod._WORDS_BEFORE or (j > 0 and money_mod._is_letter(text[j - 1])):
            continue
        if j > 0 and text[j - 1].isdigit():
            return None
        if word in money_mod.CURRENCY_WORDS:
            return word, j
        if text.startswith(".", k) and word + "." in money_mod.CURRENCY_WORDS:
            return word + ".", j
        return None
    return None


@_SETTINGS
@given(TEXT)
def test_currency_before(text: str) -> None:
    view = contact_view(text).text
    for s in range(len(view) + 1):
        assert money_mod._currency_before(view, s) == _currency_before_unchecked(view, s)


@pytest.mark.parametrize(
    ("text", "ages"),
    [("19yo", [19]), ("age 14-18 girls", [14, 18]), ("umar 16 se 19", [16, 19]), ("just 18", [18])],
)
def test_ages_with_and_without_context(text: str, ages: list[int]) -> None:
    found = extract_ages(normalize(text))
    assert [n for a in found for n in dict.fromkeys((a.low, a.high))] == ages


# ------------------------------------------------------------------------------------------
# phones

_OLD_NO_CALL = re.compile(
    r"no\s+calls?|don'?t\s+call|calls?\s+not\s+(?:allowed|accepted)|call\s+nahi|only\s+(?:on\s+)?"
    r"(?:whats\s?app|wa|telegram|tg|msg|message|text)|(?:whats\s?app|telegram|msg|text)\s+only"
)


@_SETTINGS
@given(TEXT)
def test_no_call_pattern(text: str) -> None:
    view = contact_view(text).text
    old = _OLD_NO_CALL.search(view) is not None
    assert (phones._NO_CALL.search(view) is not None) == old
    if old:
        assert "call" in view or "only" in view


def test_messaging_only_numbers_keep_their_tags() -> None:
    f = extract("WhatsApp only 9000012345, no calls. Call 8000012345")
    assert [(p.platforms, p.voice) for p in f.phones] == [(("whatsapp",), False), ((), True)]


# ------------------------------------------------------------------------------------------
# extract: the office pattern, numeric counts, entity spans

_OLD_OFFICE = re.compile(
    trie(
        ["office", "address", "pvt ltd", "pvt. ltd", "pvt.ltd", "private limited", "llp",
         "plot no", "plotno", "floor", "walk-in interview", "walk in interview",
         "walkin interview", "कार्यालय", "ऑफिस", "पता"]
    )
    + r"(?![a-z])"
)  # fmt: skip


@_SETTINGS
@given(TEXT)
def test_office_pattern(text: str) -> None:
    view = normalize(text).text
    assert (E._OFFICE.search(view) is None) == (_OLD_OFFICE.search(view) is None)


@_SETTINGS
@given(st.one_of(TEXT, st.text(alphabet=st.characters(blacklist_categories=["Cs"]))))
def test_char_counts(text: str) -> None:
    expected = (
        len(E._NOT_LETTER.sub("", text)),
        len(E._NOT_UPPER.sub("", text)),
        len(E._NOT_DIGIT.sub("", text)),
    )
    assert E._char_counts(text) == expected
    assert E._char_counts(text) == expected  # the second time from the cache


def test_entity_spans_of_an_empty_ad() -> None:
    f = extract("nothing to see here")
    assert all(f.entity_spans(name) == [] for name in E.ENTITY_NAMES)
    with pytest.raises(KeyError):
        f.entity_spans("no such entity")


# ------------------------------------------------------------------------------------------
# places: the automaton's insertion order


def test_automaton_is_the_same_in_any_insertion_order() -> None:
    table = places.load_gazetteer()
    plain = ahocorasick.Automaton()
    for alias, place in table.items():  # file order, as it was built before
        plain.add_word(alias, (len(alias), place))
    plain.make_automaton()
    ordered = places._automaton(places.GAZETTEER_PATH)
    corpus = Path(__file__).parents[2] / "data" / "corpus"
    texts = [normalize(line).text for p in sorted(corpus.glob("*.jsonl")) for line in p.open()]
    texts += ["new delhi", "new delhx delhi", "north eastern", "uttar pradex", "kk-park u.k"]
    for text in texts:
        assert list(ordered.iter_long(text)) == list(plain.iter_long(text))


# ------------------------------------------------------------------------------------------
# fast_init


@dataclasses.dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str = "x"
    c: list[int] = dataclasses.field(default_factory=list)


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Fast:
    a: int
    b: str = "x"
    c: list[int] = dataclasses.field(default_factory=list)


def test_fast_init_builds_the_same_records() -> None:
    assert str(inspect.signature(_Fast)) == str(inspect.signature(_Plain))
    for args in [(1,), (1, "y"), (1, "y", [2])]:
        plain, fast = _Plain(*args), _Fast(*args)  # type: ignore[arg-type]
        assert repr(fast) == repr(plain).replace("_Plain", "_Fast")
        assert dataclasses.astuple(fast) == dataclasses.astuple(plain)
        assert fast == _Fast(*args) and fast != _Fast(2)  # type: ignore[arg-type]
    assert _Fast(1).c is not _Fast(1).c  # a new list for each
    assert _Fast(a=1, c=[3]) == _Fast(1, "x", [3])
    with pytest.raises(dataclasses.FrozenInstanceError):
        _Fast(1).a = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Fast()  # type: ignore[call-arg]


def test_records_keep_their_defaults() -> None:
    assert Phone("+919000012345", 0, 10) == Phone("+919000012345", 0, 10, False, "", (), True)
    assert hash(Phone("+919000012345", 0, 10)) == hash(Phone("+919000012345", 0, 10))
    assert Price(1.0, "INR", 0, 1).unit is None
    assert Location("Goa", "IN", "state", 0, 3).foreign is False
    f = Features(normalize("x"), contact_view("x"), "IN")
    assert f.phones == [] and f.phones is not Features(f.normalized, f.contact, "IN").phones
