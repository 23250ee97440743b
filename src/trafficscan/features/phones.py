"""Phone numbers, however they are written, as E.164.

A contact number is what links an ad in one state to an ad in another, so this extractor tries
hard to read numbers that ads hide from filters: digits spaced out or split by odd separators,
English and Hindi digit words (``nine eight``, ``nau aath``, ``नौ आठ``), Indic and full-width
digits, keycap emoji (``9️⃣``), letters for digits inside a run (``9OOO0``), "double five".

How it works, and why it is fast enough: one regex finds *digit tokens* (digit runs, digit
words, keycaps, letters glued to digits); tokens separated only by separators form a *run*;
inside a run, candidate numbers start and end on token boundaries (so a PIN code glued by a
space to a mobile number does not spoil it) and are validated by ``phonenumbers`` (cached).
Numbers without a country code must look like mobile numbers of the default region, or start
with the trunk prefix ``0``: a bare 10-digit order number is not a landline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trafficscan.features._regex import digit_runs, search_end, trie
from trafficscan.features.normalize import NormalizedText
from trafficscan.features.types import Phone

__all__ = ["extract_phones", "validate_phone"]

# value of each digit word; Latin words are matched after case folding
_DIGIT_WORDS: dict[str, str] = {
    "zero": "0", "shunya": "0", "shoonya": "0", "sunya": "0", "shunye": "0",
    "one": "1", "ek": "1", "ekk": "1",
    "two": "2", "do": "2", "doo": "2",
    "three": "3", "teen": "3", "tin": "3",
    "four": "4", "char": "4", "chaar": "4", "chār": "4",
    "five": "5", "paanch": "5", "panch": "5", "paach": "5", "paanc": "5",
    "six": "6", "chhe": "6", "chhah": "6", "chah": "6", "chhai": "6", "chhey": "6", "che": "6",
    "seven": "7", "saat": "7", "sat": "7",
    "eight": "8", "aath": "8", "aat": "8", "ath": "8",
    "nine": "9", "nau": "9", "nou": "9", "nao": "9",
}  # fmt: skip
_DEVANAGARI_WORDS: dict[str, str] = {
    "शून्य": "0", "शुन्य": "0", "जीरो": "0", "ज़ीरो": "0",
    "एक": "1", "दो": "2", "तीन": "3", "चार": "4", "पांच": "5", "पाँच": "5", "पंच": "5",
    "छह": "6", "छः": "6", "छे": "6", "छै": "6", "सात": "7", "आठ": "8", "नौ": "9",
}  # fmt: skip
_MULTIPLIERS: dict[str, int] = {
    "double": 2, "dubble": 2, "dabal": 2, "dbl": 2, "triple": 3, "tripple": 3, "trible": 3,
    "डबल": 2, "ट्रिपल": 3,
}  # fmt: skip
_LETTER_DIGITS = str.maketrans({"o": "0", "i": "1", "l": "1", "s": "5"})


_DEV = "\u0900-\u097f"
# Tokens are found from runs of digits (_regex.digit_runs, the last digit possibly a keycap,
# "9️⃣") and by small regexes for words rather than one alternation: each starts with a
# consuming character class, so ``re`` skips hopeless positions in C (2x faster in total).
# Left word boundaries are checked in Python (_left_ok) for the same reason.
_KEYCAP = "\u20e3"
_VS16_KEYCAP = "\ufe0f\u20e3"
_KEYCAPS = (_KEYCAP, _VS16_KEYCAP)
_LATIN_WORDS = {**_DIGIT_WORDS, **{k: "" for k in _MULTIPLIERS if k.isascii()}}
_WORD_TOKEN = re.compile(rf"{trie(_LATIN_WORDS)}(?![a-z])")
# The same after one character that is not [a-z]: a word token must start a word (_left_ok),
# and starting with that character lets re stop only at word starts instead of at every letter
# a digit word begins with. Matches cannot hide one another: each ends a run of letters.
_WORD_TOKEN_AFTER = re.compile(rf"[^a-z]({trie(_LATIN_WORDS)})(?![a-z])")
_DEVA_WORDS = {**_DEVANAGARI_WORDS, **{k: "" for k in _MULTIPLIERS if not k.isascii()}}
_DEVA_TOKEN = re.compile(rf"{trie(_DEVA_WORDS)}(?![{_DEV}])")
# lone "o"/"oh" words between two digit tokens: "nine o o eight"
_O_GAP = re.compile(r"[\s\-.,]*(?P<os>(?<![a-z])oh?(?:[\s\-.,]+oh?)*)(?![a-z])[\s\-.,]*")
_O_WORD = re.compile(r"oh?")
_LEFT_LATIN = re.compile(r"[a-z]")
_TRAIL_LETTERS = re.compile(r"[oils]+(?![a-z])")


def _left_ok(kind: str, text: str, s: int) -> bool:
    """The token starts a word: no letter of its own script right before it."""
    if s == 0:
        return True
    prev = text[s - 1]
    if kind in ("v", "m") and "\u0900" <= prev <= "\u097f":
        return False
    return _LEFT_LATIN.match(prev) is None


# what may stand between two tokens of one number
_GAP = re.compile(r"[\s\-.()_*~•·|,\\]{0,6}")
_PLAIN_GAP = re.compile(r"\s{0,2}[-.]?\s{0,2}|\s?\(\s?|\s?\)\s?")
_IDD = re.compile(r"00(?=[1-9])")

# context right before a candidate that says it is not a phone number
_NOT_PHONE_WORDS = [
    "order", "invoice", "bill", "license", "licence", "lic", "reg", "regn", "regd",
    "registration", "gstin", "gst", "cin", "pan", "aadhar", "aadhaar", "a/c", "acct", "account",
    "acc", "ifsc", "txn", "transaction", "ref", "reference", "utr", "pnr", "tracking", "awb",
    "serial", "passport", "imei", "challan", "fir", "case", "policy", "roll", "enrolment",
    "enrollment", "ticket", "pin", "pincode", "pin code", "zip", "booking id", "emp id",
    "employee id", "order id", "transaction id",
]  # fmt: skip
_NOT_PHONE_BEFORE = re.compile(
    rf"(?:{trie(_NOT_PHONE_WORDS)})\s*(?:no|num|number|#)?\s*[.:#\-=]*\s*\+?\s*$"
    rf"|(?:{trie(['₹', 'rs', 'inr', '$', 'usd', 'aed', 'sar', 'salary', 'price', 'rate', 'cost'])})"
    r"\s*[.:\-=]*\s*$"
)
_NOT_PHONE_AFTER = re.compile(
    r"\s*(?:/-|₹|rs\b|rupees|inr\b|k\b|lakh|lac|crore|cr\b|usd|dollars?|aed|dirhams?|%)"
)

# One scan of the window for all context words; short ones must stand alone (checked in Python)
_CONTEXT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ["whatsapp", "whats app", "whatsap", "watsapp", "watsap", "wattsapp", "watsaap", "whtsapp",
         "wtsp", "wtsapp", "wapp", "wa", "w/a", "wp", "व्हाट्सएप", "व्हाट्सऐप", "वॉट्सऐप", "वाट्सएप",
         "व्हाट्सप"],
        "whatsapp",
    ),
    **dict.fromkeys(["telegram", "telegrm", "tg", "tele", "टेलीग्राम"], "telegram"),
    **dict.fromkeys(
        ["call", "calls", "calling", "ph", "phone", "mob", "mobile", "cell", "tel", "ring", "dial",
         "फोन", "फ़ोन", "कॉल", "मोबाइल", "📞", "☎", "📱"],
        "call",
    ),
}  # fmt: skip
_CONTEXT = re.compile(trie(_CONTEXT_WORDS))
_STANDALONE = frozenset({"wa", "w/a", "wp", "tg", "tele", "ph", "tel", "ring", "mob", "cell"})


def _context_kinds(window: str) -> set[str]:
    """Which of whatsapp/telegram/call the window names."""
    kinds: set[str] = set()
    n = len(window)
    for m in _CONTEXT.finditer(window):
        word = m.group()
        s, e = m.span()
        if word in _STANDALONE or word.isascii():
            if s > 0 and window[s - 1].isalpha():
                continue
            if word in _STANDALONE and e < n and window[e].isalpha():
                continue
        kinds.add(_CONTEXT_WORDS[word])
    return kinds


_SENTENCE_END = re.compile(r"[.!?;\n।]")
_CLAUSE_END = re.compile(r"[.!?;\n।,/|]|\sor\s|\saur\s|\sand\s")
# Every branch starts with a letter, so re only stops at those (a branch that starts with a
# group makes it try every position); each names "call" or "only".
_NO_CALL = re.compile(
    r"no\s+calls?|don'?t\s+call|calls?\s+not\s+(?:allowed|accepted)|call\s+nahi|only\s+(?:on\s+)?"
    r"(?:whats\s?app|wa|telegram|tg|msg|message|text)"
    r"|whats\s?app\s+only|telegram\s+only|msg\s+only|text\s+only"
)


@dataclass(slots=True)
class _Group:
    """A stretch of one number: digits, span in the contact view, how it was written."""

    digits: str
    start: int
    end: int
    real: bool  # a digit, digit word or keycap (letters-for-digits alone cannot start a number)
    plain: bool  # plain ASCII digits in the original


_pn: Any = None


def _phonenumbers() -> Any:
    """Import ``phonenumbers`` on first use: it costs ~40 ms, and many commands never need it."""
    global _pn
    if _pn is None:
        import phonenumbers

        _pn = phonenumbers
    return _pn


@lru_cache(maxsize=64)
def _mobile_rule(
    region: str,
) -> tuple[str, str, re.Pattern[str], re.Pattern[str], tuple[int, ...]] | None:
    """What a plain mobile number of ``region`` looks like, from phonenumbers' own metadata.

    Used to accept (and, for bare numbers, reject) the common case without a full
    ``phonenumbers.parse``, which costs ~20 µs; the answer is the same as ``is_valid_number``
    (tests/features/test_phones.py checks that).
    """
    pn = _phonenumbers()
    md = pn.PhoneMetadata.metadata_for_region(region.upper())
    if md is None or md.mobile is None or md.mobile.national_number_pattern is None:
        return None
    if md.national_prefix_transform_rule or (md.national_prefix_for_parsing or "0") != "0":
        return None
    lengths = md.mobile.possible_length or md.general_desc.possible_length
    return (
        str(md.country_code),
        md.national_prefix or "",
        re.compile(md.general_desc.national_number_pattern),
        re.compile(md.mobile.national_number_pattern),
        tuple(lengths),
    )


def _fast_international(digits: str) -> tuple[str, str] | None:
    """A mobile number after ``+``, accepted from metadata alone; None means "ask phonenumbers".

    Only for country codes used by a single region (+971, +855...): shared codes (+1, +7, +44)
    need phonenumbers' region detection.
    """
    regions_by_cc = _phonenumbers().COUNTRY_CODE_TO_REGION_CODE
    for k in (1, 2, 3):
        regions = regions_by_cc.get(int(digits[:k]) if digits[:k].isdigit() else -1)
        if regions is None:
            continue
        if len(regions) != 1:
            return None
        rule = _mobile_rule(regions[0])
        if rule is None:
            return None
        _, _, general, mobile, lengths = rule
        nat = digits[k:]
        if len(nat) in lengths and general.fullmatch(nat) and mobile.fullmatch(nat):
            return "+" + digits, regions[0]
        return None
    return None


@lru_cache(maxsize=65_536)
def validate_phone(digits: str, international: bool, region: str = "IN") -> tuple[str, str] | None:
    """``(e164, region_of_number)`` when ``digits`` is a valid phone number, else None.

    ``international`` means the digits follow a ``+`` (or ``00``), so they begin with a country
    code. Without it, a number must be a mobile of ``region`` or carry the trunk prefix ``0`` or
    the region's own country code: bare digit strings that only happen to match a landline
    pattern are order numbers, IDs or amounts far more often than phones.
    """
    if not 7 <= len(digits) <= 17:
        return None
    if not international:
        rule = _mobile_rule(region)
        if rule is not None:
            cc, trunk, general, mobile, lengths = rule
            prefixed = (trunk != "" and digits.startswith(trunk)) or digits.startswith(cc)
            if not prefixed:
                # a bare number is only accepted as a mobile: decide here, no parse needed
                if (
                    len(digits) in lengths
                    and general.fullmatch(digits)
                    and mobile.fullmatch(digits)
                ):
                    return f"+{cc}{digits}", region.upper()
                return None
            nat = digits[len(trunk) :] if trunk and digits.startswith(trunk) else ""
            if nat and len(nat) in lengths and general.fullmatch(nat) and mobile.fullmatch(nat):
                return f"+{cc}{nat}", region.upper()
    else:
        fast = _fast_international(digits)
        if fast is not None:
            return fast
    pn = _phonenumbers()
    try:
        num = pn.parse("+" + digits if international else digits, None if international else region)
    except pn.NumberParseException:
        return None
    if not pn.is_valid_number(num):
        return None
    if not international:
        cc = str(pn.country_code_for_region(region))
        if not (digits.startswith("0") or digits.startswith(cc)):
            ntype = pn.number_type(num)
            if ntype not in (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE_OR_MOBILE):
                return None
    return pn.format_number(num, pn.PhoneNumberFormat.E164), pn.region_code_for_number(num) or ""


def _token_digits(kind: str, text: str) -> str:
    if kind == "d":
        if text.isascii():
            return text
        return "".join(str(unicodedata.decimal(c, 0)) for c in text)
    if kind == "k":
        return str(unicodedata.decimal(text[0], 0))
    if kind == "w":
        return _DIGIT_WORDS[text]
    if kind == "v":
        return _DEVANAGARI_WORDS[text]
    if kind == "l":
        return text.translate(_LETTER_DIGITS)
    return "0"  # "o" / "oh"


def _tokens(text: str, digit_spans: list[tuple[int, int]]) -> list[tuple[str, int, int, str]]:
    """Digit tokens ``(kind, start, end, text)`` in order, from the digit runs of ``text``.

    Kinds: ``d`` digits (any script), ``k`` keycap digit, ``w`` English/Hinglish digit word,
    ``v`` Devanagari digit word, ``m`` multiplier (double/triple), ``l`` letters for digits
    right before or after digits. A lone "o"/"oh" between digits is handled by :func:`_runs`.
    """
    out: list[tuple[str, int, int, str]] = []
    n = len(text)
    last_end = 0
    for s, e in digit_spans:
        if text.startswith(_KEYCAPS, e):
            # keycap: the digits before the last one are plain, the last one is a keycap
            if e - s > 1:
                out.append(("d", s, e - 1, text[s : e - 1]))
            end = e + 1 if text[e] == _KEYCAP else e + 2
            out.append(("k", e - 1, end, text[e - 1 : end]))
            last_end = end
            continue
        tok = text[s:e]
        k = s
        while k > last_end and s - k < 4 and text[k - 1] in "oils":
            k -= 1
        if k < s and (k == 0 or not _LEFT_LATIN.match(text[k - 1])):
            out.append(("l", k, s, text[k:s]))  # "o9000..." / "9ooo0": o before a digit
        out.append(("d", s, e, tok))
        if e < n and text[e] in "oils":
            t = _TRAIL_LETTERS.match(text, e)
            if t is not None:
                out.append(("l", e, t.end(), t.group()))
                e = t.end()
        last_end = e
    n_digits = len(out)
    first = _WORD_TOKEN.match(text)
    if first is not None:
        word = first.group()
        out.append(("w" if _LATIN_WORDS[word] else "m", 0, first.end(), word))
    for m in _WORD_TOKEN_AFTER.finditer(text):
        s = m.start(1)
        word = m.group(1)
        kind = "w" if _LATIN_WORDS[word] else "m"
        if kind == "w" or _left_ok(kind, text, s):
            out.append((kind, s, m.end(), word))
    if not text.isascii():
        for m in _DEVA_TOKEN.finditer(text):
            s = m.start()
            word = m.group()
            kind = "v" if _DEVA_WORDS[word] else "m"
            if _left_ok(kind, text, s):
                out.append((kind, s, m.end(), word))
    if len(out) == n_digits:
        return out  # no words: already in order
    out.sort(key=lambda t: (t[1], -t[2]))
    deduped: list[tuple[str, int, int, str]] = []
    last_end = 0
    for item in out:
        if item[1] >= last_end:
            deduped.append(item)
            last_end = item[2]
    return deduped


def _native_blocks(orig: str) -> frozenset[int]:
    """Indic blocks (code point >> 7) the ad is written in, whose digits are ordinary there.

    A Hindi ad that gives its number as ``७०००० ३४५६१`` is not hiding it; an English ad that
    does is. A block is native when it holds at least 40 % of the ad's letters (and 10 of them).
    """
    counts: dict[int, int] = {}
    letters = 0
    for ch in orig:
        if ch.isalpha():
            letters += 1
            cp = ord(ch)
            if 0x900 <= cp < 0xD80:
                counts[cp >> 7] = counts.get(cp >> 7, 0) + 1
    return frozenset(b for b, n in counts.items() if n >= 10 and n >= 0.4 * letters)


def _is_native_digits(piece: str, native: frozenset[int]) -> bool:
    blocks = {ord(ch) >> 7 for ch in piece}
    return len(blocks) == 1 and blocks <= native and all(ch.isdigit() for ch in piece)


def _may_hold_a_number(text: str, tokens: list[tuple[str, int, int, str]]) -> bool:
    """Whether some run of ``tokens`` can hold the seven digits of a phone number.

    A cheap upper bound of :func:`_runs`, which is much dearer: runs are only cut where
    :func:`_runs` surely cuts them, a token gives at most one digit per character (a multiplier
    at most as many extra digits as it has characters) and a gap at most one zero per "o".
    """
    total = 0
    prev_end = -1
    prev_kind = ""
    for kind, s, e, _ in tokens:
        if prev_end >= 0:
            gap = text[prev_end:s]
            if "," in gap and kind == "d" and prev_kind == "d":
                total = 0  # 1,20,000
            elif gap != " " and (len(gap) > 6 or _GAP.fullmatch(gap) is None):
                if "o" in gap and _O_GAP.fullmatch(gap) is not None:
                    total += gap.count("o")  # "nine o o eight"
                else:
                    total = 0
        total += e - s
        if total >= 7:
            return True
        prev_end, prev_kind = e, kind
    return False


def _runs(
    view: NormalizedText, digit_spans: list[tuple[int, int]]
) -> list[list[tuple[_Group, str]]]:
    """Token groups chained by separators: ``[(group, gap_before), ...]`` per run; none when
    no run can hold seven digits. ``digit_spans`` are the digit runs of the view's text."""
    text = view.text
    tokens = _tokens(text, digit_spans)
    if not _may_hold_a_number(text, tokens):
        return []
    orig = view.original
    offs = view.offsets
    runs: list[list[tuple[_Group, str]]] = []
    cur: list[tuple[_Group, str]] = []
    prev_end = -1
    prev_kind = ""
    pending_mult = 0
    mult_start = 0
    native: frozenset[int] | None = None
    for kind, s, e, tok in tokens:
        gap = text[prev_end:s] if prev_end >= 0 else ""
        joined = prev_end >= 0 and (
            gap == " " or gap == "" or (len(gap) <= 6 and _GAP.fullmatch(gap) is not None)
        )  # _GAP takes at most six characters
        if not joined and prev_end >= 0 and cur and "o" in gap:
            og = _O_GAP.fullmatch(gap)
            if og is not None:  # "nine o o eight": each lone "o"/"oh" is a zero
                zeros = "0" * len(_O_WORD.findall(og.group("os")))
                os_, oe = prev_end + og.start("os"), prev_end + og.end("os")
                cur.append((_Group(zeros, os_, oe, False, False), gap[: og.start("os")]))
                gap = gap[og.end("os") :]
                joined = True
        if joined and "," in gap and kind == "d" and prev_kind == "d":
            joined = False  # 1,20,000 is an amount in Indian grouping, not a phone
        if not joined:
            if cur:
                runs.append(cur)
            cur = []
            pending_mult = 0
            gap = ""
        prev_end, prev_kind = e, kind
        if kind == "m":
            pending_mult = _MULTIPLIERS[tok]
            mult_start = s
            continue
        digits = tok if kind == "d" and tok.isascii() else _token_digits(kind, tok)
        real = kind not in ("l", "o")
        piece = orig[offs[s] : offs[e - 1] + 1]
        plain = kind == "d" and tok.isascii() and tok == piece
        if kind == "d" and not plain and not piece.isascii() and len(piece) == e - s:
            if native is None:
                native = _native_blocks(orig)
            plain = bool(native) and _is_native_digits(piece, native)
        if pending_mult:
            digits = digits[0] * pending_mult + digits[1:]
            s, plain, pending_mult = mult_start, False, 0
        if cur and gap == "" and plain and cur[-1][0].plain:
            g = cur[-1][0]
            g.digits += digits
            g.end = e
            continue
        cur.append((_Group(digits, s, e, real, plain), gap))
    if cur:
        runs.append(cur)
    return runs


