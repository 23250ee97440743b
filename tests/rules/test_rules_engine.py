"""Every pattern form, vetoes, requires, near, entities and original-text spans."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_helpers import features, rule_yaml, toy_normalize


def spans(hits, rule_id):
    for hit in hits:
        if hit.rule_id == rule_id:
            return [(m.text, m.start, m.end) for m in hit.matches]
    return None


def test_keywords_match_whole_words_only(make_rules):
    rs = make_rules(rule_yaml("t.kw", 'patterns:\n  - keywords: ["new girl", "fresh"]'))
    assert spans(rs.match(features("A New Girl, fresh!")), "t.kw") == [
        ("New Girl", 2, 10),
        ("fresh", 12, 17),
    ]
    for text in ("newgirl", "renew girl", "new girls", "refreshed", "fresh_x"):
        assert rs.match(features(text)) == [], text


def test_keyword_boundaries_in_devanagari(make_rules):
    rs = make_rules(
        rule_yaml("t.hi", 'patterns:\n  - keywords: ["लड़की"]'),
        rule_yaml("t.part", 'patterns:\n  - keywords: ["लड़क"]'),
    )
    hits = rs.match(features("नई लड़की है।"))
    assert [h.rule_id for h in hits] == ["t.hi"]  # a vowel sign continues the word
    assert spans(hits, "t.hi") == [("लड़की", 3, 8)]


def test_prefix_phrases_match_words_that_begin_with_them(make_rules):
    rs = make_rules(
        rule_yaml("t.stem", 'patterns:\n  - near: {terms: ["karza", "karz"], with: ["chuk*"]}'),
        rule_yaml("t.whole", 'patterns:\n  - keywords: ["chuka"]'),
    )
    hits = rs.match(features("karza chukega tab jaana, karz chuka"))
    # the span runs to the end of the inflected word, so the analyst sees what was written
    assert spans(hits, "t.stem") == [
        ("karza", 0, 5),
        ("chukega", 6, 13),
        ("karz", 25, 29),
        ("chuka", 30, 35),
    ]
    assert spans(hits, "t.whole") == [("chuka", 30, 35)]  # the same stem, as a whole word
    for text in ("karza achukega", "karza chu ka", "karza", "chukana"):
        assert rs.match(features(text)) == [], text


def test_prefix_phrase_of_several_words_and_in_devanagari(make_rules):
    rs = make_rules(
        rule_yaml("t.en", 'patterns:\n  - keywords: ["work it off*", "बच्च*"]'),
    )
    hits = rs.match(features("work it offf, बच्चों को"))
    assert spans(hits, "t.en") == [("work it offf", 0, 12), ("बच्चों", 14, 20)]
    assert rs.match(features("work itoff")) == []


def test_emoji_keywords_need_no_word_boundary(make_rules):
    rs = make_rules(rule_yaml("t.rose", 'patterns:\n  - keywords: ["🌹"]', category="emoji-code"))
    assert spans(rs.match(features("🌹🌹 2000 only")), "t.rose") == [("🌹", 0, 1), ("🌹", 1, 2)]


def test_keywords_are_normalised_like_the_ads(make_rules):
    rs = make_rules(rule_yaml("t.case", 'patterns:\n  - keywords: ["  NEW   Girl "]'))
    assert spans(rs.match(features("new girl")), "t.case") == [("new girl", 0, 8)]


def test_regex_runs_on_normalised_text(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.rx",
            r"""patterns:
  - regex: '\b(1[4-7])\s*(yo|yrs?)\b'""",
        )
    )
    assert spans(rs.match(features("Sweet 16 YO and 15yrs")), "t.rx") == [
        ("16 YO", 6, 11),
        ("15yrs", 16, 21),
    ]
    assert rs.match(features("18 yo")) == []


def test_near_either_order_within_words(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.near",
            """patterns:
  - near: {terms: ["girl", "ladki"], with: ["new", "fresh"], within: 3}""",
        )
    )
    assert spans(rs.match(features("new young pretty girl")), "t.near") == [
        ("new", 0, 3),
        ("girl", 17, 21),
    ]
    assert spans(rs.match(features("ladki, bilkul fresh")), "t.near") == [
        ("ladki", 0, 5),
        ("fresh", 14, 19),
    ]
    assert rs.match(features("new in the big city girl")) == []  # 5 words apart


def test_near_default_within_is_five(make_rules):
    rs = make_rules(rule_yaml("t.near5", 'patterns:\n  - near: {terms: ["girl"], with: ["new"]}'))
    assert rs.match(features("new in the big city girl"))  # 5 words apart
    assert not rs.match(features("new in the big old city girl"))  # 6


def test_near_with_entity(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.ent",
            """patterns:
  - near: {terms: ["girl", "girls"], with_entity: minor_age, within: 2}""",
        )
    )
    text = "college girl age 16, call now"
    hit = rs.match(features(text, minor_age="age 16"))
    assert spans(hit, "t.ent") == [("girl", 8, 12), ("age 16", 13, 19)]
    far = "girl from the hills who is said to be age 16"
    assert rs.match(features(far, minor_age="age 16")) == []
    assert rs.match(features(text)) == []  # no entity, no hit


def test_entity_pattern_spans_are_the_entity_spans(make_rules):
    rs = make_rules(
        rule_yaml("t.hub", "patterns:\n  - entity: scam_hub", category="recruitment-fraud")
    )
    text = "Data entry job in Myawaddy and KK Park, free visa"
    hits = rs.match(features(text, scam_hub=["Myawaddy", "KK Park"]))
    assert spans(hits, "t.hub") == [("Myawaddy", 18, 26), ("KK Park", 31, 38)]
    assert rs.match(features(text)) == []


def test_unless_vetoes_anywhere_as_whole_words(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.veto",
            """patterns:
  - keywords: ["new girl"]
