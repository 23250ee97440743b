"""Gazetteer places: Indian states and cities, foreign destinations, scam hubs."""

from __future__ import annotations

import pytest

from trafficscan.features import extract
from trafficscan.features.places import GAZETTEER_PATH, load_gazetteer


def places(text: str) -> list[tuple[str, bool, bool]]:
    return [(x.name, x.foreign, x.scam_hub) for x in extract(text).locations]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("girls in Delhi", [("Delhi", False, False)]),
        ("New Delhi and NCR", [("Delhi", False, False), ("Delhi", False, False)]),
        (
            "Bombay, Calcutta, Bangalore",
            [("Mumbai", False, False), ("Kolkata", False, False), ("Bengaluru", False, False)],
        ),
        ("मुंबई और दिल्ली", [("Mumbai", False, False), ("Delhi", False, False)]),
        ("from West Bengal", [("West Bengal", False, False)]),
        ("job in Dubai", [("Dubai", True, False)]),
        ("D U B A I calling", [("Dubai", True, False)]),
        ("दुबई में नौकरी", [("Dubai", True, False)]),
        (
            "work in UAE, KSA or Oman",
            [
                ("United Arab Emirates", True, False),
                ("Saudi Arabia", True, False),
                ("Oman", True, False),
            ],
        ),
        ("Myawaddy", [("Myawaddy", True, True)]),
        ("Shwe Kokko", [("Shwe Kokko", True, True)]),
        ("KK Park", [("KK Park", True, True)]),
        ("Sihanoukville", [("Sihanoukville", True, True)]),
        ("Bavet and Poipet", [("Bavet", True, True), ("Poipet", True, True)]),
        (
            "Golden Triangle SEZ, Bokeo",
            [("Golden Triangle SEZ", True, True), ("Bokeo", True, True)],
        ),
        ("Tachileik", [("Tachileik", True, True)]),
        ("Bangkok, Thailand", [("Bangkok", True, False), ("Thailand", True, False)]),
        ("Nepal se ladkiyan", [("Nepal", True, False)]),
        ("Russia", [("Russia", True, False)]),
        (
            "Cambodia, Laos, Myanmar",
            [("Cambodia", True, False), ("Laos", True, False), ("Myanmar", True, False)],
        ),
        ("Kuala Lumpur, Malaysia", [("Kuala Lumpur", True, False), ("Malaysia", True, False)]),
    ],
)
def test_places(text: str, expected: list[tuple[str, bool, bool]]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Russian girls",  # a nationality, not a place (the nationality rules handle it)
        "Nepali speaking",
        "a woman",  # "oman" inside a word
        "goal achieved",  # "goa"
        "usage",  # "usa"
        "chala gaya",
        "",
    ],
)
def test_not_places(text: str) -> None:
    assert places(text) == []


def test_location_span() -> None:
    text = "Job in  D U B A I!"
    (loc,) = extract(text).locations
    assert text[loc.start : loc.end] == "D U B A I"


def test_gazetteer_is_well_formed() -> None:
    table = load_gazetteer(GAZETTEER_PATH)
    assert len(table) > 200
    hubs = {p.name for p in table.values() if p.scam_hub}
    assert {
        "Myawaddy",
        "Shwe Kokko",
        "KK Park",
        "Sihanoukville",
        "Bavet",
        "Poipet",
        "Golden Triangle SEZ",
        "Tachileik",
        "Bokeo",
    } <= hubs
    assert all(p.foreign for p in table.values() if p.scam_hub)
    assert all(len(p.country) == 2 for p in table.values())
