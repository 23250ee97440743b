"""The ``trafficscan share`` commands: keygen, export, match, verify (see docs/sharing.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trafficscan.core.errors import EXIT_OK, InputError, Problem


def keygen_command(output: Path, *, signing: bool, force: bool) -> int:
    from trafficscan.share.keys import key_id_of, new_share_key_text, write_private

    if signing:
        from trafficscan.share.sign import generate_signing_key

        fp = generate_signing_key(output, force=force)
        print(
            f"Wrote the signing key {output} (private, mode 0600: keep it) and {output}.pub "
            f"(give it to the units that verify your files).\nfingerprint: {fp}",
            file=sys.stderr,
        )
        return EXIT_OK
    text, secret = new_share_key_text()
    write_private(output, text.encode("utf-8"), force=force, what="share key")
    print(
        f"Wrote the share key {output} (mode 0600), key id {key_id_of(secret)}. Give it only to the "
        "units you share with, by a trusted channel.",
        file=sys.stderr,
    )
    return EXIT_OK


def export_command(
    flagged: Path, key: Path, output: Path, *, sign: Path | None, unit: str, force: bool
) -> int:
    from trafficscan.output.redact import ContactHasher
    from trafficscan.output.writers import utc_now
    from trafficscan.share.export import build_share
    from trafficscan.share.keys import load_share_key, write_private

    share_key = load_share_key(key)
    private = None
    if sign is not None:
        from trafficscan.share.sign import load_private_key

        private = load_private_key(sign)  # refused before any work when unsafe or wrong
    if output.exists() and not force:
        raise InputError(
            Problem(
                file=str(output),
                message="already exists; refused to overwrite it",
                hint="choose another name, or pass --force",
            )
        )
    doc = build_share(
        flagged,
        ContactHasher(share_key.secret),
        share_key.key_id,
        unit=unit,
        generated_at=utc_now(),
    )
    if private is not None:
        from trafficscan.share.sign import sign_document

        doc["signature"] = sign_document(doc, private)
    text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    write_private(output, text.encode("utf-8"), force=True, what="share file")
    counts = doc["counts"]
    print(
        f"Wrote {counts['items']} ads with {counts['contacts']} hashed contacts to {output}"
        + (" (signed)" if private is not None else "")
        + ".",
        file=sys.stderr,
    )
    return EXIT_OK


def match_command(files: list[Path], *, key: Path | None, state: Path | None, fmt: str) -> int:
    from trafficscan.share.match import (
        LOCAL,
        ShareFile,
        describe,
        find_shared,
        local_hashes,
        read_share,
    )

    if state is not None and key is None:
        raise InputError(
            Problem(
                file=str(state),
                message="--state needs --key",
                hint="the local contacts are hashed with the share key to compare",
            )
        )
    shares: dict[str, ShareFile] = {}
    for path in files:
        sf = read_share(path)
        shares.setdefault(sf.label, sf)
    sources = {label: sf.hashes for label, sf in shares.items()}
    units = {label: sf.unit for label, sf in shares.items()}
    key_ids = {sf.key_id for sf in shares.values()}
    if len(key_ids) > 1:
        print(
            "warning: these files were made with different keys "
            f"({', '.join(sorted(key_ids))}); their hashes cannot match",
            file=sys.stderr,
        )
    if key is not None:
        from trafficscan.output.redact import ContactHasher
        from trafficscan.share.keys import load_share_key
        from trafficscan.state import state_path

        share_key = load_share_key(key)
        for sf in shares.values():
            if sf.key_id and sf.key_id != share_key.key_id:
                print(
                    f"warning: {sf.label} was made with another key (key id {sf.key_id}, "
                    f"{key} is {share_key.key_id}): it cannot match the local history",
                    file=sys.stderr,
                )
        sources[LOCAL] = local_hashes(state_path(state), ContactHasher(share_key.secret))
    elif len(shares) < 2:
        raise InputError(
            Problem(
                file=str(files[0]),
                message="one share file and no local history to compare",
                hint="give two or more files, or --key KEY (and --state DB) to compare "
                "with the local history",
            )
        )
    shared = find_shared(sources)
    if fmt == "json":
        print(json.dumps([s.to_dict() for s in shared], ensure_ascii=False, indent=2))
    else:
        print("\n".join(describe(shared, units)))
    return EXIT_OK


def verify_command(share: Path, public_key: Path) -> int:
    from trafficscan.share.sign import load_public_key, verify_document

    public = load_public_key(public_key)
    try:
        doc = json.loads(share.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(Problem(file=str(share), message="file not found")) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            Problem(file=str(share), message=f"not a readable JSON file: {exc}")
        ) from None
    if not isinstance(doc, dict):
        raise InputError(Problem(file=str(share), message="not a share file (not a JSON object)"))
    key_id = verify_document(doc, public, where=str(share))
    print(f"{share}: signature OK (key {key_id[:16]}…)", file=sys.stderr)
    return EXIT_OK
