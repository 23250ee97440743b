"""E-mails, URLs and messaging/social handles."""

from __future__ import annotations

import pytest

from trafficscan.features import extract


def emails(text: str) -> list[str]:
    return [e.value for e in extract(text).emails]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail rosy.99@gmail.com today", ["rosy.99@gmail.com"]),
        ("rosy_99@gmail.com", ["rosy_99@gmail.com"]),
        ("a: x@y.com b: z@w.org", ["x@y.com", "z@w.org"]),
        ("Mail: ROSY@Example.ORG.", ["rosy@example.org"]),
        ("hr_desk+jobs@mail.example.co.in", ["hr_desk+jobs@mail.example.co.in"]),
        ("rosy [at] gmail [dot] com", ["rosy@gmail.com"]),
        ("rosy(at)gmail(dot)com", ["rosy@gmail.com"]),
        ("rosy (at) gmail (dot) com", ["rosy@gmail.com"]),
        ("rosy{at}yahoo{dot}co{dot}in", ["rosy@yahoo.co.in"]),
        ("rosy @ gmail . com", []),  # "." with spaces is not written like this
        ("rosy at gmail dot com", ["rosy@gmail.com"]),
        ("rosy at gmail.com", ["rosy@gmail.com"]),
        ("a@b.c d@e.f", []),  # one-letter TLDs
        ("meet at hotel dot com", []),  # "at" + unknown mail provider: prose, not an address
        ("we are at home", []),
        ("tg @rosy_models", []),
        ("price @ 500", []),
        ("a@b.com, a@b.com", ["a@b.com", "a@b.com"]),
    ],
)
def test_emails(text: str, expected: list[str]) -> None:
    assert emails(text) == expected


def test_obfuscated_email_is_flagged_and_spans_the_original() -> None:
    text = "write to rosy [at] gmail [dot] com!"
    (e,) = extract(text).emails
    assert e.obfuscated
    assert text[e.start : e.end] == "rosy [at] gmail [dot] com"


@pytest.mark.parametrize(
    ("text", "urls", "domains"),
    [
        ("see https://Example.org/Path?x=1.", ["https://Example.org/Path?x=1"], ["example.org"]),
        ("www.example-shop.in/offers", ["www.example-shop.in/offers"], ["example-shop.in"]),
        ("join t.me/+AbCdEf123", ["t.me/+AbCdEf123"], ["t.me"]),
        (
            "bit.ly/abc and wa.me/919000012345",
            ["bit.ly/abc", "wa.me/919000012345"],
            ["bit.ly", "wa.me"],
        ),
        ("(http://example.com/a_(b))", ["http://example.com/a_(b)"], ["example.com"]),
        ("mail rosy@gmail.com", [], []),  # the domain of an e-mail is not a link
        ("e.g. this, i.e. that", [], []),
        ("Rs.500 only", [], []),
        ("version 1.2.3", [], []),
    ],
)
def test_urls(text: str, urls: list[str], domains: list[str]) -> None:
    found = extract(text).urls
    assert [u.value for u in found] == urls
    assert [u.domain for u in found] == domains


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Telegram @rosy_models", [("telegram", "rosy_models")]),
        ("contact @rosy_models", [("telegram", "rosy_models")]),  # bare @handle: Telegram
        ("t.me/rosy_models", [("telegram", "rosy_models")]),
        ("https://telegram.me/Rosy_Models", [("telegram", "rosy_models")]),
        ("t.me/+AbCdEf123", [("telegram", "+AbCdEf123")]),  # invite code keeps its case
        ("tg: rosy_models", [("telegram", "rosy_models")]),
        ("insta: @sexy.model", [("instagram", "sexy.model")]),
        ("Insta id - sexy.model", [("instagram", "sexy.model")]),
        ("DM on instagram @sexy.model", [("instagram", "sexy.model")]),
        ("instagram.com/sexy.model", [("instagram", "sexy.model")]),
        ("instagram.com/p/Cxyz", []),  # a post, not an account
        ("snapchat.com/add/rosy99", [("snapchat", "rosy99")]),
        ("snap: rosy99", [("snapchat", "rosy99")]),
        ("facebook.com/rosy.page", [("facebook", "rosy.page")]),
        ("fb: rosy.page", [("facebook", "rosy.page")]),
        ("wa.me/919000012345", [("whatsapp", "+919000012345")]),
        ("api.whatsapp.com/send?phone=971500000123", [("whatsapp", "+971500000123")]),
        ("chat.whatsapp.com/AbCdEf", [("whatsapp", "AbCdEf")]),
        ("WhatsApp 9000012345", [("whatsapp", "+919000012345")]),
        ("Call 9000012345", []),
        ("@ 5pm", []),
        ("@abc", []),  # too short for a Telegram user name, no platform named
        ("mail rosy@gmail.com", []),
        ("telegram - join now", []),
        ("big: deal", []),
    ],
)
def test_handles(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(h.platform, h.value) for h in extract(text).handles] == expected
