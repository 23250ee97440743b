"""The one shape every recognizer's result takes: a :class:`Finding` (a span of the ad text).

The features stage returns typed records (``Phone``, ``Age``, ``Location`` …) because rules,
the ``entities`` output and the classifier each read their own fields. A :class:`Finding` is
the common shape they all convert to (``Features.findings()``): what was found, where, as
written and in normal form, how directly the ad states it, and a sentence saying so. It lives
in core, not features, because the scored ad carries its contact findings to the output stage,
where redaction masks exactly those spans.

``confidence`` says how directly the text states the finding, on three levels:

* :data:`STATED` (1.0): written plainly and valid as written (a phone number in digits that
  ``phonenumbers`` validates, an e-mail address, a stated age);
* :data:`DEOBFUSCATED` (0.8): readable only after undoing a disguise (digit words, Indic or
  full-width digits, letters for digits, ``name [at] domain``);
* :data:`INFERRED` (0.6): not written as such but read from context: a number taken as a
  WhatsApp account because the platform is named beside it, or a whole-ad signal that rests on
  something missing (``messaging_only_contact``: no e-mail, no website, no number for calls).

A derived signal (``minor_age``, ``obfuscated_phone`` …) carries the confidence of the finding
it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEOBFUSCATED", "INFERRED", "STATED", "Finding"]

STATED = 1.0
DEOBFUSCATED = 0.8
INFERRED = 0.6


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a recognizer found in an ad, or a signal derived from such things.

    ``kind`` is a recognizer kind (phone, email, handle, url, price, age, location, person) or a
    derived signal (minor_age, obfuscated_phone …): together, the entity names rules may use.
    ``start``/``end`` is a half-open span of the original text and ``value`` its text as written
    (``text[start:end]``). ``normalized`` is the normal form: E.164 for phones, the lower-case
    address for e-mails, ``platform:value`` for handles (the contact key the state database and
    redaction use), ``amount currency[/unit]`` for prices, ``16`` or ``18-22`` for ages, the
    canonical name for places. ``confidence`` is one of :data:`STATED`, :data:`DEOBFUSCATED`,
    :data:`INFERRED`; ``explanation`` is a short sentence an analyst can quote.
    """

    kind: str
    start: int
    end: int
    value: str
    normalized: str
    confidence: float
    explanation: str
