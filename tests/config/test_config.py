"""Config validation: every problem reported at once, each with file, line and key path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from trafficscan.core.errors import InputError
from trafficscan.core.schema import load_schema
from trafficscan.sources.config import (
    CONFIG_SCHEMA,
    FIELD_NAMES,
    SOURCE_KINDS,
    Selector,
    load_config,
)

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
        ":3: defaults.concurency: unknown key 'concurency' (did you mean 'concurrency'?)",
        ":4: defaults.per_host_rate: 0 is out of range",
        ":5: defaults.timeout: must be a number, not 'fast'",
        ":7: sources[0].name: invalid source name 'City Classifieds'",
        ":8: sources[0].kind: unknown kind 'htm'",
        ":9: sources[0].start_urls[0]: invalid URL 'ftp://example.org/ads'",
        ":14: sources[1].listing.item: invalid CSS selector 'article..ad'",
        ":15: sources[1].listing.link: link must name an attribute",
        ":16: sources[1].listing.max_pages: 0 is out of range",
        ":19: sources[1].fields.bodyy: unknown key 'bodyy' (did you mean 'body'?)",
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


@pytest.mark.parametrize(
    ("spec", "css", "attr"),
    [
        ("a.title@href", "a.title", "href"),
        ("h1", "h1", None),
        ('a[href*="@"]', 'a[href*="@"]', None),
        ("time@datetime", "time", "datetime"),
    ],
)
def test_selector_parsing(spec: str, css: str, attr: str | None) -> None:
    assert Selector.parse(spec) == Selector(css, attr)


def test_unknown_source_name_is_reported() -> None:
    cfg = load_config(FIX / "good.yaml")
    with pytest.raises(InputError, match="no source named 'nope'"):
        cfg.select(["nope"])


def _source_problems(source: str, tmp_path: Path) -> list[str]:
    """The problems of a config holding just this one source (YAML of the list item)."""
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\nsources:\n  - " + source.strip().replace("\n", "\n    ") + "\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    return [str(p).removeprefix(str(path)) for p in exc.value.problems]


HTML_NEEDS = "(an html source needs listing.item and fields.body or fields.title)"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "name: a\nkind: html\nstart_urls: ['https://example.org/']",
            [
                f":3: sources[0]: missing key 'listing' {HTML_NEEDS}",
                ":3: sources[0]: missing key 'fields' (give fields.body or fields.title: an ad with "
                "neither is skipped)",
            ],
        ),
        (
            "name: a\nkind: html\nstart_urls: ['https://example.org/']\n"
            "listing: {item: li}\nfields: {price: .p}",
            [
                ":7: sources[0].fields: give at least one of 'body' and 'title' "
                "(give fields.body or fields.title: an ad with neither is skipped)"
            ],
        ),
        (
            "name: a\nkind: rss\nstart_urls: ['https://example.org/feed']\nlisting: {item: li}",
            [":6: sources[0].listing: not allowed here (listing is only for html sources)"],
        ),
        (
            "name: a\nkind: rss\nstart_urls: ['file:///tmp/feed.xml', 'http:///no-host']",
            [
                ":5: sources[0].start_urls[0]: invalid URL 'file:///tmp/feed.xml' "
                "(use an absolute http or https URL)",
                ":5: sources[0].start_urls[1]: invalid URL 'http:///no-host' "
                "(use an absolute http or https URL)",
            ],
        ),
        (
            "kind: jsonl\nstart_urls: ['file:///tmp/ads.jsonl']\nbase_rate: .nan",
            [
                ":3: sources[0]: missing key 'name' (use lower-case letters, digits, '_' and '-')",
                ":5: sources[0].base_rate: must be a number, not nan",
            ],
        ),
    ],
)
def test_what_each_kind_of_source_needs(source: str, expected: list[str], tmp_path: Path) -> None:
    assert _source_problems(source, tmp_path) == expected


def test_numbers_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "defaults: {per_host_rate: 2, timeout: 5, retries: 3}\n"
        "sources: [{name: a, kind: jsonl, start_urls: file:///tmp/a.jsonl}]\n"
    )
    cfg = load_config(path)
    assert (cfg.defaults.per_host_rate, cfg.defaults.timeout, cfg.defaults.retries) == (2.0, 5.0, 3)
    assert isinstance(cfg.defaults.timeout, float) and isinstance(cfg.defaults.retries, int)
    assert cfg.sources[0].start_urls == ("file:///tmp/a.jsonl",)
    path.write_text("defaults: {retries: 2.0}\nsources: [{name: a, kind: rss, start_urls: x}]\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert [p.message for p in exc.value.problems] == [
        "must be a whole number, not a number",
        "invalid URL 'x'",
    ]


def test_empty_config_says_so(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# nothing yet\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert [str(p) for p in exc.value.problems] == [
        f"{path}: the file is empty (see docs/config.md for an example)"
    ]


def test_schema_lists_are_the_code_lists() -> None:
    schema = load_schema(str(CONFIG_SCHEMA))
    Draft202012Validator.check_schema(schema)
    source = schema["$defs"]["source"]["properties"]
    assert source["kind"]["enum"] == list(SOURCE_KINDS)
    assert list(source["fields"]["properties"]) == list(FIELD_NAMES)


HOST_HINT = "(write the host as in a browser's address bar, e.g. example.org or खोज.भारत)"


def test_an_international_host_is_kept_in_its_ascii_form(tmp_path: Path) -> None:
    """``खोज.भारत`` and ``xn--21bm4l.xn--h2brj9c`` are one host: the config compares (and the
    crawler requests) the ASCII form, whichever spelling the analyst wrote."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "sources:\n"
        "  - {name: a, kind: rss, start_urls: ['https://उदाहरण.भारत/jobs'],\n"
        "     allowed_hosts: ['खोज.भारत', 'Xn--P1b6ci4b4b3a.xn--h2brj9c:8443', 'खोज。भारत']}\n"
        "  - {name: b, kind: rss, start_urls: ['https://उदाहरण.भारत/jobs', 'https://E.org/x']}\n",
        encoding="utf-8",
    )
    a, b = load_config(path).sources
    assert a.allowed_hosts == (
        "xn--21bm4l.xn--h2brj9c",
        "xn--p1b6ci4b4b3a.xn--h2brj9c",
        "xn--21bm4l.xn--h2brj9c",
    )
    assert a.hosts == frozenset({"xn--21bm4l.xn--h2brj9c", "xn--p1b6ci4b4b3a.xn--h2brj9c"})
    assert b.hosts == frozenset({"xn--p1b6ci4b4b3a.xn--h2brj9c", "e.org"})
    assert a.start_urls == ("https://उदाहरण.भारत/jobs",)  # as written; the crawler normalises


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (
            "['खोज..भारत']",
            ":6: sources[0].allowed_hosts[0]: invalid host name 'खोज..भारत': it has an empty "
            f"label (two dots in a row, or a dot first) {HOST_HINT}",
        ),
        (
            f"['{'क' * 70}.भारत']",
            f":6: sources[0].allowed_hosts[0]: invalid host name '{'क' * 70}.भारत': it cannot be "
            f"written in ASCII (IDNA): a label may be too long or hold a symbol {HOST_HINT}",
        ),
        (
            f"['{'a' * 64}.org']",
            f":6: sources[0].allowed_hosts[0]: invalid host name '{'a' * 64}.org': it has a label "
            f"(the part between dots) longer than 63 characters {HOST_HINT}",
        ),
        (
            "['https://खोज.भारत/']",
            ":6: sources[0].allowed_hosts[0]: invalid host name 'https://खोज.भारत/' "
            "(a bare host such as example.org or खोज.भारत, no scheme or path)",
        ),
    ],
    ids=["empty-label", "no-idna-form", "label-too-long", "url-not-host"],
)
def test_a_bad_allowed_host_names_its_key_and_line(
    hosts: str, expected: str, tmp_path: Path
) -> None:
    problems = _source_problems(
        f"name: a\nkind: rss\nstart_urls: ['https://example.org/']\nallowed_hosts: {hosts}",
        tmp_path,
    )
    assert problems == [expected]


