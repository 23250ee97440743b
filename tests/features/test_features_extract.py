"""extract(): the Features object, its SPEC entities, rule entity spans and numeric vector."""

from __future__ import annotations

import json

import pytest

from trafficscan.features import ENTITY_NAMES, NUMERIC_FEATURES, Features, extract

RULE_ENTITIES = (
    "minor_age", "young_age", "foreign_destination", "scam_hub", "messaging_only_contact",
    "obfuscated_phone", "multiple_phones", "price", "foreign_currency",
)  # fmt: skip


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, trafficscan.features; print('phonenumbers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_entity_names_cover_the_rules_contract() -> None:
    assert set(RULE_ENTITIES) <= set(ENTITY_NAMES)


def test_entities_has_the_spec_shape() -> None:
    text = (
        "NEW GIRLS in Dubai!!! Just 18. Call +91 90000 12345, WhatsApp 8000012345. "
        "Rs. 2,000/- per hour. Mail rosy [at] gmail [dot] com, tg @rosy_models, "
        "https://example.org/x"
    )
    ent = extract(text).entities()
    assert ent == {
        "phones": ["+919000012345", "+918000012345"],
        "emails": ["rosy@gmail.com"],
        "handles": [
            {"platform": "whatsapp", "value": "+918000012345"},
            {"platform": "telegram", "value": "rosy_models"},
        ],
        "urls": ["https://example.org/x"],
        "ages": [18],
        "prices": [{"amount": 2000, "currency": "INR", "unit": "hour"}],
        "locations": ["Dubai"],
    }
    json.dumps(ent)  # serialisable as it is


def test_entities_dedupe_in_first_seen_order() -> None:
    ent = extract("9000012345 or 8000012345 or 90000 12345; Delhi, Mumbai, delhi").entities()
    assert ent["phones"] == ["+919000012345", "+918000012345"]
    assert ent["locations"] == ["Delhi", "Mumbai"]


def test_price_amounts_are_ints_when_whole() -> None:
    ent = extract("₹1.5 lakh per month, $12.50").entities()
    assert ent["prices"] == [
        {"amount": 150000, "currency": "INR", "unit": "month"},
        {"amount": 12.5, "currency": "USD"},
    ]
    assert isinstance(ent["prices"][0]["amount"], int)


def test_age_ranges_give_both_ends() -> None:
    assert extract("age 14-18").entities()["ages"] == [14, 18]


def _quotes(text: str, f: Features, name: str) -> list[str]:
    return [text[s:e] for s, e in f.entity_spans(name)]


@pytest.mark.parametrize(
    ("text", "name", "quotes"),
    [
        ("new girl age 16", "minor_age", ["age 16"]),
        ("age 14-18 girls", "minor_age", ["age 14-18"]),
        ("new girl 19yo", "minor_age", []),
        ("just 18, fresh", "young_age", ["just 18"]),
        ("19 yrs old", "young_age", ["19 yrs old"]),
        ("25 yrs", "young_age", []),
        ("job in Dubai and Mumbai", "foreign_destination", ["Dubai"]),
        ("job in Mumbai", "foreign_destination", []),
        ("data entry job, KK Park", "scam_hub", ["KK Park"]),
        ("job in Bangkok", "scam_hub", []),
        (
            "nine zero zero zero zero one two three four five",
            "obfuscated_phone",
            ["nine zero zero zero zero one two three four five"],
        ),
        ("call 9000012345", "obfuscated_phone", []),
        ("call 9000012345 or 8000012345", "multiple_phones", ["9000012345", "8000012345"]),
        ("call 9000012345 or 90000-12345", "multiple_phones", []),
        ("Rs 500 per hour", "price", ["Rs 500 per hour"]),
        ("AED 3000 monthly and Rs 500", "foreign_currency", ["AED 3000 monthly"]),
        ("Rs 500", "foreign_currency", []),
    ],
)
def test_entity_spans(text: str, name: str, quotes: list[str]) -> None:
    assert _quotes(text, extract(text), name) == quotes


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("Telegram only @hr_recruit_th", ["@hr_recruit_th"]),
        ("WhatsApp 9000012345", ["9000012345"]),
        ("whatsapp only 9000012345, t.me/hr_desk", ["9000012345", "t.me/hr_desk"]),
        ("Call/WhatsApp 9000012345", []),  # offered for calls too
        ("WhatsApp 9000012345 or call 8000012345", []),
        ("tg @hr_recruit_th or mail hr@example.org", []),
        ("tg @hr_recruit_th, see www.example.org", []),  # a website
        ("tg @hr_recruit_th, office: Plot no 5, Noida", []),  # an office address
        ("call 9000012345", []),  # no messaging at all
        ("nothing here", []),
    ],
)
def test_messaging_only_contact(text: str, quotes: list[str]) -> None:
    f = extract(text)
    assert _quotes(text, f, "messaging_only_contact") == quotes
    assert f.messaging_only_contact is bool(quotes)


def test_unknown_entity_name_raises() -> None:
    with pytest.raises(KeyError, match="unknown entity"):
        extract("x").entity_spans("no_such_entity")


def test_numeric_has_fixed_keys_in_order() -> None:
    for text in ["", "hello", "NEW GIRLS 🌹🌹 age 16, call 9000012345, AED 3000, Dubai, 2 girls"]:
        values = extract(text).numeric()
        assert tuple(values) == NUMERIC_FEATURES
        assert all(isinstance(v, float) for v in values.values())


def test_numeric_values() -> None:
    v = extract(
        "NEW GIRLS 🌹🌹💋 age 16, WhatsApp nine zero zero zero zero one two three four five, "
        "AED 3000, Dubai, KK Park, 2 girls and 3 ladies"
    ).numeric()
    assert v["n_emojis"] == 3 and v["n_distinct_emojis"] == 2
    assert v["n_phones"] == 1 and v["n_obfuscated_phones"] == 1
    assert v["has_whatsapp"] == 1 and v["messaging_only_contact"] == 1
    assert v["n_foreign_currency_prices"] == 1
    assert v["log10_max_price_inr"] == pytest.approx(4.83, abs=0.01)  # 3000 AED ~ 67,800 INR
    assert v["min_age"] == 16 and v["has_minor_age"] == 1 and v["has_young_age"] == 0
    assert v["n_foreign_locations"] == 2 and v["n_scam_hubs"] == 1
    assert v["n_persons"] == 5
    assert 0 < v["caps_ratio"] < 1


def test_region_is_the_default_phone_region() -> None:
    assert extract("050 000 0123", region="AE").entities()["phones"] == ["+971500000123"]


def test_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        extract(None)  # type: ignore[arg-type]
