"""The classifier's numeric view of an ad: a fixed vector of counts, ratios and flags.

:data:`NUMERIC_FEATURES` names the columns in order; :func:`numeric_vector` fills them from a
:class:`~trafficscan.features.extract.Features`. Character classes are counted on the UTF-8
bytes with one ``bytes.translate`` (see below): this runs for every ad scored.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from trafficscan.features.entity_names import is_young

if TYPE_CHECKING:
    from trafficscan.features.extract import Features

#: Numeric features for the classifier, in the order :meth:`Features.numeric` returns them.
#: Ratios are in [0, 1]; flags are 0.0/1.0; counts are raw counts.
NUMERIC_FEATURES: tuple[str, ...] = (
    "text_length",  # characters of the original text
    "n_words",  # words of the normalised text
    "caps_ratio",  # upper-case letters / letters (shouting, typical of ads)
    "digit_ratio",  # digits / characters
    "n_emojis",  # emoji characters
    "n_distinct_emojis",
    "n_phones",  # distinct phone numbers
    "n_obfuscated_phones",
    "n_foreign_phones",  # numbers with a country code other than the default region's
    "n_emails",
    "n_handles",  # distinct (platform, value) accounts, WhatsApp numbers included
    "n_urls",
    "has_whatsapp",
    "has_telegram",
    "messaging_only_contact",
    "n_prices",
    "n_foreign_currency_prices",
    "log10_max_price_inr",  # log10(1 + largest amount, converted with INR_PER_UNIT); 0 if none
    "n_ages",
    "min_age",  # lowest stated age; 0 if none
    "has_minor_age",
    "has_young_age",
    "n_locations",
    "n_foreign_locations",
    "n_scam_hubs",
    "n_persons",  # people counted in the ad ("2 girls" + "3 ladies" = 5), capped at 100
)

#: Rough exchange rates, only to put amounts on one scale for the classifier (not for reports).
INR_PER_UNIT: dict[str, float] = {
    "INR": 1.0, "USD": 83.0, "USDT": 83.0, "AED": 22.6, "SAR": 22.1, "QAR": 22.8,
    "KWD": 270.0, "OMR": 216.0, "BHD": 220.0, "MYR": 17.7, "THB": 2.3, "EUR": 90.0,
    "GBP": 105.0, "NPR": 0.625, "BDT": 0.76, "KHR": 0.02, "RUB": 0.9,
}  # fmt: skip

# Character classes of numeric(), counted by deleting everything else. ASCII characters are
# classified on the UTF-8 bytes with one bytes.translate (a C loop over a 256-byte table; every
# byte of a non-ASCII character is >= 0x80 and maps to "."), then counted with bytes.count; the
# non-ASCII characters, few in most ads, are counted with the regexes. Each character is
# counted once, so the sums are exactly what the regexes give on the whole text.
_NOT_UPPER = re.compile(r"[^A-ZÀ-ÖØ-ÞА-Я]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_DIGIT = re.compile(r"\D\D*")  # \D+, spelled to scan fast (see _regex)
_ASCII_CLASS = bytes(
    ord("U") if 65 <= b <= 90 else ord("L") if 97 <= b <= 122 else ord("D") if 48 <= b <= 57
    else ord(".")
    for b in range(256)
)  # fmt: skip


def numeric_vector(f: Features) -> dict[str, float]:
    """The :data:`NUMERIC_FEATURES` of this ad, same keys in the same order for every ad."""
    original = f.normalized.original
    n_chars = len(original)
    # every feature is 0.0 when there is nothing of its kind, as in most ads for most kinds
    out = _NUMERIC_ZEROS.copy()
    out["text_length"] = float(n_chars)
    out["n_words"] = float(_count_words(f.normalized.text))
    if n_chars:
        n_letters, n_upper, n_digits = _char_counts(original)
        if n_letters:
            out["caps_ratio"] = n_upper / n_letters
        out["digit_ratio"] = n_digits / n_chars
    if f.emojis:
        out["n_emojis"] = float(len(f.emojis))
        out["n_distinct_emojis"] = float(len(set(f.emojis)))
    if f.phones:
        phones = {p.e164: p for p in f.phones}  # the last record of each number counts
        default_cc = f.region
        out["n_phones"] = float(len(phones))
        out["n_obfuscated_phones"] = float(sum(p.obfuscated for p in phones.values()))
        out["n_foreign_phones"] = float(sum(p.country != default_cc for p in phones.values()))
    if f.emails:
        out["n_emails"] = float(len({e.value for e in f.emails}))
    if f.handles:
        handles = {(h.platform, h.value) for h in f.handles}
        out["n_handles"] = float(len(handles))
        out["has_whatsapp"] = float(any(p == "whatsapp" for p, _ in handles))
        out["has_telegram"] = float(any(p == "telegram" for p, _ in handles))
    if f.urls:
        out["n_urls"] = float(len({u.value for u in f.urls}))
    if f.handles or f.phones:
        out["messaging_only_contact"] = float(f.messaging_only_contact)
    if f.prices:
        inr = [p.amount * INR_PER_UNIT.get(p.currency, 1.0) for p in f.prices]
        out["n_prices"] = float(len(f.prices))
        out["n_foreign_currency_prices"] = float(sum(p.currency != "INR" for p in f.prices))
        out["log10_max_price_inr"] = math.log10(1.0 + max(inr))
    if f.ages:
        out["n_ages"] = float(len(f.ages))
        out["min_age"] = float(min(a.low for a in f.ages))
        out["has_minor_age"] = float(any(a.low < 18 for a in f.ages))
        out["has_young_age"] = float(any(is_young(a) for a in f.ages))
    if f.locations:
        out["n_locations"] = float(len(f.locations))
        out["n_foreign_locations"] = float(sum(loc.foreign for loc in f.locations))
        out["n_scam_hubs"] = float(sum(loc.scam_hub for loc in f.locations))
    if f.persons:
        out["n_persons"] = float(min(100, sum(p.count for p in f.persons)))
    return out


_NUMERIC_ZEROS: dict[str, float] = dict.fromkeys(NUMERIC_FEATURES, 0.0)


def _count_words(text: str) -> int:
    """``len(text.split())`` without building the list.

    Printable text has no whitespace but the plain space (every other whitespace character is
    a separator or a control), so with no double, leading or trailing space the words are the
    spaces plus one. The normalised text is like that but for rare invisible characters.
    """
    if not text:
        return 0
    if "  " in text or text[0] == " " or text[-1] == " " or not text.isprintable():
        return len(text.split())
    return text.count(" ") + 1


def _char_counts(text: str) -> tuple[int, int, int]:
    """(letters, capitals, digits) of ``text``, as ``_NOT_LETTER``, ``_NOT_UPPER`` and
    ``_NOT_DIGIT`` would count them (see the tables above)."""
    enc = text.encode("utf-8", "surrogatepass")
    classes = enc.translate(_ASCII_CLASS)
    upper = classes.count(b"U")
    letters = upper + classes.count(b"L")
    digits = classes.count(b"D")
    if not text.isascii():
        # the non-ASCII characters in order: the UTF-8 without its ASCII bytes (a C call)
        rest = enc.translate(None, _ASCII_BYTES)
        counts = _rest_counts.get(rest)
        if counts is None:
            chars = rest.decode("utf-8", "surrogatepass")
            counts = (
                len(_NOT_LETTER.sub("", chars)),
                len(_NOT_UPPER.sub("", chars)),
                len(_NOT_DIGIT.sub("", chars)),
            )
            if len(rest) <= 48 and len(_rest_counts) < 4096:
                _rest_counts[rest] = counts
        letters += counts[0]
        upper += counts[1]
        digits += counts[2]
    return letters, upper, digits


# The non-ASCII characters of most ads are a dash or two and a rupee sign: their counts are
# kept for short strings of them (UTF-8 of at most 48 bytes, at most 4,096 of them: a few
# hundred KiB).
_rest_counts: dict[bytes, tuple[int, int, int]] = {}
_ASCII_BYTES = bytes(range(128))
