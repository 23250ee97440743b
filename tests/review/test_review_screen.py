"""The review screen driven through Textual's pilot in an 80×24 virtual terminal.

The pilot sends real key presses through the app's event loop and renders every frame, so these
tests see what an analyst over SSH would: the keys on the bottom line, the ad on screen, and the
verdict in the state database the moment the key is pressed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from trafficscan.cli.review_app import MATCH_STYLE, ReviewApp, highlighted_text, order_items
from trafficscan.review.verdicts import VerdictStore

TEXTS = [
    "Girls 16 to 18 needed for hotel work, passport kept by agent. Call 90000 11111",
    "Massage therapist vacancy, new arrivals daily. Call 90000 22222",
    "Housemaid job abroad, no fee, visa arranged. Call 90000 33333",
]


def _item(n: int, score: float) -> dict[str, Any]:
    text = TEXTS[n]
    start = text.index("Call")
    return {
        "id": f"ad{n}",
        "source": "demo",
        "url": f"http://127.0.0.1/ads/{n}",
        "title": text[:20],
        "text": text,
        "score": score,
        "flagged": True,
        "entities": {"phones": [f"+9190000{n}{n}{n}{n}{n}"]},
        "rules": [
            {
                "id": "contact.phone",
                "category": "contact",
                "weight": 0.1,
                "title": "phone",
                "matches": [{"text": "Call", "start": start, "end": start + 4}],
            }
        ],
        "explanation": {"indicators": [{"id": "contact.phone"}]},
    }


ITEMS = [_item(0, 0.95), _item(1, 0.62), _item(2, 0.81)]


def _drive(
    path: Path, keys: list[str], items: list[dict[str, Any]] = ITEMS
) -> tuple[int | None, str, ReviewApp]:
    """Run a review session, press ``keys``, return the result, the last screen and the app."""

    async def go() -> tuple[int | None, str, ReviewApp]:
        with VerdictStore.open(path, create=True) as store:
            app = ReviewApp(order_items(items, "score", 0.5), store, "analyst-a")
            screen = ""
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                screen = _screen_text(app)
            return app.return_value, screen, app

    return asyncio.run(go())


def _screen_text(app: ReviewApp) -> str:
    """The characters on screen, row by row, as the terminal would show them."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _verdicts(path: Path) -> dict[str, tuple[str, str, str]]:
    with VerdictStore.open(path) as store:
        return {v.ad_id: (v.label, v.analyst, v.note) for v in store.all()}


def test_keys_and_the_first_ad_are_on_an_80x24_screen(tmp_path: Path) -> None:
    _, screen, _ = _drive(tmp_path / "s.db", [])
    assert "Ad 1 of 3" in screen and "score 0.950" in screen  # highest score first
    assert "passport kept by agent" in screen
    for key in ("Signal", "Not a signal", "Skip", "Note", "Undo", "Quit"):
        assert key in screen, key


@pytest.mark.slow
def test_mark_undo_note_quit_and_resume(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    # session 1: signal on the first ad, not-a-signal on the second, undo it, note, then skip
    keys = ["s", "n", "u", "e", *"seen twice", "enter", "k", "q"]
    decided, screen, _ = _drive(db, keys)
    assert decided == 2  # the undone verdict does not count
    assert _verdicts(db) == {
        "ad0": ("signal", "analyst-a", ""),
        "ad2": ("skip", "analyst-a", "seen twice"),  # the undo went back to ad2, the note stuck
    }
    assert "Ad 3 of 3" in screen and "Massage therapist" in screen

    # session 2 resumes at the one ad without a verdict
    decided, screen, _ = _drive(db, [])
    assert "Ad 3 of 3" in screen and "Massage therapist" in screen
    decided, screen, _ = _drive(db, ["n", "q"])
    assert _verdicts(db)["ad1"] == ("not_signal", "analyst-a", "")
    assert "All 3 flagged ads have a verdict" in screen


def test_escape_drops_a_note_and_letters_typed_in_it_are_not_verdicts(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    _drive(db, ["e", *"sink", "escape", "k", "q"])
    assert _verdicts(db) == {"ad0": ("skip", "analyst-a", "")}


def test_uncertain_order_puts_scores_nearest_the_threshold_first() -> None:
    assert [r["id"] for r in order_items(ITEMS, "uncertain", 0.6)] == ["ad1", "ad2", "ad0"]
    assert [r["id"] for r in order_items(ITEMS, "score", 0.6)] == ["ad0", "ad2", "ad1"]


def test_fired_words_are_highlighted_and_context_is_lighter() -> None:
    item = _item(0, 0.9)
    at = item["text"].index("hotel work")
    item["rules"][0]["context"] = [{"text": "hotel work", "start": at, "end": at + 10}]
    text: Text = highlighted_text(item)
    styles = {str(s.style): item["text"][s.start : s.end] for s in text.spans}
    assert styles[MATCH_STYLE] == "Call"
    assert styles["underline"] == "hotel work"
