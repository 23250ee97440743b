"""A generated test set of ads with known groups, for pairwise precision and recall.

Fictional numbers only (90000 xxxxx / 80000 xxxxx), e-mails at example.com/.org, clinical words.
Every ad carries its true group in ``extra.group``; singletons have their own group.
"""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

WORDS = [
    "apartment",
    "kitchen",
    "balcony",
    "furnished",
    "tenant",
    "deposit",
    "lease",
    "garden",
    "parking",
    "lift",
    "water",
    "supply",
    "meter",
    "electricity",
    "broadband",
    "wardrobe",
    "ceiling",
    "fan",
    "tiles",
    "marble",
    "corridor",
    "staircase",
    "terrace",
    "sofa",
    "table",
    "chair",
    "desk",
    "shelf",
    "lamp",
    "curtain",
    "carpet",
    "mirror",
    "cupboard",
    "refrigerator",
    "washing",
    "oven",
    "tutor",
    "mathematics",
    "physics",
    "chemistry",
    "biology",
    "grammar",
    "coaching",
    "syllabus",
    "weekend",
    "batch",
    "exam",
    "bicycle",
    "helmet",
    "scooter",
    "insurance",
    "registration",
    "mileage",
    "tyres",
    "service",
    "battery",
    "engine",
    "brake",
    "laptop",
    "charger",
    "keyboard",
    "monitor",
    "printer",
    "router",
    "warranty",
    "invoice",
    "sealed",
    "original",
    "adapter",
    "puppy",
    "vaccinated",
    "kennel",
    "leash",
    "grooming",
    "trainer",
    "pedigree",
    "breed",
    "collar",
    "feeding",
    "schedule",
    "plumber",
    "electrician",
    "carpenter",
    "painter",
    "mason",
    "welder",
    "repair",
    "wiring",
    "pipeline",
    "leakage",
    "fitting",
    "cook",
    "driver",
    "gardener",
    "guard",
    "cleaner",
    "receptionist",
    "accountant",
    "cashier",
    "helper",
    "packer",
    "loader",
    "morning",
    "evening",
    "shift",
    "salary",
    "weekly",
    "monthly",
    "allowance",
    "uniform",
    "canteen",
    "transport",
    "hostel",
]
CITIES = [
    "Guwahati",
    "Siliguri",
    "Patna",
    "Kolkata",
    "Lucknow",
    "Jaipur",
    "Bhopal",
    "Ranchi",
    "Nagpur",
    "Indore",
]
NAMES = ["Rina", "Mala", "Sita", "Asha", "Gita", "Nila", "Puja", "Devi"]
#: Shared by many unrelated ads: must not link them on its own.
BOILERPLATE = (
    "Call now for details. Posted on City Classifieds, the trusted marketplace for "
    "buyers and sellers, terms and conditions apply, report misuse to the site team."
)

AGENCY = (
    "Sunrise Placement Agency has served families and firms since many years, verified "
    "staff, police verification done, replacement within thirty days, office open all days."
)


def phone(n: int, style: int = 0) -> str:
    digits = f"9000{n:06d}"
    return [
        f"{digits[:5]} {digits[5:]}",
        f"+91-{digits[:5]}-{digits[5:]}",
        digits,
        f"+91 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"0{digits}",
    ][style % 5]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _ad(text: str, group: str, source: str, rng: random.Random, **fields: Any) -> dict[str, Any]:
    return {
        "source": source,
        "url": f"https://{source}.example.org/ad/{rng.randrange(10**9)}",
        "text": text,
        "group": group,
        **fields,
    }


def make_ads(seed: int = 7, singletons: int = 150) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    ads: list[dict[str, Any]] = []
    next_phone = iter(range(1, 10**6))
    # same phone in many spellings, in otherwise unrelated texts
    for g in range(4):
        p = next(next_phone)
        for style in range(5):
            ads.append(
                _ad(
                    f"{_words(rng, 25)}. Contact {phone(p, style)}.",
                    f"phone-{g}",
                    rng.choice(["olx", "quikr"]),
                    rng,
                    location=rng.choice(CITIES),
                )
            )
    # handles, written as a link, as @name and as "telegram: name"
    for g in range(3):
        name = f"helpdesk{g}farm"
        for form in (f"t.me/{name}", f"@{name}", f"telegram: {name}", f"https://t.me/{name}"):
            ads.append(_ad(f"{_words(rng, 25)}. Message {form}", f"handle-{g}", "olx", rng))
    # chains: A-B by one phone, B-C by another, C-D by an e-mail (given in the contact field)
    for g in range(3):
        p1, p2 = next(next_phone), next(next_phone)
        mail = f"desk{g}@example.com"
        ads.append(_ad(f"{_words(rng, 25)}. Call {phone(p1)}", f"chain-{g}", "olx", rng))
        ads.append(
            _ad(
                f"{_words(rng, 25)}. Call {phone(p1, 1)} or {phone(p2, 2)}",
                f"chain-{g}",
                "quikr",
                rng,
            )
        )
        ads.append(
            _ad(f"{_words(rng, 25)}. Call {phone(p2, 3)}", f"chain-{g}", "olx", rng, contact=mail)
        )
        ads.append(_ad(f"{_words(rng, 25)}.", f"chain-{g}", "locanto", rng, contact=mail.upper()))
    # one template re-posted with other names, ages, cities, prices and phones
    for g in range(4):
        template = (
            f"{{name}}, {{age}} years, {_words(rng, 12)} in {{city}}. {_words(rng, 18)}. "
            f"Rs {{price}} {_words(rng, 6)}. Call {{phone}}"
        )
        for _ in range(6):
            text = template.format(
                name=rng.choice(NAMES),
                age=rng.randint(21, 40),
                city=rng.choice(CITIES),
                price=rng.randint(2, 90) * 500,
                phone=phone(next(next_phone), rng.randrange(5)),
            )
            ads.append(
                _ad(
                    text,
                    f"repost-{g}",
                    rng.choice(["olx", "quikr", "locanto"]),
                    rng,
                    location=rng.choice(CITIES),
                )
            )
    # unrelated ads sharing the site's boilerplate and common phrases, each its own phone
    for i in range(singletons):
        body = _words(rng, rng.randint(12, 40))
        text = (
            f"{body}. {BOILERPLATE} Call {phone(next(next_phone), i)}"
            if i % 2
            else f"Genuine service, call now. {body}. WhatsApp {phone(next(next_phone), i)}"
        )
        ads.append(_ad(text, f"single-{i}", rng.choice(["olx", "quikr", "locanto"]), rng))
    # an agency's standard paragraph in a few unrelated ads: below the generic cut, so only
    # the texts' low overlap keeps them apart
    for i in range(8):
        text = f"{_words(rng, 30)}. {AGENCY} Call {phone(next(next_phone), i)}"
        ads.append(_ad(text, f"agency-single-{i}", "olx", rng))
    rng.shuffle(ads)
    return ads


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against the true groups (by ad id)."""
    ids = sorted(truth)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_truth, same_pred = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same_truth and same_pred
        fp += same_pred and not same_truth
        fn += same_truth and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0
