"""Config validation: every problem reported at once, each with file, line and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from trafficscan.config import Selector, load_config
from trafficscan.errors import InputError

FIX = Path(__file__).parent.parent / "fixtures" / "configs"


def _problems(name: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_config(FIX / name)
    return [str(p) for p in exc.value.problems]


def test_good_config_loads_with_full_css() -> None:
    cfg = load_config(FIX / "good.yaml")
    assert [s.name for s in cfg.sources] == ["city-classifieds", "notices", "archive"]
    html = cfg.sources[0]
    assert html.listing is not None and html.listing.max_pages == 3
    assert html.listing.link == Selector("a[href*='/item/']", "href")
    assert html.fields["price"] == Selector("ul.top-jd-dtl > li:has(> i.salary)")
    assert html.hosts == frozenset({"example.org"})
    assert cfg.defaults.per_host_rate == 2.0 and cfg.defaults.concurrency == 4


def test_all_problems_in_one_pass_with_lines_and_keys() -> None:
    problems = _problems("broken-many.yaml")
    expected = [
        ":3: defaults.concurency: unknown key (did you mean 'concurrency'?)",
        ":4: defaults.per_host_rate: 0 is out of range",
        ":5: defaults.timeout: expected a number, got 'fast'",
        ":7: sources[0].name: invalid source name 'City Classifieds'",
        ":8: sources[0].kind: unknown kind 'htm'",
        ":9: sources[0].start_urls[0]: invalid URL 'ftp://example.org/ads'",
        ":14: sources[1].listing.item: invalid CSS selector 'article..ad'",
        ":15: sources[1].listing.link: link must name an attribute",
        ":16: sources[1].listing.max_pages: 0 is out of range",
        ":19: sources[1].fields.bodyy: unknown key (did you mean 'body'?)",
        ":20: sources[2].name: duplicate source name 'jobs'",
    ]
    for want in expected:
        assert any(want in p for p in problems), f"missing {want!r} in:\n" + "\n".join(problems)
    assert all(p.startswith(str(FIX / "broken-many.yaml")) for p in problems)
    assert len(problems) == len(expected)


def test_yaml_syntax_error_names_the_line() -> None:
    (problem,) = _problems("bad-yaml.yaml")
    assert "bad-yaml.yaml:6: invalid YAML" in problem


def test_missing_file() -> None:
    (problem,) = _problems("does-not-exist.yaml")
    assert "file not found" in problem


@pytest.mark.parametrize(("spec", "css", "attr"), [
    ("a.title@href", "a.title", "href"),
    ("h1", "h1", None),
    ('a[href*="@"]', 'a[href*="@"]', None),
    ("time@datetime", "time", "datetime"),
])
def test_selector_parsing(spec: str, css: str, attr: str | None) -> None:
    assert Selector.parse(spec) == Selector(css, attr)


def test_unknown_source_name_is_reported() -> None:
    cfg = load_config(FIX / "good.yaml")
    with pytest.raises(InputError, match="no source named 'nope'"):
        cfg.select(["nope"])
