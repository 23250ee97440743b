"""Share keys: the secret the participating units agree on, kept in a small text file.

A share key file is UTF-8 text; lines starting with ``#`` are comments, and exactly one line is

    trafficscan-share-key-v1 <32 random bytes, base64 (RFC 4648, with padding)>

Whoever holds the key can test a guessed number against a share file, so key files are written
with mode 0600 and refused, with exit 2, when their mode lets the group or others read them.
The key id (:attr:`ShareKey.key_id`) is a hash of the key that share files carry, so ``share
match`` can tell that two files were made with different keys without revealing either key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from trafficscan.core.atomic import atomic_file
from trafficscan.core.errors import InputError, Problem

KEY_HEADER = "trafficscan-share-key-v1"
KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class ShareKey:
    """A loaded share key."""

    secret: bytes
    path: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.secret)


def key_id_of(secret: bytes) -> str:
    """A public name for a key: 16 hex digits of SHA-256 over a label and the key."""
    return hashlib.sha256(b"trafficscan/share/key-id\x00" + secret).hexdigest()[:16]


def new_share_key_text() -> tuple[str, bytes]:
    """The text of a new key file and its secret."""
    secret = secrets.token_bytes(KEY_BYTES)
    text = (
        "# trafficscan share key: give it only to the units you share with, by a trusted channel.\n"
        "# Keep this file private (chmod 600). Anyone holding it can test guessed numbers.\n"
        f"# key id: {key_id_of(secret)}\n"
        f"{KEY_HEADER} {base64.b64encode(secret).decode('ascii')}\n"
    )
    return text, secret


def check_private(path: Path, what: str) -> None:
    """Refuse a secret file that the group or others can read or write (exit 2)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(Problem(file=str(path), message=f"{what} not found")) from None
    except OSError as exc:
        raise InputError(
            Problem(file=str(path), message=f"cannot read the {what}: {exc.strerror or exc}")
        ) from None
    if not stat.S_ISREG(mode):
        raise InputError(Problem(file=str(path), message=f"the {what} is not a regular file"))
    if mode & 0o077:
        raise InputError(
            Problem(
                file=str(path),
                message=f"the {what} can be read by other users (mode {stat.S_IMODE(mode):04o}); refused",
                hint=f"run `chmod 600 {path}` and keep it private",
            )
        )


def load_share_key(path: Path) -> ShareKey:
    """Read and check a share key file; every problem is an :class:`InputError` naming it."""
    path = Path(path)
    check_private(path, "share key")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            Problem(file=str(path), message=f"cannot read the share key: {exc}")
        ) from None
    found: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if line and not line.startswith("#"):
            found.append((n, line))
    hint = "make one with `trafficscan share keygen -o KEY`"
    if len(found) != 1:
        raise InputError(
            Problem(
                file=str(path),
                message=f"expected one `{KEY_HEADER} …` line, found {len(found)}",
                hint=hint,
            )
        )
    n, line = found[0]
    label, _, value = line.partition(" ")
    if label != KEY_HEADER:
        raise InputError(
            Problem(
                file=str(path),
                line=n,
                message=f"not a share key (expected `{KEY_HEADER}`)",
                hint=hint,
            )
        )
    try:
        secret = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            Problem(file=str(path), line=n, message="the key is not valid base64", hint=hint)
        ) from None
    if len(secret) != KEY_BYTES:
        raise InputError(
            Problem(
                file=str(path),
                line=n,
                message=f"the key has {len(secret)} bytes, not {KEY_BYTES}",
                hint=hint,
            )
        )
    return ShareKey(secret, str(path))


def load_redact_key(path: Path | None) -> bytes | None:
    """The secret of ``--redact-key``, or None when not given (the writer picks a random one)."""
    return None if path is None else load_share_key(path).secret


def write_private(path: Path, data: bytes, *, force: bool = False, what: str = "file") -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (temporary file + rename).

    Without ``force`` an existing file is refused: overwriting a key that other units hold
    would make every file shared since unmatchable.
    """
    path = Path(path)
    if path.exists() and not force:
        raise InputError(
            Problem(
                file=str(path),
                message=f"{what} already exists; refused to overwrite it",
                hint="choose another name, or pass --force",
            )
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(Problem(file=str(path), message="its folder does not exist"))
    with atomic_file(path) as fh:
        fh.write(data)
