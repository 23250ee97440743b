"""Where one stored exchange went (WARC file, record id, offset, digest): what an item's
``evidence`` says and the state database's index holds. Shared by the store, the index and
case bundles, so none of them needs another's module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """Where one exchange went: what an item's ``evidence`` and the index hold."""

    warc: str  # relative to the state folder, with forward slashes
    record_id: str
    offset: int
    length: int
    url: str
    sha256: str
    fetched_at: str

    def ref(self) -> dict[str, str]:
        return {
            "warc": self.warc,
            "record_id": self.record_id,
            "sha256": self.sha256,
            "fetched_at": _seconds(self.fetched_at),
        }


def _seconds(iso: str) -> str:
    """Item times are whole seconds (``…:00Z``), like every other time in the output."""
    return iso[:19] + "Z" if len(iso) >= 19 else iso
