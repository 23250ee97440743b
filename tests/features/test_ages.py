"""Stated ages and age ranges."""

from __future__ import annotations

import pytest

from trafficscan.features import extract


def ages(text: str) -> list[tuple[int, int]]:
    return [(a.low, a.high) for a in extract(text).ages]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19yo", [(19, 19)]),
        ("19 yo", [(19, 19)]),
        ("19 y/o", [(19, 19)]),
        ("18 yrs", [(18, 18)]),
        ("18 years old", [(18, 18)]),
        ("18 year old girl", [(18, 18)]),
        ("age 14-18", [(14, 18)]),
        ("Age: 16", [(16, 16)]),
        ("aged 15 to 17", [(15, 17)]),
        ("ag3 16", [(16, 16)]),  # leetspeak undone first
        ("umar 16-19", [(16, 19)]),
        ("umar 16 se 19 saal", [(16, 19)]),
        ("18 saal", [(18, 18)]),
        ("16 sal ki", [(16, 16)]),
        ("उम्र 16", [(16, 16)]),
        ("उम्र १६ साल", [(16, 16)]),
        ("16 साल की लड़की", [(16, 16)]),
        ("just 18", [(18, 18)]),
        ("Just turned 18!", [(18, 18)]),
        ("barely 18", [(18, 18)]),
        ("sirf 16", [(16, 16)]),
        ("girls 18-25 yrs", [(18, 25)]),
        ("age limit 18-35", [(18, 35)]),
        ("19yo and 21yo", [(19, 19), (21, 21)]),
    ],
)
def test_ages(text: str, expected: list[tuple[int, int]]) -> None:
    assert ages(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "18 years of experience in sales",
        "10 years experience",
        "At least 3-5 years’ experience working as a journalist",  # real job ads: possessive
        "at least 3 years' driving experience",
        # a real job ad (EMSCAD): the experience word five words on, past a list of fields
        "1 Year customer service, sales or marketing experience preferred",
        # real job ads (EMSCAD): durations after "in" and "next"
        "with 9 shipped games in 10 years, across different genres",
        "supporting growth for the next 3 years",
        # real job ads (EMSCAD, real-pages): a requirement on experience, a range after a
        # duration, a degree, the work itself
        "Experience of 2 to 5 years in airborne flight control systems",
        "Experience range - Minimum 2 to 3 years",
        "A minimum of 10 years safety work of a progressive nature",
        "We're looking for folks who have at least: 2 years supporting Windows servers",
        "At least 2 years in hands-on software testing roles",
        "Minimum 2 years in a sales/business development role",
        "Education: 2-4 year college degree preferred",
        "1-5 years nursing or therapy",
        "the length of an internship varies from 3 months to 1 year",
        "you will get every thing in life in 2 or 3 years",
        "established for 10 years",
        "since 5 years",
        "5 years ago",
        "2 years warranty",
        "3 year contract",
        "in business for 20 years",
        "just 5 minutes from station",
        "only 2 girls left",
        "only 500",
        "18+ only",
        "call 9000012345",
        "2019 model",
        "100 years old temple",
        "",
    ],
)
def test_not_ages(text: str) -> None:
    assert ages(text) == []


def test_age_span() -> None:
    text = "New girl, AGE 14-18 only"
    (a,) = extract(text).ages
    assert text[a.start : a.end] == "AGE 14-18"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("licence 5 saal purana", []),
        ("10 saal ka experience", []),
        ("sentenced to 10 years of rigorous imprisonment", []),
        ("18 years of age", [(18, 18)]),
        ("3 saal ka beta", [(3, 3)]),
        ("Papers mein umar 18 kar denge", [(18, 18)]),
        # a duration word must be a whole word: "main" (Hinglish "I") is not "in"
        ("main 16 saal ki hoon", [(16, 16)]),
        ("in 16 saal mein", []),
        # an experience word after a negation does not turn an age into a duration
        ("girls 16 years, no experience needed", [(16, 16)]),
        ("need boys 14 years for shop work, no experience needed", [(14, 14)]),
        # a range of ages is still one age, and an age after a rejected duration is read
        ("5 saal se kaam, ladki 16 saal", [(16, 16)]),
        ("16-18 Year Olds Only", [(16, 18)]),
        ("minimum age 16 years", [(16, 16)]),
    ],
)
def test_hinglish_durations_and_ages(text: str, expected: list[tuple[int, int]]) -> None:
    assert ages(text) == expected