def _is_obfuscated(groups: list[tuple[_Group, str]], intl: bool) -> bool:
    if not all(g.plain for g, _ in groups):
        return True
    if any(_PLAIN_GAP.fullmatch(gap) is None for _, gap in groups[1:]):
        return True
    national = len(groups) - (1 if intl else 0)
    if groups and groups[0][0].digits == "0":
        national -= 1
    return national > 4


def extract_phones(view: NormalizedText, region: str = "IN") -> list[Phone]:
    """Every phone number in the contact view, in order, as :class:`Phone` records."""
    return phones_from_digits(view, digit_runs(view.text), region)


def phones_from_digits(
    view: NormalizedText, digit_spans: list[tuple[int, int]], region: str = "IN"
) -> list[Phone]:
    """:func:`extract_phones`, given the digit runs of the view's text (``_regex.digit_runs``)."""
    text = view.text
    phones: list[Phone] = []
    for run in _runs(view, digit_spans):
        total = sum(len(g.digits) for g, _ in run)
        if total < 7:
            continue
        i = 0
        n = len(run)
        while i < n:
            first = run[i][0]
            if not first.real:
                i += 1
                continue
            k = first.start - 1 if first.start > 0 and text[first.start - 1] == " " else first.start
            plus_len = first.start - k + 1 if k > 0 and text[k - 1] == "+" else 0
            intl = plus_len > 0
            ends: list[tuple[int, str]] = []
            digits = ""
            for j in range(i, n):
                digits += run[j][0].digits
                if len(digits) > 17:
                    break
                if run[j][0].real and len(digits) >= 7:
                    ends.append((j, digits))
            found: tuple[int, str, str, bool] | None = None
            for j, digits in reversed(ends):
                cand_intl = intl
                if not intl and _IDD.match(digits):
                    cand_intl, digits = True, digits[2:]
                res = validate_phone(digits, cand_intl, region)
                if res is not None:
                    if _NOT_PHONE_AFTER.match(text, run[j][0].end) is not None:
                        continue
                    found = (j, res[0], res[1], cand_intl)
                    break
            if found is None or search_end(
                _NOT_PHONE_BEFORE, text, max(0, first.start - 40), first.start
            ):
                i += 1
                continue
            j, e164, country, cand_intl = found
            cstart = first.start - (plus_len if cand_intl else 0)
            start, end = view.span(cstart, run[j][0].end)
            obfuscated = _is_obfuscated(run[i : j + 1], cand_intl)
            phones.append(Phone(e164, start, end, obfuscated, country))
            i = j + 1
    if phones:
        phones = _tag_platforms(view, phones)
    return phones


