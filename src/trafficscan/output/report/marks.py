"""An ad's text as segments to print: the words that fired marked, contacts masked by span.

The rule hits carry ``start``/``end`` offsets into ``text`` (SPEC), so marking needs no second
search of the text: the reader sees exactly the words the engine matched. ``--redact`` masks
by span too: :func:`trafficscan.features.extract` is run again on the text and each phone,
e-mail and handle it finds is cut out, so a number written as "nine zero zero..." or in
Devanagari digits is masked as surely as a plain one (a string search would miss those).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

#: What a masked contact reads as in a redacted report. Fixed words, not hashes: a report is
#: read by people, and ``scan --redact`` already gives keyed links for machines.
MASKS = {"phone": "[phone]", "email": "[e-mail]", "handle": "[handle]", "link": "[link]"}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str = ""  # a rule title (marks) or a mask text (contacts)


@dataclass(slots=True)
class Segment:
    """A run of text printed one way: ``kind`` is "" (plain), "hit", "ctx" or "mask"."""

    text: str
    kind: str = ""
    labels: tuple[str, ...] = ()
    hit: bool = False  # a masked contact that was also a matched word
    mask_start: int = -1  # for a mask: where its contact starts (one mask per contact)


def rule_spans(text: str, rules: Iterable[dict[str, Any]], key: str) -> list[Span]:
    """The ``matches`` (or ``context``) spans of every rule hit, checked against ``text``.

    A span whose words are not at its offsets (a file redacted by ``scan --redact`` keeps the
    offsets of the unredacted text) is looked up by its words instead; when they are nowhere
    in the text it is left out rather than marking the wrong words.
    """
    spans: list[Span] = []
    for hit in rules:
        if not isinstance(hit, dict):
            continue
        title = str(hit.get("title") or hit.get("id") or "")
        for m in hit.get(key) or []:
            span = _locate(text, m)
            if span is not None:
                spans.append(Span(span[0], span[1], title))
    return spans


def _locate(text: str, match: Any) -> tuple[int, int] | None:
    if not isinstance(match, dict):
        return None
    words = match.get("text")
    start, end = match.get("start"), match.get("end")
    if (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(text)
        and (not isinstance(words, str) or text[start:end] == words)
    ):
        return start, end
    if isinstance(words, str) and words:
        found = [m.start() for m in re.finditer(re.escape(words), text)]
        if found:
            near = min(found, key=lambda i: abs(i - start) if isinstance(start, int) else i)
            return near, near + len(words)
    return None


def contact_spans(text: str) -> list[Span]:
    """Spans of every phone, e-mail, handle and chat link ``extract`` finds, with their masks."""
    from trafficscan.features import extract

    feats = extract(text)
    spans = [Span(p.start, p.end, MASKS["phone"]) for p in feats.phones]
    spans += [Span(e.start, e.end, MASKS["email"]) for e in feats.emails]
    spans += [Span(h.start, h.end, MASKS["handle"]) for h in feats.handles]
    spans += [Span(u.start, u.end, MASKS["link"]) for u in feats.urls if u.messaging]
    return [s for s in spans if 0 <= s.start < s.end <= len(text)]


def _merge(spans: Sequence[Span]) -> list[Span]:
    """Overlapping mask spans become one (the first one's label): one contact, one mask."""
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, s.end), last.label)
        else:
            merged.append(s)
    return merged


def segments(
    text: str, hits: Sequence[Span], context: Sequence[Span] = (), masks: Sequence[Span] = ()
) -> list[Segment]:
    """Cut ``text`` at every span edge; a mask wins over a mark, a mark over context."""
    masks = _merge(masks)
    cuts = {0, len(text)}
    for s in (*hits, *context, *masks):
        cuts.update((max(0, min(s.start, len(text))), max(0, min(s.end, len(text)))))
    edges = sorted(cuts)
    out: list[Segment] = []
    mask_i = 0
    for a, b in pairwise(edges):
        if a == b:
            continue
        while mask_i < len(masks) and masks[mask_i].end <= a:
            mask_i += 1
        hit_labels = tuple(dict.fromkeys(s.label for s in hits if s.start <= a and b <= s.end))
        if mask_i < len(masks) and masks[mask_i].start <= a:
            m = masks[mask_i]
            if out and out[-1].kind == "mask" and out[-1].mask_start == m.start:
                out[-1].hit = out[-1].hit or bool(hit_labels)
            else:
                out.append(Segment(m.label, "mask", (), bool(hit_labels), m.start))
            continue
        if hit_labels:
            kind, labels = "hit", hit_labels
        elif any(s.start <= a and b <= s.end for s in context):
            kind, labels = (
                "ctx",
                tuple(dict.fromkeys(s.label for s in context if s.start <= a and b <= s.end)),
            )
        else:
            kind, labels = "", ()
        if out and out[-1].kind == kind and out[-1].labels == labels and kind != "mask":
            out[-1].text += text[a:b]
        else:
            out.append(Segment(text[a:b], kind, labels))
    return out


def masked(text: str, masks: Sequence[Span], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with every contact span in it replaced by its mask."""
    end = len(text) if end is None else end
    inside = [
        Span(max(s.start, start) - start, min(s.end, end) - start, s.label)
        for s in masks
        if s.start < end and s.end > start
    ]
    return "".join(seg.text for seg in segments(text[start:end], (), (), inside))


#: Digit runs long enough to be a phone number, however spaced: the last net under
#: :class:`Scrubber` for strings no span covers (a model term, a URL, a price note).
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s.\-()]*\d){7,}")


class Scrubber:
    """Masks contacts in the short strings around the text (title, words, terms, URLs).

    Those strings have no spans of their own; every contact the text's spans cover is known
    by its raw words, so they are replaced wherever they appear, then any long digit run.
    """

    def __init__(self, text: str, masks: Sequence[Span], entities: dict[str, Any]) -> None:
        pairs = {text[s.start : s.end]: s.label for s in masks}
        for phone in entities.get("phones") or []:
            if isinstance(phone, str) and phone:
                pairs[phone] = MASKS["phone"]
                pairs[phone.lstrip("+")] = MASKS["phone"]
                if phone.startswith("+91"):
                    pairs[phone[3:]] = MASKS["phone"]
        for email in entities.get("emails") or []:
            if isinstance(email, str) and email:
                pairs[email] = MASKS["email"]
        for handle in entities.get("handles") or []:
            value = handle.get("value") if isinstance(handle, dict) else handle
            if isinstance(value, str) and value:
                pairs[value] = MASKS["handle"]
        self._pairs = sorted(
            ((raw, m) for raw, m in pairs.items() if raw.strip()), key=lambda kv: -len(kv[0])
        )

    def __call__(self, value: Any) -> str:
        text = "" if value is None else str(value)
        for raw, mask in self._pairs:
            if raw in text:
                text = text.replace(raw, mask)
        return _DIGIT_RUN.sub(MASKS["phone"], text)


__all__ = [
    "MASKS",
    "Scrubber",
    "Segment",
    "Span",
    "contact_spans",
    "masked",
    "rule_spans",
    "segments",
]
