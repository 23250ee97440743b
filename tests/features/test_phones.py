"""Phone numbers: obfuscation-proof candidates, E.164 output, the false friends left out.

All numbers are made up (9000 0xxxxx, 8000 0xxxxx, 7000 0xxxxx, +971 50 000 0xxx, +855 12 000 xxx).
"""

from __future__ import annotations

import random

import phonenumbers
import pytest

from trafficscan.features.normalize import contact_view
from trafficscan.features.phones import extract_phones, validate_phone

IN1 = "+919000012345"


def phones(text: str, region: str = "IN") -> list[tuple[str, str, bool]]:
    return [
        (p.e164, text[p.start : p.end], p.obfuscated)
        for p in extract_phones(contact_view(text), region)
    ]


@pytest.mark.parametrize(
    ("text", "e164", "quote"),
    [
        # plain forms and separators of every kind
        ("call 9000012345 now", IN1, "9000012345"),
        ("Call: 90000 12345", IN1, "90000 12345"),
        ("ph 90000-12345", IN1, "90000-12345"),
        ("ph 900.001.2345", IN1, "900.001.2345"),
        ("ph (900) 001 2345", IN1, "900) 001 2345"),
        ("+91 90000 12345", IN1, "+91 90000 12345"),
        ("+91-9000012345", IN1, "+91-9000012345"),
        ("+919000012345", IN1, "+919000012345"),
        ("919000012345", IN1, "919000012345"),
        ("09000012345", IN1, "09000012345"),
        ("0091 9000012345", IN1, "0091 9000012345"),
        ("8000012345", "+918000012345", "8000012345"),
        ("7000 012 345", "+917000012345", "7000 012 345"),
        # landline with trunk prefix
        ("office 011-2345 6789", "+911123456789", "011-2345 6789"),
        # foreign numbers with a country code
        ("Dubai +971 50 000 0123", "+971500000123", "+971 50 000 0123"),
        ("+971-50-000-0456", "+971500000456", "+971-50-000-0456"),
        ("Cambodia +855 12 000 123", "+85512000123", "+855 12 000 123"),
        ("Bangkok +66 81 000 0123", "+66810000123", "+66 81 000 0123"),
        ("KL +60 12 000 0123", "+60120000123", "+60 12 000 0123"),
        ("Riyadh +966 50 000 0123", "+966500000123", "+966 50 000 0123"),
        ("Doha +974 3300 0123", "+97433000123", "+974 3300 0123"),
        ("00971 50 000 0123", "+971500000123", "00971 50 000 0123"),
    ],
)
def test_plain_numbers(text: str, e164: str, quote: str) -> None:
    found = phones(text)
    assert [(e, q) for e, q, _ in found] == [(e164, quote)]
    assert found[0][2] is False


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("nine zero zero zero zero one two three four five", None),
        ("NINE ZERO ZERO ZERO ZERO ONE TWO THREE FOUR FIVE", None),
        ("nine oh oh oh oh one two three four five", None),
        ("nine, zero, zero, zero, zero, one, two, three, four, five", None),
        ("nine triple zero zero one two three four five", None),
        ("nine double zero double zero one two three four five", None),
        ("nau shunya shunya shunya shunya ek do teen char paanch", None),
        ("नौ शून्य शून्य शून्य शून्य एक दो तीन चार पांच", None),
        ("९०००० १२३४५", None),  # Devanagari digits
        ("৯০০০০ ১২৩৪৫", None),  # Bengali
        ("੯੦੦੦੦ ੧੨੩੪੫", None),  # Gurmukhi
        ("૯૦૦૦૦ ૧૨૩૪૫", None),  # Gujarati
        ("୯୦୦୦୦ ୧୨୩୪୫", None),  # Odia
        ("௯௦௦௦௦ ௧௨௩௪௫", None),  # Tamil
        ("౯౦౦౦౦ ౧౨౩౪౫", None),  # Telugu
        ("೯೦೦೦೦ ೧೨೩೪೫", None),  # Kannada
        ("൯൦൦൦൦ ൧൨൩൪൫", None),  # Malayalam
        ("９０００ ０１２３４５", None),  # full-width
        (
            "9\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e3"
            "1\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e3",
            None,
        ),  # keycaps
        ("9OOO0 12345", "9OOO0 12345"),  # letters for digits inside a run
        ("9ooo0I2345", "9ooo0I2345"),
        ("9000O l2345", "9000O l2345"),
        ("9 0 0 0 0 1 2 3 4 5", "9 0 0 0 0 1 2 3 4 5"),  # spaced out
        ("9-0-0-0-0-1-2-3-4-5", "9-0-0-0-0-1-2-3-4-5"),
        ("9*0*0*0*0*1*2*3*4*5", "9*0*0*0*0*1*2*3*4*5"),  # unusual separators
        ("90 00 01 23 45", "90 00 01 23 45"),  # too many groups for a phone as usually written
        ("nine0000 one2345", "nine0000 one2345"),  # mixed forms
        ("9000\u200b012345", "9000\u200b012345"),  # zero-width space inside
    ],
)
def test_obfuscated_numbers(text: str, quote: str | None) -> None:
    found = phones(text)
    assert [e for e, _, _ in found] == [IN1]
    assert found[0][2] is True
    assert found[0][1] == (quote if quote is not None else text)