unless: ["helpline", "rescued"]""",
        )
    )
    assert rs.match(features("new girl here. Helpline 1098")) == []
    assert rs.match(features("Rescued: new girl")) == []
    assert rs.match(features("new girl, no helplines"))  # not the whole word


def test_requires_all_must_match_and_are_kept_as_context(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.req",
            """patterns:
  - keywords: ["job abroad"]
requires:
  - keywords: ["fee", "deposit"]
  - entity: messaging_only_contact""",
            category="recruitment-fraud",
        )
    )
    text = "Job abroad, no interview. Fee 50000. WhatsApp only"
    hits = rs.match(features(text, messaging_only_contact="WhatsApp only"))
    assert spans(hits, "t.req") == [("Job abroad", 0, 10)]  # the indicator itself
    (hit,) = hits
    assert [(m.text, m.start, m.end) for m in hit.context] == [
        ("Fee", 26, 29),
        ("WhatsApp only", 37, 50),
    ]
    assert rs.match(features(text)) == []  # the entity requirement fails
    assert (
        rs.match(features("Job abroad, WhatsApp only", messaging_only_contact="WhatsApp only"))
        == []
    )


def test_requires_alone_does_not_trigger(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.req2", 'patterns:\n  - keywords: ["massage"]\nrequires:\n  - keywords: ["extras"]'
        ),
        rule_yaml(
            "t.req3", "patterns:\n  - keywords: [\"visa\"]\nrequires:\n  - regex: '\\bfee \\d+'"
        ),
    )
    assert rs.match(features("extras available")) == []
    assert rs.match(features("massage with extras"))
    assert rs.match(features("fee 5000 only")) == []  # a regex used only in requires
    (hit,) = rs.match(features("visa, fee 5000"))
    assert spans([hit], "t.req3") == [("visa", 0, 4)]
    assert [(m.text, m.start, m.end) for m in hit.context] == [("fee 5000", 6, 14)]


def test_each_span_listed_once_in_order(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.dup",
            r"""patterns:
  - keywords: ["fresh"]
  - regex: '\bfresh\b'
  - near: {terms: ["fresh"], with: ["girl"], within: 2}""",
        )
    )
    assert spans(rs.match(features("girl fresh")), "t.dup") == [("girl", 0, 4), ("fresh", 5, 10)]


def test_hits_follow_rule_order_and_carry_title(make_rules):
    rs = make_rules(
        rule_yaml("t.b", 'patterns:\n  - keywords: ["girl"]', category="youth", weight=0.3),
        rule_yaml("t.a", 'patterns:\n  - keywords: ["new"]', category="movement", weight=0.2),
    )
    hits = rs.match(features("girl new"))
    assert [(h.rule_id, h.category, h.weight, h.title) for h in hits] == [
        ("t.b", "youth", 0.3, "Test rule t.b"),
        ("t.a", "movement", 0.2, "Test rule t.a"),
    ]


def test_spans_index_the_original_text_through_leet_and_spacing(make_rules):
    rs = make_rules(
        rule_yaml("t.ng", 'patterns:\n  - keywords: ["new girl"]'),
        rule_yaml("t.rx", "patterns:\n  - regex: 'y(o)ung'"),
        rule_yaml("t.nr", 'patterns:\n  - near: {terms: ["girl"], with: ["fresh"], within: 3}'),
    )
    text = "Call:  N 3 W  g1rl, y0ung and fr3sh"
    norm = toy_normalize(text)
    assert norm.text == "call: new girl, young and fresh"
    hits = rs.match(features(text, norm=norm))
    assert spans(hits, "t.ng") == [("N 3 W  g1rl", 7, 18)]
    assert spans(hits, "t.rx") == [("y0ung", 20, 25)]
    assert spans(hits, "t.nr") == [("g1rl", 14, 18), ("fr3sh", 30, 35)]


def test_spans_through_the_real_normaliser(make_rules):
    rs = make_rules(
        rule_yaml("t.ng", 'patterns:\n  - keywords: ["new girls"]'),
        rule_yaml("t.yg", 'patterns:\n  - keywords: ["young"]'),
    )
    text = "Hi! N E W  G I R L S, very y0ung"
    hits = rs.match(features(text))  # the real normalize()
    assert spans(hits, "t.ng") == [("N E W  G I R L S", 4, 20)]
    assert spans(hits, "t.yg") == [("y0ung", 27, 32)]


def test_ruleset_pickles_and_matches_the_same(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.p",
            r"""patterns:
  - keywords: ["girl"]
  - regex: '\b1[4-7]\b'
  - near: {terms: ["girl"], with: ["new"]}""",
        )
    )
    clone = pickle.loads(pickle.dumps(rs))
    f = features("new girl 16")
    assert [h.to_dict() for h in clone.match(f)] == [h.to_dict() for h in rs.match(f)]
    assert clone.rules == rs.rules


def test_one_automaton_for_all_phrases(make_rules):
    rs = make_rules(
        rule_yaml("t.1", 'patterns:\n  - keywords: ["a1", "shared"]\nunless: ["veto"]'),
        rule_yaml(
            "t.2",
            'patterns:\n  - near: {terms: ["shared"], with: ["b2"]}\nrequires:\n  - keywords: ["c3"]',
        ),
    )
    assert rs.keyword_count == 5  # a1, shared, veto, b2, c3: shared once


def test_many_regexes_and_no_trigger_no_evaluation(make_rules):
    # 150 regexes: more than one re2.Set holds (engine._SET_SIZE), so hits come from several
    words = [f"zq{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(150)]
    body = "patterns:\n" + "".join(f"  - regex: '\\b{w}\\b'\n" for w in words)
    rs = make_rules(rule_yaml("t.many", body))
    picked = [0, 7, 59, 64, 130, 149]
    text = " ".join(words[i] for i in picked)
    assert spans(rs.match(features(text)), "t.many") == [
        (words[i], 5 * n, 5 * n + 4) for n, i in enumerate(picked)
    ]
    for i in range(150):  # each regex alone, whichever set it landed in
        assert spans(rs.match(features(f"x {words[i]} y")), "t.many") == [(words[i], 2, 6)]
    assert rs.match(features("nothing here")) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(["girl", "new", "hotel", "job", "fresh new"]), max_size=30),
    st.integers(1, 6),
)
def test_near_agrees_with_brute_force(words, within):
    rs = _NEAR_SETS[within]
    text = " ".join(words)
    tokens = text.split()
    starts = [sum(len(t) + 1 for t in tokens[:i]) for i in range(len(tokens))]
    expected = set()
    for i, a in enumerate(tokens):
        for j, b in enumerate(tokens):
            if a == "girl" and b == "new" and abs(i - j) <= within:
                expected |= {(a, starts[i], starts[i] + 4), (b, starts[j], starts[j] + 3)}
    got = spans(rs.match(features(text)), "t.near")
    assert (got or []) == sorted(expected, key=lambda s: (s[1], s[2]))


def _near_set(within: int):
    from trafficscan.score.rules import RuleSet
    from trafficscan.score.rules.spec import Example, Near, Rule

    rule = Rule(
        id="t.near",
        title="t",
        category="youth",
        weight=0.3,
        patterns=(Near(terms=("girl",), with_=("new",), within=within),),
        references=("test",),
        match_examples=(Example("new girl"),),
        no_match_examples=(Example("girl"),),
    )
    return RuleSet([rule])


_NEAR_SETS = {w: _near_set(w) for w in range(1, 7)}


def test_entity_names_are_ones_the_features_stage_reports():
    from trafficscan.features import ENTITY_NAMES as FEATURE_ENTITIES
    from trafficscan.score.rules import ENTITY_NAMES

    assert set(ENTITY_NAMES) <= set(FEATURE_ENTITIES)


def test_match_text_runs_the_real_features_stage(make_rules):
    rs = make_rules(
        rule_yaml(
            "t.hub",
            'patterns:\n  - near: {terms: ["job", "jobs"], with_entity: scam_hub, within: 4}',
            category="recruitment-fraud",
        ),
        rule_yaml("t.minor", "patterns:\n  - entity: minor_age"),
    )
    text = "Data entry JOB in Myawaddy, salary 1 lakh. Girl age 16."
    hits = {h.rule_id: [m.text for m in h.matches] for h in rs.match_text(text)}
    assert hits["t.hub"] == ["JOB", "Myawaddy"]
    assert "t.minor" in hits and all(m in text for m in hits["t.minor"])
    assert rs.score_text(text).by_category == {"recruitment-fraud": 0.4, "youth": 0.4}
