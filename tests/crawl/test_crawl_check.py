"""``trafficscan sources check``: exit codes and what the table shows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from crawlkit import GuardTransport, Resp, Site, ad_item, ad_page, listing_html
from rich.console import Console

from trafficscan.pipeline.check import check_command


def _config(
    tmp_path: Path, site: Site, path: str, item: str = "article.ad", link: bool = False
) -> Path:
    link_line = '      link: "a.more@href"\n' if link else ""
    text = f"""version: 1
defaults:
  per_host_rate: 200
  retries: 0
  timeout: 2
sources:
  - name: local
    kind: html
    start_urls: ["{site.url(path)}", "{site.url("/never")}"]
    listing:
      item: "{item}"
{link_line}      next_page: "a.next@href"
    fields:
      title: "h1, h2"
      body: ".body"
"""
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _run(cfg: Path, transport: GuardTransport) -> tuple[int, str]:
    out = io.StringIO()
    code = check_command(cfg, console=Console(file=out, width=200), transport=transport)
    return code, out.getvalue()


def test_check_ok_fetches_only_what_it_needs(
    site: Site, transport: GuardTransport, tmp_path: Path
) -> None:
    site.page(
        "/list",
        listing_html(
            ad_item("first", href="/ad/1"), ad_item("second", href="/ad/2"), next_href="/list2"
        ),
    )
    site.page("/ad/1", ad_page("First ad", "call 98110 23456"))
    code, out = _run(_config(tmp_path, site, "/list", link=True), transport)
    assert code == 0
    assert site.paths() == ["/list", "/ad/1"]  # no page 2, no second start URL, one ad page
    assert "ok" in out and "First ad" in out and "call 98110 23456" in out
    assert "│ 2 " in out or " 2 " in out


def test_check_selectors_find_nothing(
    site: Site, transport: GuardTransport, tmp_path: Path
) -> None:
    site.page("/list", listing_html(ad_item("x", "y")))
    code, out = _run(_config(tmp_path, site, "/list", item="li.gone"), transport)
    assert code == 2 and "nothing found" in out and "matched nothing" in out


def test_check_fetch_failure(site: Site, transport: GuardTransport, tmp_path: Path) -> None:
    site.route("/list", Resp(503))
    code, out = _run(_config(tmp_path, site, "/list"), transport)
    assert code == 3 and "fetch failed" in out and "HTTP 503 after 1 try" in out


def test_check_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsources:\n  - name: x\n    kind: ftp\n", encoding="utf-8")
    assert check_command(bad) == 2
    assert "unknown kind 'ftp'" in capsys.readouterr().err


def test_check_bundled_demo() -> None:
    pytest.importorskip("trafficscan.sources.demo.server")
    out = io.StringIO()
    code = check_command(None, console=Console(file=out, width=200))
    assert code == 0, out.getvalue()
