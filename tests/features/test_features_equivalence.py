"""The features stage's fast paths change no result, checked through the public API only.

The extractors skip work with cheap pre-checks (an ``in`` test, one regex for several, a look
at the next character) and count with byte tricks. Instead of comparing those internals with
copies of former code, each behaviour is checked here as an analyst sees it: a property over
generated ads (an obfuscated e-mail in any surroundings is still read, a price with any
currency spelling keeps its amount), or a differential test against a plain reference written
from the documented behaviour (``docs/rules.md``, the module docstrings) that is obviously
right and too slow to ship.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from trafficscan.features import (
    ENTITY_NAMES,
    Features,
    Location,
    Phone,
    Price,
    contact_view,
    extract,
    normalize,
)
from trafficscan.features.ages import _NOT_AGE_BEFORE
from trafficscan.features.places import load_gazetteer
from trafficscan.features.types import fast_init

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
# Surroundings that end (or start) a word, so they cannot join what they surround.
_BEFORE = st.tuples(TEXT, st.sampled_from([" ", "\n", ". ", " - ", "\t"])).map("".join)
_AFTER = st.tuples(st.sampled_from([" ", "\n", ". ", ", ", "\t"]), TEXT).map("".join)
# after a clause ends: nothing there can qualify the number before it ("/-", "k", "-19")
# (a bare line break is not one: "age 12\n/15" still reads as the range 12-15)
_AFTER_CLAUSE = st.tuples(st.sampled_from([". ", ", ", ".\n", "; "]), TEXT).map("".join)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
_NAMES = st.from_regex(r"[a-z]{3,8}[0-9]{0,3}", fullmatch=True)


# ------------------------------------------------------------------------------------------
# normalize (docs/rules.md, "What the patterns see")

_LEET = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"}


@_SETTINGS
@given(st.lists(_WORDS, min_size=1, max_size=6), st.data())
def test_plain_words_pass_through_unchanged(words: list[str], data: st.DataObject) -> None:
    """Lower-case words and single spaces are already normal: same text, identity offsets."""
    text = " ".join(words)
    assume(not any(len(w) == 1 for w in words))
    out = normalize(text)
    assert out.text == text
    assert list(out.offsets) == list(range(len(text) + 1))


@_SETTINGS
@given(
    _WORDS.filter(lambda w: any(c in _LEET for c in w[1:])),
    st.data(),
    st.sampled_from(["", "call ", "new job. ", "2 ", "हाँ "]),
    st.sampled_from(["", " today", ".", "!", " ₹500", "\nok"]),
)
def test_leetspeak_inside_a_word_is_undone(
    word: str, data: st.DataObject, before: str, after: str
) -> None:
    """``y0ung`` reads ``young`` wherever it stands: any letter but the first may be a digit,
    except that two or more digits ending a word are a number (``age18``, ``covid19``)."""
    where = [i for i in range(1, len(word)) if word[i] in _LEET]
    chosen = data.draw(st.sets(st.sampled_from(where), min_size=1))
    leet = "".join(_LEET[c] if i in chosen else c for i, c in enumerate(word))
    assume(not re.search(r"\d\d$", leet))
    upper = data.draw(st.booleans())
    text = before + (leet.upper() if upper else leet) + after
    assert normalize(text).text == normalize(before + word + after).text


@pytest.mark.parametrize("token", ["18yo", "5k", "2bhk", "24x7", "18", "2000", "1st"])
def test_a_token_that_starts_with_a_number_keeps_its_digits(token: str) -> None:
    assert normalize(f"call {token} now").text == f"call {token} now"


@_SETTINGS
@given(
    _WORDS.filter(lambda w: len(w) >= 3),
    st.sampled_from([" ", ".", "-", "_", "*", "·", "•"]),
    st.booleans(),
)
def test_spaced_out_letters_are_joined(word: str, sep: str, upper: bool) -> None:
    spaced = sep.join(word.upper() if upper else word)
    assert normalize(f"call {spaced} now").text == f"call {word} now"


@_SETTINGS
@given(_WORDS, _WORDS, st.sampled_from(list("!?.,*—…।-")), st.integers(2, 6))
def test_repeated_punctuation_folds_to_one(a: str, b: str, mark: str, n: int) -> None:
    assert normalize(f"{a}{mark * n} {b}").text == normalize(f"{a}{mark} {b}").text


@_SETTINGS
@given(
    TEXT,
    st.lists(
        st.sampled_from([" ", "\t", "\n", "\u00a0", "\u2003", "\r\n"]), min_size=1, max_size=4
    ).map("".join),
    TEXT,
)
def test_any_whitespace_run_reads_as_one_space(a: str, ws: str, b: str) -> None:
    """Except between spaced-out letters, where two spaces end a word (``N E W  G I R L S``)."""
    assume(not re.search(r"(?:^|\W)\w\W*$", a) and not re.match(r"\W*\w(?:\W|$)", b))
    assert normalize(a + ws + b).text == normalize(a + " " + b).text


@_SETTINGS
@given(TEXT)
def test_normalizing_twice_changes_nothing_more(text: str) -> None:
    """The normal form is a fixed point for text a pre-check lets through unchanged."""
    once = normalize(text).text
    assume(once == contact_view(text).text)  # no edit was made: nothing was skipped either
    assert normalize(once).text == once


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
# contacts: e-mails in the "name [at] domain [dot] com" family, named handles

_AT_FORMS = ["@", " @ ", "[at]", " [at] ", "(at)", " (at) ", "{at}", "<at>", "[ at ]", "( at )",
             " at "]  # fmt: skip
_DOT_FORMS = [".", "[dot]", " [dot] ", "(dot)", " (dot) ", "[.]", "( dot )", " dot "]
_PROVIDERS = ["gmail", "yahoo", "hotmail", "outlook", "rediffmail"]


@_SETTINGS
@given(
    _BEFORE,
    _NAMES,
    st.sampled_from(_AT_FORMS),
    st.sampled_from(_PROVIDERS),
    st.sampled_from(_DOT_FORMS),
    st.sampled_from(["com", "in", "co.in"]),
    _AFTER,
)
def test_obfuscated_emails_are_read_anywhere(
    before: str, local: str, at: str, provider: str, dot: str, tld: str, after: str
) -> None:
    written = local + at + provider + dot + tld.replace(".", dot)
    emails = [e.value for e in extract(before + written + after).emails]
    assert f"{local}@{provider}.{tld}" in emails


@pytest.mark.parametrize(
    "text",
    ["rosy[@]gmail.com", "rosy [@] gmail [dot] com", "rosy (@) yahoo.in", "rosy [ @ ] gmail.com"],
)
def test_bracketed_at_sign(text: str) -> None:
    assert len(extract(text).emails) == 1


_HANDLE_LABELS = [("insta", "instagram"), ("ig", "instagram"), ("instagram", "instagram"),
                  ("fb", "facebook"), ("tg", "telegram"), ("telegram", "telegram"),
                  ("snap", "snapchat"), ("sc", "snapchat")]  # fmt: skip
_HANDLE_SEPS = [": ", ":", " :- ", " = ", "-", " - ", " id: ", " user name = "]


@_SETTINGS
@given(
    _BEFORE,
    st.sampled_from(_HANDLE_LABELS),
    st.sampled_from(_HANDLE_SEPS),
    st.from_regex(r"[a-z]{3,8}[0-9]{1,3}", fullmatch=True),
    st.sampled_from(["", "_", "_x"]),
    _AFTER,
)
def test_named_handles_are_read_anywhere(
    before: str, label: tuple[str, str], sep: str, name: str, tail: str, after: str
) -> None:
    written, platform = label
    value = name + tail
    # "ig - insta: rosy1" names the account "insta" on Instagram: a label word right before
    # is another handle, not the surroundings this test is about
    words = before.rstrip(" \t\n.-:=").split()
    assume(not words or words[-1].lower() not in {w for w, _ in _HANDLE_LABELS})
    text = before + written + sep + value + after
    assert (platform, value) in [(h.platform, h.value) for h in extract(text).handles]


@pytest.mark.parametrize(
    ("text", "value"),
    [("insta: rosy_99", "rosy_99"), ("ig :- rosy_99", "rosy_99"), ("fb user name = rosy99", "rosy99"),
     ("tg id: rosy99", "rosy99"), ("sc-rosy99", "rosy99"), ("big: rosy99", None)],
)  # fmt: skip
def test_named_handles_are_still_found(text: str, value: str | None) -> None:
    assert [h.value for h in extract(text).handles] == ([value] if value else [])


# ------------------------------------------------------------------------------------------
# money, ages: what follows a number, and the currency before it

_CURRENCY_BEFORE = [("rs", "INR"), ("rs.", "INR"), ("₹", "INR"), ("inr", "INR"), ("us$", "USD"),
                    ("$", "USD"), ("aed", "AED"), ("RS", "INR"), ("Rs.", "INR")]  # fmt: skip
_MULTIPLIERS = [("", 1), ("k", 1000), (" k", 1000), (" lakh", 100_000), ("lakh", 100_000)]


@_SETTINGS
@given(
    _BEFORE,
    st.sampled_from(_CURRENCY_BEFORE),
    st.sampled_from(["", " ", ":", " : ", "-", "- ", ". "]),
    st.integers(1, 99_999),
    st.sampled_from(_MULTIPLIERS),
    st.sampled_from(["", "/-", " per month", " only", "."]),
    _AFTER_CLAUSE,
)
def test_prices_with_the_currency_before(
    before: str,
    currency: tuple[str, str],
    sep: str,
    amount: int,
    mult: tuple[str, int],
    tail: str,
    after: str,
) -> None:
    word, code = currency
    # "rs.:" and "rs.-": two marks between currency and number are not read (a limitation)
    assume(not (word.endswith(".") and sep.strip()))
    suffix, factor = mult
    text = before + word + sep + str(amount) + suffix + tail + after
    prices = extract(text).entities()["prices"]
    assert {"amount": amount * factor, "currency": code} in [
        {"amount": p["amount"], "currency": p["currency"]} for p in prices
    ]


@_SETTINGS
@given(
    st.sampled_from(["h", "m", "ca", "ya", "fo"]),
    st.sampled_from(["rs", "aed", "inr"]),
    st.integers(10, 9999),
    _AFTER,
)
def test_a_currency_word_inside_a_word_is_no_currency(
    head: str, word: str, amount: int, after: str
) -> None:
    """``hrs 500`` is hours, ``cars 500`` a count: the currency must be a word of its own."""
    prices = extract(f"shift {head}{word} {amount}{after}").prices
    assert all(p.start > 6 + len(head) + len(word) for p in prices)


_AGE_FORMS = ["age {n}", "age: {n}", "{n} yrs", "{n} years", "{n} years old", "{n}yo",
              "{n} yo", "umar {n}", "{n} saal", "aged {n}", "{n} yr old"]  # fmt: skip


@_SETTINGS
@given(_BEFORE, st.sampled_from(_AGE_FORMS), st.integers(12, 60), _AFTER_CLAUSE)
def test_ages_are_read_anywhere(before: str, form: str, n: int, after: str) -> None:
    # ... except right after a word that makes it a duration: "in 12 yrs", "for the next 3
    # years", "minimum 2 years" (the extractor's own list; test_ages pins its cases)
    assume(_NOT_AGE_BEFORE.search(normalize(before).text[-25:]) is None)
    ages = extract(before + form.format(n=n) + after).entities()["ages"]
    assert n in ages


@pytest.mark.parametrize(
    ("text", "ages"),
    [("19yo", [19]), ("age 14-18 girls", [14, 18]), ("umar 16 se 19", [16, 19]), ("just 18", [18])],
)
def test_ages_with_and_without_context(text: str, ages: list[int]) -> None:
    found = extract(text).ages
    assert [n for a in found for n in dict.fromkeys((a.low, a.high))] == ages


# ------------------------------------------------------------------------------------------
# phones: a number offered for messaging only is not offered for calls

# What says "do not call" (docs/rules.md, messaging_only_contact), written plainly.
_NO_CALL_PHRASES = [
    r"no\s+calls?", r"don'?t\s+call", r"calls?\s+not\s+allowed", r"calls?\s+not\s+accepted",
    r"call\s+nahi", r"only\s+(?:on\s+)?(?:whats\s?app|wa|telegram|tg|msg|message|text)",
    r"whats\s?app\s+only", r"telegram\s+only", r"msg\s+only", r"text\s+only",
]  # fmt: skip
_NO_CALL_REFERENCE = [re.compile(p) for p in _NO_CALL_PHRASES]
_NO_CALL_WRITTEN = ["no call", "No Calls", "don't  call", "dont call", "calls not allowed",
                    "call not accepted", "call nahi", "only whatsapp", "ONLY ON whats app",
                    "only on telegram", "only tg", "only msg", "only message", "only text",
                    "WhatsApp only", "telegram only", "msg only", "text only"]  # fmt: skip


@_SETTINGS
@given(TEXT)
def test_offered_for_calls_unless_the_ad_says_otherwise(text: str) -> None:
    ad = f"Call or WhatsApp 9000012345. {text}"
    phones = [p for p in extract(ad).phones if p.e164 == "+919000012345"]
    assume(phones)
    said = contact_view(ad).text
    expected = not any(p.search(said) for p in _NO_CALL_REFERENCE)
    assert phones[0].voice is expected


@_SETTINGS
@given(_BEFORE, st.sampled_from(_NO_CALL_WRITTEN), _AFTER)
def test_no_call_phrases_anywhere(before: str, phrase: str, after: str) -> None:
    ad = f"Call or WhatsApp 9000012345. {before}{phrase}{after}"
    phones = [p for p in extract(ad).phones if p.e164 == "+919000012345"]
    assert phones and phones[0].voice is False and phones[0].platforms == ("whatsapp",)


def test_messaging_only_numbers_keep_their_tags() -> None:
    f = extract("WhatsApp only 9000012345, no calls. Call 8000012345")
    assert [(p.platforms, p.voice) for p in f.phones] == [(("whatsapp",), False), ((), True)]


# ------------------------------------------------------------------------------------------
# extract: office address, numeric counts, entity spans

# An office address (docs/rules.md: messaging_only_contact needs "no office address"): one of
# these words, not followed by a letter ("offices" is no address, "postoffice" is).
_OFFICE_WORDS = ["office", "address", "pvt ltd", "pvt. ltd", "pvt.ltd", "private limited",
                 "llp", "plot no", "plotno", "floor", "walk-in interview", "walk in interview",
                 "walkin interview", "कार्यालय", "ऑफिस", "पता"]  # fmt: skip


def _office_reference(text: str) -> bool:
    norm = normalize(text).text
    for word in _OFFICE_WORDS:
        at = norm.find(word)
        while at != -1:
            end = at + len(word)
            if not ("a" <= norm[end : end + 1] <= "z"):
                return True
            at = norm.find(word, at + 1)
    return False


@_SETTINGS
@given(st.one_of(TEXT, st.tuples(TEXT, st.sampled_from(_OFFICE_WORDS), TEXT).map("".join)))
def test_office_address(text: str) -> None:
    assert extract(text).office_address is _office_reference(text)


_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞА-Я]")  # the capitals caps_ratio counts (docs/model.md)


def _counts_reference(text: str) -> tuple[int, int, int]:
    """(letters, capitals, digits), one character at a time: a letter is a word character
    that is neither a digit nor "_"."""
    letters = sum(1 for c in text if re.match(r"[^\W\d_]", c))
    upper = sum(1 for c in text if _UPPER.match(c))
    digits = sum(1 for c in text if re.match(r"\d", c))
    return letters, upper, digits


@_SETTINGS
@given(
    st.one_of(
        TEXT,
        st.text(alphabet=st.characters(exclude_categories=["Cs"])),
        st.text(alphabet="aZ9 ₹—ÀÖØÞАЯяß½²٣\u0301", max_size=60),
    )
)
def test_numeric_counts_equal_a_plain_count(text: str) -> None:
    numeric = extract(text).numeric()
    letters, upper, digits = _counts_reference(text)
    for _ in range(2):  # the second time from the count cache
        assert numeric["text_length"] == len(text)
        assert numeric["caps_ratio"] == (upper / letters if letters else 0.0)
        assert numeric["digit_ratio"] == (digits / len(text) if text else 0.0)
        assert numeric["n_words"] == len(normalize(text).text.split())
        numeric = extract(text).numeric()


def test_entity_spans_of_an_empty_ad() -> None:
    f = extract("nothing to see here")
    assert all(f.entity_spans(name) == [] for name in ENTITY_NAMES)
    with pytest.raises(KeyError):
        f.entity_spans("no such entity")


# ------------------------------------------------------------------------------------------
# places: the gazetteer's places, whole words, longest first, never overlapping


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _places_reference(text: str) -> list[tuple[str, int, int]]:
    """Every alias at every position of the normalised text, then from the left the longest
    whole-word one that does not overlap the one before: slow, and plainly what is meant."""
    table = load_gazetteer()
    view = normalize(text)
    norm = view.text
    found: list[tuple[int, int, str]] = []
    for alias, place in table.items():
        at = norm.find(alias)
        while at != -1:
            end = at + len(alias)
            if not (at > 0 and _is_word_char(norm[at - 1])) and not (
                end < len(norm) and _is_word_char(norm[end])
            ):
                found.append((at, end, place.name))
            at = norm.find(alias, at + 1)
    found.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[str, int, int]] = []
    last = -1
    for s, e, name in found:
        if s >= last:
            out.append((name, *view.span(s, e)))
            last = e
    return out


_ALIASES = sorted(load_gazetteer())
_CORPUS = Path(__file__).parents[2] / "data" / "corpus"


_WORDLIKE = st.one_of(
    st.sampled_from(_ALIASES),
    st.sampled_from(
        ["new", "north", "pradex", "delhx", "jobs", "x", "kk", "u.k", "and", "to", "via"]
    ),
)


@_SETTINGS
@given(
    st.lists(
        st.tuples(_WORDLIKE, st.sampled_from([" ", ", ", "-", ". ", "/", " - "])), max_size=10
    ).map(lambda parts: "".join(w + sep for w, sep in parts))
)
def test_places_equal_a_plain_scan(text: str) -> None:
    got = [(loc.name, loc.start, loc.end) for loc in extract(text).locations]
    assert got == _places_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "new delhi",
        "new delhx delhi",
        "north eastern",
        "uttar pradex",
        "kk-park u.k",
        "Delhi to Dubai via Kathmandu",
    ],
)
def test_places_worked_examples(text: str) -> None:
    got = [(loc.name, loc.start, loc.end) for loc in extract(text).locations]
    assert got == _places_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "Jobs inNavi Mumbai",
        "hiring atNew Delhi office",
        "Saudi Arabian visa",  # "saudi arabia" glued to "n": the shorter "saudi" at its start
        "call centre in Delhi NCRs",
        "Indians stuck in KK Park",  # "india" glued, a whole place after it
        "Lounge, Andheri West\nBengaluru hotel",  # "west bengal" glued: "bengaluru" inside it
    ],
)
def test_a_place_inside_a_longer_glued_alias(text: str) -> None:
    """The longest alias is glued to a word ("innavi mumbai", "saudi arabian"): the
    whole-word place inside it ("mumbai", "saudi") is still found."""
    got = [(loc.name, loc.start, loc.end) for loc in extract(text).locations]
    assert got == _places_reference(text) != []


def test_places_on_the_corpus_equal_a_plain_scan() -> None:
    records = [
        json.loads(line)
        for p in sorted(_CORPUS.glob("*.jsonl"))
        for line in p.open(encoding="utf-8")
        if line.strip()
    ]
    # corpus records are title and body (no "text"), joined as `trafficscan score` joins them
    texts = ["\n".join(filter(None, (r.get("title"), r.get("body")))) for r in records]
    assert len(texts) > 1000 and all(texts)
    for text in texts[::4]:  # a quarter of the corpus: the reference is slow
        got = [(loc.name, loc.start, loc.end) for loc in extract(text).locations]
        assert got == _places_reference(text), text


# ------------------------------------------------------------------------------------------
# fast_init: records built without dataclass's generated __init__ are the same records


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
