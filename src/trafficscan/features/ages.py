"""Stated ages and age ranges ("19yo", "age 14-18", "umar 16-19", "18 saal", "उम्र 16").

Ages are the strongest youth signal: a stated age under 18 in a commercial-sex ad is damning on
its own. Read from the normalised text (leetspeak undone, so "ag3" is "age"), with the usual
false friends filtered: "18 years of experience", "established for 10 years", "5 years ago".
"""

from __future__ import annotations

import re
import unicodedata

from trafficscan.features._regex import digit_runs, match_after, search_end, trie
from trafficscan.features.normalize import NormalizedText
from trafficscan.features.types import Age

__all__ = ["extract_ages"]

_YEAR_WORDS = [
    "yo", "y/o", "y.o", "y.o.", "yr", "yrs", "yr old", "yrs old", "year", "years", "year old",
    "years old", "year-old", "years-old", "saal", "sal", "sala", "baras", "varsh", "साल",
    "वर्ष", "बरस", "ki umar", "ki umr", "की उम्र",
]  # fmt: skip
_YEARS = trie(_YEAR_WORDS)
_RANGE_SEPS = ["-", "–", "—", "to", "se", "से", "/"]
# Ages are found number by number (a few per ad) and their context read with anchored regexes.
_KW_BEFORE = re.compile(
    trie(["age", "aged", "ages", "umar", "umr", "umra", "umer", "umeer", "उम्र", "उमर", "आयु"])
    + r"(?:\s?(?:is|of|:|-|=|bas|sirf|only|just|approx\.?|around|between|limit))*\s?$"
)
_JUST_WORDS = ("just", "barely", "only", "sirf", "bas", "abhi")
_JUST_BEFORE = re.compile(trie(_JUST_WORDS) + r"\s(?:turned\s|hui\s)?$")
# what the text before the whitespace in front of a number ends with when _JUST_BEFORE matches
_JUST_ENDINGS = (*_JUST_WORDS, "turned", "hui")
_AFTER = re.compile(
    rf"(?:\s?(?:{'|'.join(_RANGE_SEPS)})\s?(?P<b>\d{{1,2}})(?!\d))?"
    rf"(?:\s?(?P<yrs>{_YEARS})(?![a-z]))?"
)
# what _AFTER can start with, after one optional whitespace character (see match_after)
_AFTER_FIRST = frozenset(w[0] for w in _RANGE_SEPS + _YEAR_WORDS)
_JUST_STOP = re.compile(
    r"\+|\s?(?:min|mins|minutes|hours?|hrs|days?|k\b|km|rs|rupees|girls?|boys?|seats?|slots?|"
    r"left|pcs|pieces|units|people|persons|members|spots|am\b|pm\b|ladies|profiles|photos|pics)"
)
_WORK_GERUNDS = [
    "working", "supporting", "providing", "managing", "handling", "leading", "developing",
    "designing", "building", "selling", "teaching", "testing", "coding", "writing", "nursing",
    "driving", "cooking", "supervising", "maintaining", "administering", "operating", "serving",
    "programming", "engineering", "marketing", "recruiting", "accounting", "consulting",
]  # fmt: skip
_NOT_AGE_AFTER = re.compile(
    # "10 years of experience", "5 saal purana", "10 saal ka experience": a duration, not an age;
    # "3 years' experience", "3-5 years’ experience": the possessive apostrophe changes nothing
    r"(?:['’]s?)?\s?(?:of\s(?!age\b)|(?:ka|ki|ke)\s(?:experience|exp\b|anubhav|kaam|business)|"
    r"(?:of\s)?(?:experience|exp\b|ago|in\s(?:business|service|the\s(?:field|industry))|"
    r"warranty|guarantee|contract|visa|work|old\scompany|lease|agreement|tak|back|before|"
    r"pehle|baad|purana|purani|purane|ho\sgaye|se\s(?:business|kaam)|running|since|anniversary|"
    # "2-4 year college degree", "3 year course"; "5 years as a nurse", "1 year in a sales role"
    r"college|degree|diploma|course|program|programme|as\san?\s|in\san?\s|"
    # "2 years supporting Windows servers", "1-5 years travel nursing": the work itself
    + trie(_WORK_GERUNDS)
    + r"\b)|"
    # "2 - 3 years full stack development experience", "1 year customer service, sales or
    # marketing experience": the experience word a few words on, unless negated on the way
    # ("16 years fresh, no experience needed" is still an age)
    r"(?:(?!(?:no|not|without|zero|koi|nahi|nahin|bina)\b)[\w+#./-]+,?\s){1,5}"
    r"(?:experience|exp\b|anubhav))"
)
# a whole word before the number: "in" must not match the end of "main" ("main 16 saal ki hoon",
# Hinglish for "I am 16")
_NOT_AGE_BEFORE = re.compile(
    r"\b"
    + trie(
        [
            "experience",
            "exp",
            "established",
            "estd",
            "since",
            "warranty",
            "guarantee",
            "business",
            "company",
            "contract",
            "visa",
            "lease",
            "agreement",
            "over",
            "for",
            "last",
            "past",
            "within",
            # "9 games in 10 years", "for the next 3 years", "every 2 years": durations
            "in",
            "next",
            "coming",
            "every",
            "serving",
            "served",
            "running",
            "completed",
            "anniversary",
            "tenure",
            "licence",
            "license",
            "imprisonment",
            "jail",
            "sentence",
            # "minimum 2 years in sales", "at least 2 years supporting": a requirement on
            # experience (an age requirement names the age: "age minimum 18" is read above)
            "minimum",
            "min",
            "least",
            "atleast",
            # "3 months to 1 year"
            "months to",
            "weeks to",
            "days to",
        ]
    )
    + r"\s?(?:of|:|-)?\s?$"
)


