"""Ed25519 signatures over share files (the ``cryptography`` package; no home-made crypto).

The signature covers the *canonical JSON* of the document without its ``signature`` field:
keys sorted, no spaces, UTF-8 as is (``json.dumps(doc, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``). Parsing and re-serialising gives the same bytes, so the file itself may
be pretty-printed. The ``signature`` field holds the algorithm, the signer's key id (SHA-256 of
the raw 32-byte public key, hex), the public key (base64) and the signature (base64).

Key files are PEM: the private key as unencrypted PKCS#8 (mode 0600, refused when others can
read it), the public key as SubjectPublicKeyInfo in ``NAME.pub``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan.core.errors import InputError, IntegrityError, Problem
from trafficscan.share.keys import check_private, write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ALGORITHM = "ed25519"


def canonical_json(doc: dict[str, Any]) -> bytes:
    """The bytes that are signed: ``doc`` without ``signature``, canonical JSON."""
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _raw_public(public: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(public)).hexdigest()


def generate_signing_key(name: Path, *, force: bool = False) -> str:
    """Write ``name`` (private, 0600) and ``name.pub``; return the public key's fingerprint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pub_path = Path(f"{name}.pub")
    if pub_path.exists() and not force:
        raise InputError(
            Problem(
                file=str(pub_path),
                message="public key already exists; refused to overwrite it",
                hint="choose another name, or pass --force",
            )
        )
    write_private(Path(name), private, force=force, what="signing key")
    write_private(pub_path, public, force=True, what="public key")
    pub_path.chmod(0o644)  # the public half is meant to be handed out
    return fingerprint(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    check_private(path, "signing key")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(
            Problem(
                file=str(path),
                message=f"not an unencrypted PEM private key: {exc}",
                hint="make one with `trafficscan share keygen --signing -o NAME`",
            )
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(Problem(file=str(path), message="not an Ed25519 private key"))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    path = Path(path)
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise InputError(Problem(file=str(path), message="public key not found")) from None
    except (ValueError, TypeError) as exc:
        raise InputError(
            Problem(
                file=str(path),
                message=f"not a PEM public key: {exc}",
                hint="pass the NAME.pub that `share keygen --signing` wrote",
            )
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(Problem(file=str(path), message="not an Ed25519 public key"))
    return key


def sign_document(doc: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The ``signature`` field for ``doc``."""
    public = key.public_key()
    return {
        "algorithm": ALGORITHM,
        "key_id": fingerprint(public),
        "public_key": base64.b64encode(_raw_public(public)).decode("ascii"),
        "value": base64.b64encode(key.sign(canonical_json(doc))).decode("ascii"),
    }


def verify_document(doc: dict[str, Any], public: Ed25519PublicKey, *, where: str) -> str:
    """Check ``doc``'s signature with ``public``; return the key id, or raise IntegrityError."""
    from cryptography.exceptions import InvalidSignature

    sig = doc.get("signature")
    if not isinstance(sig, dict):
        raise IntegrityError(f"{where}: the file is not signed")
    expected = fingerprint(public)
    if sig.get("algorithm") != ALGORITHM:
        raise IntegrityError(f"{where}: unknown signature algorithm {sig.get('algorithm')!r}")
    if sig.get("key_id") != expected:
        raise IntegrityError(
            f"{where}: signed by another key (key id {sig.get('key_id')}), "
            f"not by this public key ({expected})"
        )
    try:
        value = base64.b64decode(str(sig.get("value", "")), validate=True)
        public.verify(value, canonical_json(doc))
    except (binascii.Error, ValueError, InvalidSignature):
        raise IntegrityError(
            f"{where}: the signature does not hold: the file was changed "
            "after it was signed, or the signature is damaged"
        ) from None
    return expected
