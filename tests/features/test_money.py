"""Prices: amount, currency and what the amount is per."""

from __future__ import annotations

import pytest

from trafficscan.features import extract


def prices(text: str) -> list[tuple[float, str, str | None]]:
    return [(p.amount, p.currency, p.unit) for p in extract(text).prices]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rs. 2,000/- per hour", [(2000, "INR", "hour")]),
        ("Rs 2000", [(2000, "INR", None)]),
        ("rs.500 only", [(500, "INR", None)]),
        ("₹1.5 lakh per month", [(150000, "INR", "month")]),
        ("₹ 800/night", [(800, "INR", "night")]),
        ("INR 25,000 pm", [(25000, "INR", "month")]),
        ("2000/-", [(2000, "INR", None)]),
        ("3000 rupees full night", [(3000, "INR", "night")]),
        ("5000 रुपये", [(5000, "INR", None)]),
        ("५००० रुपये", [(5000, "INR", None)]),
        ("salary 1,20,000 per month", [(120000, "INR", "month")]),
        ("salary 15000", [(15000, "INR", None)]),
        ("salary: 25k monthly", [(25000, "INR", "month")]),
        ("charges 2k per shot", [(2000, "INR", "session")]),
        ("2 lakh advance", [(200000, "INR", None)]),
        ("salary 2.5L", [(250000, "INR", None)]),
        ("ctc 1.2 cr", [(12000000, "INR", None)]),
        ("1.2 crore", [(12000000, "INR", None)]),
        ("5 lac per annum", [(500000, "INR", "year")]),
        ("$500", [(500, "USD", None)]),
        ("500$ per hour", [(500, "USD", "hour")]),
        ("USD 1,000 per month", [(1000, "USD", "month")]),
        ("AED 3,500 per month", [(3500, "AED", "month")]),
        ("3k AED", [(3000, "AED", None)]),
        ("500 dirhams a night", [(500, "AED", "night")]),
        ("SAR 1500", [(1500, "SAR", None)]),
        ("2000 riyal", [(2000, "SAR", None)]),
        ("QAR 4000", [(4000, "QAR", None)]),
        ("RM 2500 per month", [(2500, "MYR", "month")]),
        ("MYR 3000", [(3000, "MYR", None)]),
        ("THB 20,000", [(20000, "THB", None)]),
        ("15000 baht monthly", [(15000, "THB", "month")]),
        ("Rs 500 per hour, Rs 3000 per night", [(500, "INR", "hour"), (3000, "INR", "night")]),
    ],
)
def test_prices(text: str, expected: list[tuple[float, str, str | None]]) -> None:
    assert prices(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "18 years old",
        "2bhk flat, 3 rooms",
        "call 9000012345",
        "Rs 9000012345",  # a phone number, even after Rs
        "PIN 110001",
        "open 24x7",
        "age 19",
        "5 m away",
        "2 l water",
        "covid19",
        "10 girls",
        "1098",
        "rate 5",  # too small to be a rate
        "hrs 500",  # "rs" inside a word
        "",
    ],
)
def test_not_prices(text: str) -> None:
    assert prices(text) == []


def test_price_span_covers_currency_amount_and_unit() -> None:
    text = "only Rs. 2,000/- per hour!"
    (p,) = extract(text).prices
    assert text[p.start : p.end] == "Rs. 2,000/- per hour"