def test_a_start_url_whose_host_cannot_be_requested_is_refused(tmp_path: Path) -> None:
    """Found when the config is loaded, not as a scan that fetches nothing (or crashes)."""
    problems = _source_problems(
        "name: a\nkind: rss\nstart_urls: ['https://उदाहरण..भारत/jobs', 'http://[x/', "
        "'https://उदाहरण.भारत/ok']",
        tmp_path,
    )
    assert problems == [
        ":5: sources[0].start_urls[0]: invalid URL 'https://उदाहरण..भारत/jobs': its host has an "
        f"empty label (two dots in a row, or a dot first) {HOST_HINT}",
        ":5: sources[0].start_urls[1]: invalid URL 'http://[x/': its host holds a character no "
        f"host name has {HOST_HINT}",
    ]


def test_a_bad_host_in_a_scan_config_exits_2(tmp_path: Path) -> None:
    """What the analyst sees: exit 2, the file, line and key, before any request."""
    path = tmp_path / "scan.yaml"
    path.write_text(
        "sources:\n  - name: a\n    kind: rss\n    start_urls: ['https://खोज.भारत/']\n"
        "    allowed_hosts: ['खोज..भारत']\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "trafficscan", "sources", "check", "-c", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{path}:5: sources[0].allowed_hosts[0]: invalid host name 'खोज..भारत'" in proc.stderr
