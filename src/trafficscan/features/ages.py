"""Stated ages and age ranges ("19yo", "age 14-18", "umar 16-19", "18 saal", "उम्र 16").

Ages are the strongest youth signal: a stated age under 18 in a commercial-sex ad is damning on
its own. Read from the normalised text (leetspeak undone, so "ag3" is "age"), with the usual
false friends filtered: "18 years of experience", "established for 10 years", "5 years ago".
"""

from __future__ import annotations

import re
import unicodedata

from trafficscan.features.normalize import NormalizedText
from trafficscan.features.types import Age

__all__ = ["extract_ages"]

_NUM = r"\d{1,2}(?!\d)"
_RANGE = rf"(?P<{{a}}>{_NUM})(?:\s?(?:-|–|—|to|se|से|/)\s?(?P<{{b}}>{_NUM}))?"
_YEARS = (
    r"(?:yo|y/o|y\.o\.?|yrs?(?:\sold)?|years?(?:\sold)?|year-old|years-old|saal|sal|sala|baras|"
    r"varsh|साल|वर्ष|बरस|ki\sumar|ki\sumr|की\sउम्र)"
)
_AGE = re.compile(
    # "age 16", "aged 14-18", "umar: 16 se 19", "उम्र 16"
    r"(?<![a-z])(?P<kw>age|aged|ages|umar|umr|umra|umer|umeer|उम्र|उमर|आयु|vay|ayu)"
    r"\s?(?:is|of|:|-|=|bas|sirf|only|just|approx\.?|around|between|limit)*\s?"
    + _RANGE.format(a="a1", b="b1")
    + rf"(?:\s?{_YEARS})?(?![a-z0-9])"
    # "19yo", "18 yrs old", "16-19 saal", "१६ साल"
    + r"|(?<![\d.,])"
    + _RANGE.format(a="a2", b="b2")
    + rf"\s?(?P<yrs>{_YEARS})(?![a-z])"
    # "just 18", "barely 18", "just turned 18", "sirf 16"
    + r"|(?<![a-z])(?:just|barely|only|sirf|bas|abhi)\s(?:turned\s|hui\s)?(?P<a3>1\d|2[0-5])"
    r"(?![\d%a-z])(?!\s?(?:\+|min|mins|minutes|hours?|hrs|days?|k\b|km|rs|rupees|girls?|boys?|"
    r"seats?|slots?|left|pcs|pieces|units|people|persons|members|spots|am\b|pm\b|ladies|"
    r"profiles|photos|pics))"
)
_NOT_AGE_AFTER = re.compile(
    r"\s?(?:of\s)?(?:experience|exp\b|ago|in\s(?:business|service|the\s(?:field|industry))|"
    r"warranty|guarantee|contract|visa|of\sservice|of\swork|work|old\scompany|lease|agreement|"
    r"tak|back|before|pehle|se\s(?:business|kaam)|running|since|anniversary)"
)
_NOT_AGE_BEFORE = re.compile(
    r"(?:experience|exp|established|estd|since|warranty|guarantee|business|company|contract|"
    r"visa|lease|agreement|over|for|last|past|within|serving|served|running|completed|"
    r"anniversary|tenure)\s?(?:of|:|-)?\s?$"
)


def _int(s: str) -> int:
    if s.isascii():
        return int(s)
    return int("".join(str(unicodedata.decimal(c, 0)) for c in s))


def extract_ages(view: NormalizedText) -> list[Age]:
    """Stated ages, in order; a range gives ``low < high``, a single age ``low == high``."""
    text = view.text
    out: list[Age] = []
    for m in _AGE.finditer(text):
        a = m.group("a1") or m.group("a2") or m.group("a3")
        b = m.group("b1") or m.group("b2")
        low = _int(a)
        high = _int(b) if b else low
        if high < low:
            low, high = high, low
        if not 1 <= low <= 99 or high - low > 40:
            continue
        if m.group("a2") is not None:
            if _NOT_AGE_AFTER.match(text, m.end()) is not None:
                continue
            if _NOT_AGE_BEFORE.search(text, max(0, m.start() - 25), m.start()) is not None:
                continue
            if low > 70:  # "90 years" is a history, not the age of someone on offer
                continue
        s, e = view.span(*m.span())
        out.append(Age(low, high, s, e))
    return out
