"""Match a whole rule set against one ad, fast, and say exactly which words fired.

Everything is compiled once per :class:`RuleSet`:

* every phrase of every rule -- ``keywords``, ``near`` terms and ``with`` phrases, ``requires``
  keywords and ``unless`` words -- goes into ONE Aho-Corasick automaton, so an ad is scanned
  once whatever the number of keywords (5,000 extra keywords cost almost nothing); a phrase
  ending in ``*`` (``chuk*``) is stored without it and matches any word that begins with it;
* every regex goes into one ``re2.Set``, which says in one linear pass which regexes match at
  all; only those are run again to find their spans;
* an index from phrase / regex / entity to the rules it can trigger, so only rules with at
  least one trigger present are evaluated.

Patterns run on the normalised text; spans are mapped back to the original text with
:meth:`NormalizedText.span`, so an analyst can highlight exactly what fired even when the ad
wrote ``n 3 w  g 1 r l``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import ahocorasick
import re2

from trafficscan.core.ad import Match, RuleHit
from trafficscan.features.normalize import NormalizedText, normalize
from trafficscan.score.rules.spec import Entity, Keywords, Near, Pattern, Regex, Rule

if TYPE_CHECKING:
    from trafficscan.score.rules.rule_score import RuleScore

# A "word character": Python's \w plus combining marks and the Indic blocks, because \w alone
# splits Devanagari words at every vowel sign (लड़की -> लड, क). Dandas (।, ॥) are punctuation.
_WORD_CLASS = "\\w\u0300-\u036f\u0900-\u0963\u0966-\u0dff"
_WORD_CHAR_RE = re.compile(f"[{_WORD_CLASS}]")
_WORD_RE = re.compile(f"[{_WORD_CLASS}]+")

Span = tuple[int, int]


class FeaturesLike(Protocol):
    """What the engine needs from ``trafficscan.features.extract``'s result."""

    @property
    def normalized(self) -> NormalizedText: ...

    def entity_spans(self, name: str) -> list[tuple[int, int]]: ...


def is_word_char(ch: str) -> bool:
    """True for letters, digits, ``_`` and Indic vowel signs: what a whole-word match may not touch."""
    return _WORD_CHAR_RE.match(ch) is not None


class _WordChars(dict[str, bool]):
    """is_word_char of each character seen so far, computed on first use: ads use a few
    hundred distinct characters, and a dict lookup is several times cheaper than a regex call
    per phrase hit."""

    def __missing__(self, ch: str) -> bool:
        w = self[ch] = is_word_char(ch)
        return w


_IS_WORD = _WordChars()


def is_prefix_phrase(phrase: str) -> bool:
    """True for ``chuk*``: a phrase whose last word may go on (chuka, chukana, chukega).

    Inflections defeat whole-word lists (Hinglish verbs, English -ed/-ing/-s), and a regex per
    stem would leave the automaton; the stem stays one automaton entry.
    """
    return len(phrase) > 1 and phrase[-1] == "*" and is_word_char(phrase[-2])


def prefix_stem_too_short(phrase: str) -> bool:
    """A stem of fewer than three letters (``ka*``) would match a large share of all words."""
    if not is_prefix_phrase(phrase):
        return False
    words = _WORD_RE.findall(phrase[:-1])
    return not words or len(words[-1]) < _MIN_STEM


_MIN_STEM = 3


@functools.lru_cache(maxsize=65_536)  # the loader checks each phrase, then the engine stores it
def normalize_phrase(phrase: str) -> str:
    """A keyword as the automaton stores it: normalised exactly like ad text, spaces folded.

    Keywords go through the same normalisation as the ads, so ``"N3W girl"`` in a pack still
    matches, and a pack author never has to guess what normalisation does.
    """
    return " ".join(normalize(phrase).text.split())


def _re2_options(max_mem: int | None = None) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr; we report the error ourselves
    if max_mem is not None:
        options.max_mem = max_mem
    return options


_OPTIONS = _re2_options()
# A set of regexes is one DFA, built lazily as ads are read, and the bounded gaps of the bundled
# regexes ([^.]{0,40}) give it many states. With RE2's default 8 MiB budget the DFA cache of one
# set of all 130 kept overflowing: 70 µs an ad, 20 µs with 32 MiB. Three sets of at most 64
# regexes with 16 MiB each: 12 µs (measured on 20,000 generated ads, benchmarks/README.md).
_SET_SIZE = 64
_SET_OPTIONS = _re2_options(max_mem=16 << 20)