@pytest.mark.parametrize(
    ("text", "obfuscated"),
    [
        # an ad written in Devanagari gives its number in Devanagari digits: nothing hidden
        ("जयपुर के छात्र हॉस्टल के लिए अनुभवी रसोइया चाहिए। संपर्क करें ९०००० १२३४५", False),
        ("কলকাতার হোস্টেলের জন্য রাঁধুনি চাই। যোগাযোগ ৯০০০০ ১২৩৪৫", False),  # Bengali in Bengali
        # the same digits in an English ad, or spelled out one by one, are evasion
        ("Hostel cook wanted in Jaipur, contact ९०००० १२३४५ today", True),
        ("छात्र हॉस्टल के लिए रसोइया चाहिए, संपर्क ९ ० ० ० ० १ २ ३ ४ ५", True),
        ("কলকাতার হোস্টেলের জন্য রাঁধুনি চাই। যোগাযোগ ९०००० १२३४५", True),  # Devanagari digits in Bengali
    ],
)
def test_native_script_digits_are_not_obfuscation(text: str, obfuscated: bool) -> None:
    found = phones(text)
    assert [(e, o) for e, _, o in found] == [(IN1, obfuscated)]


@pytest.mark.parametrize(
    "text",
    [
        "salary 1,20,000 per month",
        "Rs 9000012345",
        "price ₹ 9000012345",
        "earn 9000012345 rupees",
        "pay 9000012345/-",
        "date 12/05/2024 at 10.30",
        "12.05.2024",
        "2024-05-12",
        "PIN 110001",
        "helpline 1098, police 112, cyber 1930, women 181",
        "order no 9000012345",
        "Order ID: 9000012345",
        "invoice #9000012345",
        "licence no. DL-0420110012345",
        "a/c 9000012345",
        "aadhaar 1234 5678 9012",
        "PNR 9000012345",
        "tracking number 9000012345",
        "IMEI 356938035643809",
        "card 4111 1111 1111 1111",
        "year 2019 2020 2021",
        "1234567890",  # a landline pattern without prefix: an ID far more often than a phone
        "1,00,00,000",
        "room 12, 3 bhk, 2000 sqft",
        "phone someone done",
        "zero one two",  # too short
        "ek do teen",
        "",
    ],
)
def test_not_phones(text: str) -> None:
    assert phones(text) == []


def test_s_is_five_only_inside_a_digit_run() -> None:
    assert phones("9000O123S5") == [("+919000012355", "9000O123S5", True)]
    assert phones("sos 9000012345 is mine") == [(IN1, "9000012345", False)]


def test_pin_code_next_to_a_phone_does_not_spoil_it() -> None:
    assert [e for e, _, _ in phones("Delhi 110001 9000012345")] == [IN1]


def test_two_numbers_in_one_run() -> None:
    found = phones("9000012345 8000012345")
    assert [e for e, _, _ in found] == [IN1, "+918000012345"]


def test_numbers_separated_by_slash_and_comma() -> None:
    assert len(phones("9000012345/8000012345, 7000012345")) == 3


def test_region_changes_bare_number_reading() -> None:
    assert [e for e, _, _ in phones("050 000 0123", region="AE")] == ["+971500000123"]
    assert phones("050 000 0123", region="IN") == []


@pytest.mark.parametrize(
    ("text", "platforms", "voice"),
    [
        ("Call 9000012345", (), True),
        ("WhatsApp 9000012345", ("whatsapp",), False),
        ("Call/WhatsApp 9000012345", ("whatsapp",), True),
        ("whatsapp only 9000012345", ("whatsapp",), False),
        ("Telegram: 9000012345", ("telegram",), False),
        ("9000012345 (whatsapp, no calls)", ("whatsapp",), False),
        ("व्हाट्सएप 9000012345", ("whatsapp",), False),
    ],
)
def test_messaging_platforms(text: str, platforms: tuple[str, ...], voice: bool) -> None:
    (p,) = extract_phones(contact_view(text))
    assert p.platforms == platforms
    assert p.voice is voice


def test_platform_is_tagged_per_number() -> None:
    a, b = extract_phones(contact_view("WhatsApp 9000012345. For calls: 8000012345"))
    assert a.platforms == ("whatsapp",) and not a.voice
    assert b.platforms == () and b.voice


def test_fast_path_agrees_with_phonenumbers() -> None:
    """validate_phone decides common mobiles from metadata; it must agree with phonenumbers."""
    rng = random.Random(7)
    for _ in range(3000):
        intl = rng.random() < 0.5
        if intl:
            cc = rng.choice(["971", "855", "66", "60", "977", "880", "974", "966", "1", "7", "44"])
            digits = cc + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 11)))
        else:
            digits = rng.choice(["", "0", "91"]) + rng.choice("6789")
            digits += "".join(rng.choice("0123456789") for _ in range(rng.choice([8, 9, 10])))
        validate_phone.cache_clear()
        got = validate_phone(digits, intl, "IN")
        num = phonenumbers.parse("+" + digits if intl else digits, None if intl else "IN")
        ok = phonenumbers.is_valid_number(num)
        if ok and not intl and not digits.startswith(("0", "91")):
            ok = phonenumbers.number_type(num) in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
        want = (
            (
                phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                phonenumbers.region_code_for_number(num),
            )
            if ok
            else None
        )
        assert got == want, digits
