"""The review screen: one flagged ad at a time, the words that fired highlighted, one key a verdict.

Built on Textual because it runs in any terminal an analyst reaches over SSH (80×24 is enough:
the ad scrolls, the keys stay on the bottom line) and because its pilot drives the real screen
in tests. Every verdict is written to the state database the moment the key is pressed, so a
dropped SSH connection loses nothing, and a restarted review carries on after the last ad
decided (skips included: a skip is a decision to look later, not to look again now).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from trafficscan.review.verdicts import Label, Verdict, VerdictStore, text_hash

MATCH_STYLE = "bold black on yellow"
CONTEXT_STYLE = "underline"
_LABEL_WORDS = {"signal": "signal", "not_signal": "not a signal", "skip": "skipped"}


@dataclass(slots=True)
class Decided:
    """A verdict given in this session, so undo can take it back and restore what was there."""

    index: int
    verdict: Verdict
    replaced: Verdict | None


def order_items(items: list[dict[str, Any]], order: str, threshold: float) -> list[dict[str, Any]]:
    """``score``: highest first. ``uncertain``: nearest the threshold first, the ads whose
    verdict teaches a retrained model most (uncertainty sampling)."""
    if order == "uncertain":
        return sorted(
            items, key=lambda r: (abs(float(r.get("score") or 0) - threshold), str(r.get("id")))
        )
    return sorted(items, key=lambda r: (-float(r.get("score") or 0), str(r.get("id"))))


def highlighted_text(record: dict[str, Any]) -> Text:
    """The ad text with rule matches marked strongly and ``requires`` context lightly."""
    text = str(record.get("text") or "")
    out = Text(text)
    spans: list[tuple[int, int, str]] = []
    for rule in record.get("rules") or []:
        for key, style in (("context", CONTEXT_STYLE), ("matches", MATCH_STYLE)):
            for m in rule.get(key) or []:
                start, end = m.get("start"), m.get("end")
                if (
                    isinstance(start, int)
                    and isinstance(end, int)
                    and 0 <= start < end <= len(text)
                ):
                    spans.append((start, end, style))
    for start, end, style in spans:  # context first, so a match over it stays a match
        out.stylize(style, start, end)
    return out


def details(record: dict[str, Any]) -> Text:
    """Rules, indicators, entities, cluster and evidence: each shown only when present."""
    out = Text()
    for rule in record.get("rules") or []:
        words = ", ".join(str(m.get("text")) for m in rule.get("matches") or [])
        out.append(f"• {rule.get('id')} ", style="bold")
        out.append(f"({rule.get('category')}, {rule.get('weight')}) ")
        out.append(words, style=MATCH_STYLE)
        out.append("\n")
    explanation = record.get("explanation") or {}
    for ind in explanation.get("indicators") or []:
        out.append(f"indicator: {_short(ind)}\n")
    entities = record.get("entities") or {}
    for kind, values in entities.items():
        if values:
            out.append(f"{kind}: ", style="bold")
            out.append(", ".join(_short(v) for v in values) + "\n")
    for key in ("cluster", "evidence", "seen_with"):
        if record.get(key):
            out.append(f"{key}: ", style="bold")
            out.append(_short(record[key]) + "\n")
    return out


def _short(value: Any, limit: int = 160) -> str:
    if isinstance(value, dict):
        text = ", ".join(
            f"{k}={_short(v, 40)}" for k, v in value.items() if v not in (None, "", [], {})
        )
    elif isinstance(value, list):
        text = ", ".join(_short(v, 40) for v in value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReviewApp(App[int]):
    """Walk the flagged ads that have no verdict yet; the result is how many were decided."""

    CSS = """
    #head { height: 2; background: $boost; }
    #body { height: 1fr; }
    #note { dock: bottom; display: none; }
    #note.editing { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "mark('signal')", "Signal"),
        Binding("n", "mark('not_signal')", "Not a signal"),
        Binding("k", "mark('skip')", "Skip"),
        Binding("e", "note", "Note"),
        Binding("u", "undo", "Undo"),
        Binding("q", "quit_review", "Quit"),
    ]

    def __init__(self, items: list[dict[str, Any]], store: VerdictStore, analyst: str) -> None:
        super().__init__()
        self.store = store
        self.analyst = analyst
        self.items = items
        self.total = len(items)
        self.pending = [i for i, r in enumerate(items) if not self._has_verdict(r)]
        self.earlier = self.total - len(self.pending)
        self.position = 0  # index into self.pending
        self.note = ""
        self.history: list[Decided] = []
        self.title = "trafficscan review"

    def _has_verdict(self, record: dict[str, Any]) -> bool:
        return (
            self.store.get(str(record.get("id") or ""), text_hash(str(record.get("text") or "")))
            is not None
        )

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        with VerticalScroll(id="body"):
            yield Static(id="text")
            yield Static(id="details")
        yield Input(placeholder="note for this ad; Enter keeps it, Esc drops it", id="note")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    @property
    def current(self) -> dict[str, Any] | None:
        if self.position < len(self.pending):
            return self.items[self.pending[self.position]]
        return None

    def show(self) -> None:
        head = self.query_one("#head", Static)
        text = self.query_one("#text", Static)
        info = self.query_one("#details", Static)
        record = self.current
        done = self.earlier + self.position
        if record is None:
            head.update(
                Text(
                    f"All {self.total} flagged ads have a verdict ({self.earlier} from "
                    f"earlier sessions). u: undo the last one · q: quit",
                    style="bold",
                )
            )
            text.update("")
            info.update("")
            return
        line = Text()
        line.append(f"Ad {done + 1} of {self.total}", style="bold")
        line.append(
            f" · score {float(record.get('score') or 0):.3f} · {record.get('source', '')} · id {record.get('id', '')}"
        )
        if self.note:
            line.append(f"\nnote: {self.note}", style="italic")
        else:
            line.append(f"\n{record.get('url', '')}", style="dim")
        head.update(line)
        text.update(highlighted_text(record))
        info.update(details(record))
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def action_mark(self, label: Label) -> None:
        record = self.current
        if record is None:
            return
        verdict = Verdict.for_record(record, label, self.analyst, note=self.note)
        replaced = self.store.get(verdict.ad_id, verdict.text_hash)
        self.store.put(verdict)
        self.history.append(Decided(self.position, verdict, replaced))
        self.notify(f"{_LABEL_WORDS[label]}: {verdict.ad_id}", timeout=2)
        self.note = ""
        self.position += 1
        self.show()

    def action_undo(self) -> None:
        if not self.history:
            self.notify("nothing to undo in this session", timeout=2)
            return
        last = self.history.pop()
        if last.replaced is not None:
            self.store.put(last.replaced)
        else:
            self.store.remove(last.verdict.ad_id, last.verdict.text_hash)
        self.position = last.index
        self.note = last.verdict.note
        self.notify(
            f"undone: {_LABEL_WORDS[last.verdict.label]} on {last.verdict.ad_id}", timeout=2
        )
        self.show()

    def action_note(self) -> None:
        if self.current is None:
            return
        box = self.query_one("#note", Input)
        box.value = self.note
        box.add_class("editing")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.note = event.value.strip()
        self._close_note()

    def on_key(self, event: Any) -> None:
        if event.key == "escape" and self.query_one("#note", Input).has_class("editing"):
            event.stop()
            self._close_note()

    def _close_note(self) -> None:
        box = self.query_one("#note", Input)
        box.remove_class("editing")
        self.set_focus(None)
        self.show()

    def action_quit_review(self) -> None:
        self.exit(len(self.history))