def compile_regex(pattern: str) -> Any:
    """Compile with RE2 (linear time, no catastrophic backtracking on hostile ads).

    Raises ``ValueError`` with a message an analyst can act on when RE2 refuses the pattern.
    """
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else exc
        detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if any(op in detail for op in ("(?=", "(?!", "(?<=", "(?<!")):
            detail = f"lookaround is not supported by RE2 ({detail})"
        elif "invalid escape sequence: \\" in detail and detail.rstrip()[-1:].isdigit():
            detail = f"backreferences are not supported by RE2 ({detail})"
        raise ValueError(detail) from None


# --- compiled form -----------------------------------------------------------------------------

_KW, _RX, _NEAR, _ENT = range(4)


@dataclass(frozen=True, slots=True)
class _CPattern:
    kind: int
    phrases: frozenset[int] = frozenset()  # keywords, or near terms
    with_phrases: frozenset[int] = frozenset()
    entity: str | None = None  # entity pattern, or near with_entity
    regex: int = -1
    within: int = 0


@dataclass(frozen=True, slots=True)
class _CRule:
    rule: Rule
    patterns: tuple[_CPattern, ...]
    requires: tuple[_CPattern, ...]
    unless: frozenset[int]


class _Compiled:
    """The automaton, regexes and trigger indexes of a rule set. Built once, read-only."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.phrase_ids: dict[str, int] = {}
        self.regex_ids: dict[str, int] = {}
        self.regexes: list[Any] = []
        self.rules: list[_CRule] = []
        # Indexes that find, in a few set operations, exactly the rules with at least one
        # pattern that can match (a keyword present; a ``near`` term AND one of its partners
        # present; a regex or an entity found). Only those rules are evaluated.
        self.by_phrase: dict[int, set[int]] = {}  # keyword -> rules
        self.by_regex: dict[int, set[int]] = {}
        self.by_entity: dict[str, set[int]] = {}  # entity pattern -> rules
        self.near_by_term: dict[int, set[int]] = {}  # near term -> near patterns
        self.near_by_with: dict[int, set[int]] = {}  # near partner -> near patterns
        self.near_entity: dict[int, str] = {}  # near pattern -> its with_entity
        self.near_rule: list[int] = []  # near pattern -> rule
        for index, rule in enumerate(rules):
            patterns = tuple(self._pattern(p) for p in rule.patterns)
            requires = tuple(self._pattern(p) for p in rule.requires)
            unless = frozenset(self._phrase(w) for w in rule.unless)
            self.rules.append(_CRule(rule, patterns, requires, unless))
            for cp in patterns:
                if cp.kind == _KW:
                    for pid in cp.phrases:
                        self.by_phrase.setdefault(pid, set()).add(index)
                elif cp.kind == _RX:
                    self.by_regex.setdefault(cp.regex, set()).add(index)
                elif cp.kind == _ENT:
                    self.by_entity.setdefault(cp.entity, set()).add(index)  # type: ignore[arg-type]
                else:
                    near = len(self.near_rule)
                    self.near_rule.append(index)
                    for pid in cp.phrases:
                        self.near_by_term.setdefault(pid, set()).add(near)
                    if cp.entity is not None:
                        self.near_entity[near] = cp.entity
                    for pid in cp.with_phrases:
                        self.near_by_with.setdefault(pid, set()).add(near)
        self.near_entities = frozenset(self.near_entity)

        # One automaton key per stem: "chuka" and "chuka*" share it, as (whole-word id, prefix
        # id), -1 where the pack has only one of them.
        stems: dict[str, list[int]] = {}
        for phrase, pid in self.phrase_ids.items():
            prefix = is_prefix_phrase(phrase)
            stems.setdefault(phrase[:-1] if prefix else phrase, [-1, -1])[prefix] = pid
        self.automaton = ahocorasick.Automaton()
        for stem, (pid, prefix_pid) in stems.items():
            left = is_word_char(stem[0])
            right = is_word_char(stem[-1])
            self.automaton.add_word(stem, (pid, prefix_pid, len(stem), left, right))
        if self.phrase_ids:
            self.automaton.make_automaton()

        # Every regex goes into a re2.Set, which says in one pass which of its regexes match.
        # Sets of at most _SET_SIZE: one set of all the bundled regexes has a DFA too big to
        # stay in its cache (20 µs an ad); three smaller ones stay cached (12 µs in all).
        self.regex_sets: list[tuple[Any, list[int]]] = []
        rids = list(range(len(self.regexes)))
        groups = max(1, -(-len(rids) // _SET_SIZE))
        for group in (rids[g::groups] for g in range(groups)):
            regex_set = re2.Set.SearchSet(_SET_OPTIONS)
            for rid in group:
                regex_set.Add(self.regexes[rid].pattern)
            try:
                regex_set.Compile()
            except re2.error:  # too big for one DFA: search these one by one
                regex_set = None
            self.regex_sets.append((regex_set, group))

    def regex_hits(self, text: str) -> set[int]:
        """Ids of the regexes that match somewhere in ``text``."""
        hits: set[int] = set()
        for regex_set, group in self.regex_sets:
            if regex_set is not None:
                hits.update(group[i] for i in regex_set.Match(text) or ())
            else:
                regexes = self.regexes
                hits.update(rid for rid in group if regexes[rid].search(text))
        return hits

    def _phrase(self, text: str) -> int:
        phrase = normalize_phrase(text)
        if not phrase:  # the loader refuses these; guard anyway so the automaton stays valid
            raise ValueError(f"keyword {text!r} is empty after normalisation")
        return self.phrase_ids.setdefault(phrase, len(self.phrase_ids))

    def _pattern(self, pattern: Pattern) -> _CPattern:
        if isinstance(pattern, Keywords):
            return _CPattern(_KW, phrases=frozenset(self._phrase(k) for k in pattern.keywords))
        if isinstance(pattern, Regex):
            rid = self.regex_ids.get(pattern.regex)
            if rid is None:
                rid = self.regex_ids[pattern.regex] = len(self.regexes)
                self.regexes.append(compile_regex(pattern.regex))
            return _CPattern(_RX, regex=rid)
        if isinstance(pattern, Near):
            return _CPattern(
                _NEAR,
                phrases=frozenset(self._phrase(t) for t in pattern.terms),
                with_phrases=frozenset(self._phrase(w) for w in pattern.with_),
                entity=pattern.with_entity,
                within=pattern.within,
            )
        if isinstance(pattern, Entity):
            return _CPattern(_ENT, entity=pattern.entity)
        raise TypeError(f"unknown pattern {pattern!r}")


# --- one ad ----------------------------------------------------------------------------------


class _Scan:
    """The per-ad state: phrase occurrences, matching regexes, entity and word positions."""

    __slots__ = (
        "c",
        "entities",
        "features",
        "norm",
        "phrases",
        "present",
        "regex_hits",
        "text",
        "word_ends",
        "word_starts",
    )

    def __init__(self, compiled: _Compiled, features: FeaturesLike) -> None:
        self.c = compiled
        self.features = features
        self.norm = features.normalized
        text = self.text = self.norm.text
        n = len(text)
        phrases: dict[int, list[Span]] = {}
        if compiled.phrase_ids and text:
            # a whole-word phrase may not touch a word character (see _WordChars); a prefix
            # phrase must start a word and its span runs on to the end of that word
            is_word = _IS_WORD
            for end, (pid, prefix_pid, length, left, right) in compiled.automaton.iter(text):
                start = end - length + 1
                if left and start > 0 and is_word[text[start - 1]]:
                    continue
                stop = end + 1
                if pid >= 0 and not (right and stop < n and is_word[text[stop]]):
                    spans = phrases.get(pid)
                    if spans is None:
                        phrases[pid] = [(start, stop)]
                    else:
                        spans.append((start, stop))
                if prefix_pid >= 0:
                    while stop < n and is_word[text[stop]]:
                        stop += 1
                    phrases.setdefault(prefix_pid, []).append((start, stop))
        self.phrases = phrases
        self.present = frozenset(phrases)
        self.regex_hits = compiled.regex_hits(text) if compiled.regexes else set()
        self.entities: dict[str, list[Span]] = {}
        self.word_starts: list[int] | None = None
        self.word_ends: list[int] = []

    def candidates(self) -> list[int]:
        """Rules with at least one pattern that :meth:`possible` allows, in rule-set order."""
        c = self.c
        found: set[int] = set()
        terms: set[int] = set()
        partners: set[int] = set()
        by_phrase, by_term, by_with = c.by_phrase, c.near_by_term, c.near_by_with
        for pid in self.phrases:
            if pid in by_phrase:
                found |= by_phrase[pid]
            if pid in by_term:
                terms |= by_term[pid]
            if pid in by_with:
                partners |= by_with[pid]
        if terms:
            near_rule = c.near_rule
            for near in terms & partners:
                found.add(near_rule[near])
            for near in terms & c.near_entities:
                if self.entity(c.near_entity[near]):
                    found.add(near_rule[near])
        by_regex = c.by_regex
        for rid in self.regex_hits:
            if rid in by_regex:  # not so for a regex used only in ``requires``
                found |= by_regex[rid]
        for name, rules in c.by_entity.items():
            if self.entity(name):
                found |= rules
        return sorted(found)

    def entity(self, name: str) -> list[Span]:
        spans = self.entities.get(name)
        if spans is None:
            spans = self.entities[name] = [tuple(s) for s in self.features.entity_spans(name)]  # type: ignore[misc]
        return spans

    def phrase_spans(self, pids: frozenset[int]) -> list[Span]:
        """Occurrences of any of ``pids``, walking whichever side is smaller."""
        found = self.phrases
        out: list[Span] = []
        if len(pids) <= len(found):
            for pid in pids:
                spans = found.get(pid)
                if spans:
                    out.extend(spans)
        else:
            for pid, spans in found.items():
                if pid in pids:
                    out.extend(spans)
        return out

    def word_range(self, span: Span) -> tuple[int, int]:
        """First and last word index a normalised span touches (first > last: between words)."""
        if self.word_starts is None:
            self.word_starts = []
            self.word_ends = []
            for m in _WORD_RE.finditer(self.text):
                self.word_starts.append(m.start())
                self.word_ends.append(m.end())
        first = bisect.bisect_right(self.word_ends, span[0])
        last = bisect.bisect_left(self.word_starts, span[1]) - 1
        return first, last

    def possible(self, p: _CPattern) -> bool:
        """False when ``p`` cannot match: a cheap set test before any span is computed.

        Most candidate rules fail this way (a ``near`` term without its partner), so the
        span work below runs for about one rule in five.
        """
        kind = p.kind
        if kind == _KW:
            return not p.phrases.isdisjoint(self.present)
        if kind == _RX:
            return p.regex in self.regex_hits
        if kind == _ENT:
            return bool(self.entity(p.entity))  # type: ignore[arg-type]
        if p.phrases.isdisjoint(self.present):
            return False
        if p.entity is not None:
            return bool(self.entity(p.entity))
        return not p.with_phrases.isdisjoint(self.present)

    def evaluate(self, p: _CPattern) -> list[Span]:
        """Original-text spans where the pattern matched; empty if it did not."""
        to_orig = self.norm.span
        if p.kind == _KW:
            return [to_orig(s, e) for s, e in self.phrase_spans(p.phrases)]
        if p.kind == _RX:
            if p.regex not in self.regex_hits:
                return []
            return [
                to_orig(*m.span())
                for m in self.c.regexes[p.regex].finditer(self.text)
                if m.end() > m.start()
            ]
        if p.kind == _ENT:
            assert p.entity is not None
            return list(self.entity(p.entity))
        return self._near(p)

    def _near(self, p: _CPattern) -> list[Span]:
        terms = self.phrase_spans(p.phrases)
        if not terms:
            return []
        to_orig = self.norm.span
        # partners: (normalised span, original span)
        partners: list[tuple[Span, Span]]
        if p.entity is not None:
            to_norm = self.norm.to_norm
            partners = []
            for s, e in self.entity(p.entity):
                ns, ne = to_norm(s), to_norm(e)
                if ne > ns:
                    partners.append(((ns, ne), (s, e)))
        else:
            partners = [((s, e), to_orig(s, e)) for s, e in self.phrase_spans(p.with_phrases)]
        if not partners:
            return []
        # Sorted by first word, so each term only looks at partners in its word window: an ad
        # repeating "girl ... new" thousands of times stays linear, not quadratic.
        words = sorted((self.word_range(n_span), n_span, o_span) for n_span, o_span in partners)
        firsts = [w[0][0] for w in words]
        longest = max(last - first for (first, last), _, _ in words)
        within = p.within
        out: list[Span] = []
        for term in terms:
            t_first, t_last = self.word_range(term)
            lo = bisect.bisect_left(firsts, t_first - within - longest)
            hi = bisect.bisect_right(firsts, t_last + within)
            for (w_first, w_last), n_span, o_span in words[lo:hi]:
                if n_span == term:
                    continue  # a phrase is not near itself
                if max(0, w_first - t_last, t_first - w_last) <= within:
                    out.append(to_orig(*term))
                    out.append(o_span)
        return out


# --- the rule set ----------------------------------------------------------------------------


class RuleSet:
    """Validated rules compiled for matching.

    Pickling sends only the rule data; the receiving process recompiles (tens of milliseconds),
    because neither RE2 objects nor the automaton need to cross a process boundary.
    """

    def __init__(self, rules: Sequence[Rule], packs: Sequence[str] = ()) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.packs: tuple[str, ...] = tuple(packs)
        self._by_id = {r.id: r for r in self.rules}
        self._compiled = _Compiled(self.rules)

    def __reduce__(self) -> tuple[Any, ...]:
        return (RuleSet, (self.rules, self.packs))

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    @property
    def digest(self) -> str:
        """SHA-256 of what decides matching and scoring (ids, categories, weights, patterns).

        Titles, references and examples are left out: editing them changes no hit. A model
        stores the digest of the rules it was trained with, so a stale model can be spotted.
        """
        import hashlib
        import json

        keys = ("id", "category", "weight", "status", "patterns", "requires", "unless")
        rows = sorted(
            ({k: d[k] for k in keys} for d in (r.to_dict() for r in self.rules)),
            key=lambda d: d["id"],
        )
        return hashlib.sha256(
            json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()

    @property
    def keyword_count(self) -> int:
        """Distinct normalised phrases in the automaton (for benchmarks and ``rules list``)."""
        return len(self._compiled.phrase_ids)

    def match(self, features: FeaturesLike) -> list[RuleHit]:
        """Every rule that fires on the ad, in rule-set order, with original-text spans."""
        scan = _Scan(self._compiled, features)
        original = scan.norm.original
        hits: list[RuleHit] = []
        for index in scan.candidates():
            crule = self._compiled.rules[index]
            found = self._evaluate_rule(scan, crule)
            if found is None:
                continue
            spans, context = found
            rule = crule.rule
            hits.append(
                RuleHit(
                    rule_id=rule.id,
                    category=rule.category,
                    weight=rule.weight,
                    title=rule.title,
                    matches=[Match(original[s:e], s, e) for s, e in spans],
                    context=[Match(original[s:e], s, e) for s, e in context],
                )
            )
        return hits

    def match_text(self, text: str) -> list[RuleHit]:
        """Convenience for tests and ``rules test``: run the features stage, then :meth:`match`."""
        from trafficscan.features import extract

        return self.match(extract(text))

    def score_text(self, text: str) -> RuleScore:
        from trafficscan.score.rules.rule_score import score_hits

        return score_hits(self.match_text(text))

    @staticmethod
    def _evaluate_rule(scan: _Scan, crule: _CRule) -> tuple[list[Span], list[Span]] | None:
        """The spans of the patterns that fired and, apart, those of ``requires`` (context);
        ``None`` when the rule does not fire."""
        present = scan.present
        if crule.unless and not crule.unless.isdisjoint(present):
            return None
        possible = scan.possible
        patterns = [p for p in crule.patterns if possible(p)]
        if not patterns or not all(possible(p) for p in crule.requires):
            return None
        spans: list[Span] = []
        for p in patterns:
            spans.extend(scan.evaluate(p))
        if not spans:
            return None
        context: list[Span] = []
        for p in crule.requires:
            found = scan.evaluate(p)
            if not found:
                return None
            context.extend(found)
        fired = set(spans)
        return sorted(fired), sorted(set(context) - fired)
