#!/usr/bin/env python3
"""Build the bundled model, models/default.skops, from the repo's corpus with a fixed seed.

    python scripts/train_default.py            # writes models/default.skops
    python scripts/train_default.py -o X.skops # elsewhere (the reproducibility test does this)

Same data + same seed + same library versions → the same model fingerprint and metrics
(tests/classifier/test_default_model.py checks the shipped file against a fresh build).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
REAL = ROOT / "data" / "real"
SEED = 13
TEST_SIZE = 0.2
#: The bundled model's threshold goal: expected precision at the base rate, estimated from the
#: out-of-fold false-positive rate on our written negatives. Those are the hardest benign texts
#: we could write (news about trafficking, the benign twin of each lure): about 3 % of them score
#: above a threshold that flags 0.06-0.1 % of real listings (docs/model.md), so the estimate is
#: pessimistic and 0.15 here keeps real-text precision where `train`'s default 0.2 would on real
#: labels. Analysts' `trafficscan train` keeps 0.2 unless told otherwise (--min-precision).
MIN_PRECISION = 0.15


def corpus_files() -> list[Path]:
    """Our written corpus, then the real benign texts we may ship (data/DATASHEET.md)."""
    return sorted(CORPUS.glob("*.jsonl")) + sorted(REAL.glob("*.jsonl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "models" / "default.skops")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    from trafficscan.cli.train import train_command

    return train_command(
        data=corpus_files(),
        output=args.output,
        test_size=TEST_SIZE,
        seed=SEED,
        text_columns=[],
        label_column="label",
        positive=[],
        rules=[],
        cv=5,
        quiet=args.quiet,
        min_precision=MIN_PRECISION,
    )


if __name__ == "__main__":
    sys.exit(main())