# between the two numbers of a range or an alternative: "2 to 5", "2-3", "2 or 3"
_RANGE_GAP = re.compile(rf"\s?(?:{'|'.join([*_RANGE_SEPS, 'or'])})\s?")


def _int(s: str) -> int:
    if s.isascii():
        return int(s)
    return int("".join(str(unicodedata.decimal(c, 0)) for c in s))


def _may_follow_just(text: str, s: int) -> bool:
    """Whether ``_JUST_BEFORE`` can match right before ``s`` (a necessary condition in two
    string tests): the number follows whitespace, after a "just" word, "turned" or "hui"."""
    if s < 2 or not text[s - 1].isspace():
        return False
    # "$" also matches before a final newline: then the whitespace is the one before it
    return text.endswith(_JUST_ENDINGS, 0, s - 1) or text[s - 1] == "\n"


def extract_ages(view: NormalizedText) -> list[Age]:
    """Stated ages, in order; a range gives ``low < high``, a single age ``low == high``."""
    return ages_from_digits(view, digit_runs(view.text))


def ages_from_digits(view: NormalizedText, digit_spans: list[tuple[int, int]]) -> list[Age]:
    """:func:`extract_ages`, given the digit runs of the view's text (``_regex.digit_runs``)."""
    text = view.text
    out: list[Age] = []
    done = 0
    rejected = -1  # end of the last number read as a duration, not an age
    for s, e in digit_spans:
        if s < done or e - s > 2 or (s > 0 and text[s - 1] in ".,"):
            continue
        if rejected >= 0 and _RANGE_GAP.fullmatch(text, rejected, s) is not None:
            rejected = e  # "experience of 2 to 5 years", "in 2 or 3 years": one duration
            continue
        after = match_after(_AFTER, _AFTER_FIRST, text, e)
        if after is not None:
            b, yrs = after.group("b", "yrs")
            after_end = after.end()
        else:
            b = yrs = None  # the empty match
            after_end = e
        start = s
        lo = max(0, s - 30)
        win = text[lo:s]
        kw = (
            search_end(_KW_BEFORE, text, lo, s)
            if ("ag" in win or "um" in win or "उम" in win or "आयु" in win)
            else None
        )
        if kw is not None:
            start = kw.start()
        elif yrs is not None:
            if s > 0 and text[s - 1].isalpha():
                continue  # "covid19 years"... a number glued to a word is not an age
            if (
                _NOT_AGE_AFTER.match(text, after_end) is not None
                or _NOT_AGE_BEFORE.search(text, max(0, s - 25), s) is not None
            ):
                rejected = e
                continue
        else:
            if (
                b is None
                and _RANGE_GAP.match(text, e) is not None
                and _NOT_AGE_BEFORE.search(text, max(0, s - 25), s) is not None
            ):
                rejected = e  # "in 2 or 3 years": the 3 goes with the 2
                continue
            if b is not None or not _may_follow_just(text, s):
                continue
            just = search_end(_JUST_BEFORE, text, max(0, s - 20), s)
            if just is None or _JUST_STOP.match(text, e) is not None:
                continue
            start = just.start()
            after_end = e
        low = _int(text[s:e])
        high = _int(b) if b else low
        if high < low:
            low, high = high, low
        if not 1 <= low <= 99 or high - low > 40:
            continue
        if kw is None and yrs is not None and low > 70:
            continue  # "90 years" is a history, not the age of someone on offer
        if kw is None and yrs is None and not 13 <= low <= 25:
            continue  # "just 5" is not an age; "just 18" is
        end = after_end  # never before e: _AFTER matches at e
        done = end
        out.append(Age(low, high, *view.span(start, end)))
    return out