def _tag_platforms(view: NormalizedText, phones: list[Phone]) -> list[Phone]:
    """Note WhatsApp/Telegram named near each number, and whether it is offered for calls.

    The window is the text since the previous number (at most 60 characters) and a short
    stretch after, so "Call 9000012345, WhatsApp 8000012345" tags each number on its own.
    """
    text = view.text
    no_call_anywhere: bool | None = None  # searched once, only if some number has a platform
    out: list[Phone] = []
    prev_end = 0
    for k, p in enumerate(phones):
        s = view.to_norm(p.start)
        e = view.to_norm(p.end)
        nxt = view.to_norm(phones[k + 1].start) if k + 1 < len(phones) else len(text)
        after = text[e : min(nxt, e + 25)]
        # words between two numbers belong to the second ("Call A, WhatsApp B") unless the
        # first one's clause goes on ("A (whatsapp only), B")
        cut = (_CLAUSE_END if nxt <= e + 25 else _SENTENCE_END).search(after)
        window = text[max(prev_end, s - 60) : s] + " " + (after[: cut.start()] if cut else after)
        prev_end = e
        kinds = _context_kinds(window)
        platforms = [k for k in ("whatsapp", "telegram") if k in kinds]
        voice = True
        if platforms:
            if no_call_anywhere is None:
                no_call_anywhere = ("call" in text or "only" in text) and (
                    _NO_CALL.search(text) is not None
                )
            voice = "call" in kinds and not no_call_anywhere and _NO_CALL.search(window) is None
        if platforms:
            p = Phone(p.e164, p.start, p.end, p.obfuscated, p.country, tuple(platforms), voice)
        out.append(p)  # else as it is: no platform, offered for calls
    return out
