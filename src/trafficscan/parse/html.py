"""Reading ads out of HTML with the source's CSS selectors (the parse stage for html sources).

Pure functions over strings, so they run in a worker thread (a 1.5 MB page takes a while to
parse and must not stall the event loop's rate-limit timers) and can be tested without a
server. Text is read the way a person sees it: whitespace runs collapse to one space, block
elements (``p``, ``div``, ``li``, ``br`` …) become line breaks, scripts and styles are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

from trafficscan.core.ad import Ad
from trafficscan.fetch.urls import normalize_url
from trafficscan.sources.config import Listing, Selector

_WS = re.compile(r"\s+")
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_CELL = frozenset({"td", "th"})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
_NL = object()
_SCOPE = (":scope", "&")


def parse_html(text: str) -> BeautifulSoup:
    """Parse with lxml: fast and, like browsers, tolerant of broken markup."""
    return BeautifulSoup(text, "lxml")


def element_text(el: Tag) -> str:
    """The visible text of ``el``: spaces collapsed, one line per block, no empty lines.

    Iterative rather than recursive: malformed pages can nest thousands of unclosed tags.
    """
    out: list[str] = []
    todo: list[object] = list(reversed(el.contents))
    while todo:
        node = todo.pop()
        if node is _NL:
            out.append("\n")
        elif isinstance(node, Tag):
            name = node.name
            if name in _SKIP:
                continue
            if name == "br":
                out.append("\n")
                continue
            if name in _BLOCK:
                out.append("\n")
                todo.append(_NL)
            elif name in _CELL:
                out.append(" ")
            todo.extend(reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            out.append(_WS.sub(" ", str(node)))
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> str:
    """Text of an HTML fragment (an RSS description)."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    return element_text(parse_html(html))


def select_value(el: Tag, sel: Selector) -> str:
    """The text (or attribute) of the first element under ``el`` matching ``sel``; '' if none."""
    found = el if sel.css in _SCOPE else el.select_one(sel.css)
    if found is None:
        return ""
    if sel.attr:
        value = found.get(sel.attr)
        if value is None:
            return ""
        if isinstance(value, list):
            value = " ".join(value)
        return " ".join(str(value).split())
    return element_text(found)


def strip_elements(el: Tag, selectors: Iterable[str]) -> None:
    """Remove boilerplate (``strip`` selectors) before fields are read."""
    for css in selectors:
        for found in el.select(css):
            found.decompose()


def extract_fields(el: Tag, fields: Mapping[str, Selector]) -> dict[str, str]:
    return {name: select_value(el, sel) for name, sel in fields.items()}


def ad_from_fields(source: str, url: str, fields: Mapping[str, str]) -> Ad:
    """An :class:`Ad` from extracted fields; a field without a selector stays empty."""
    return Ad(
        source=source,
        url=url,
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        price=fields.get("price", ""),
        location=fields.get("location", ""),
        posted_at=fields.get("posted_at", ""),
        contact=fields.get("contact", ""),
    )


def page_base(soup: BeautifulSoup, page_url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` if present, else the page's."""
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        href = base.get("href")
        if isinstance(href, str) and (resolved := normalize_url(href, page_url)):
            return resolved
    return page_url


@dataclass(slots=True)
class ListingItem:
    """One item of a listing page: a link to its ad page, or its fields read inline."""

    position: int  # 1-based, on this page
    link: str | None = None  # normalised absolute URL of the ad's own page
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ListingPage:
    items: list[ListingItem]
    next_url: str | None = None


def parse_listing(
    text: str,
    page_url: str,
    listing: Listing,
    fields: Mapping[str, Selector],
    strip: Iterable[str] = (),
) -> ListingPage:
    """Items, their links (or inline fields) and the next page's URL of one listing page.

    An item whose ``link`` selector finds no usable http(s) URL is read inline, so a listing
    that mixes linked and self-contained items loses nothing.
    """
    soup = parse_html(text)
    base = page_base(soup, page_url)
    strip = tuple(strip)
    items: list[ListingItem] = []
    for pos, el in enumerate(soup.select(listing.item.css), start=1):
        link = None
        if listing.link is not None:
            raw = select_value(el, listing.link)
            link = normalize_url(raw, base) if raw else None
        if link is not None:
            items.append(ListingItem(pos, link=link))
            continue
        strip_elements(el, strip)
        items.append(ListingItem(pos, fields=extract_fields(el, fields)))
    next_url = None
    if listing.next_page is not None:
        raw = select_value(soup, listing.next_page)
        next_url = normalize_url(raw, base) if raw else None
    return ListingPage(items, next_url)


def parse_detail(
    text: str, fields: Mapping[str, Selector], strip: Iterable[str] = ()
) -> dict[str, str]:
    """The fields of an ad's own page."""
    soup = parse_html(text)
    strip_elements(soup, strip)
    return extract_fields(soup, fields)
