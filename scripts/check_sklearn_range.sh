#!/usr/bin/env bash
# Check the scoring form of the TF-IDF blocks against every scikit-learn minor version that
# pyproject.toml admits.
#
# The scorer recomputes TfidfVectorizer's transform without scikit-learn (TextBlock in
# src/trafficscan/score/classifier/model.py), so the range pinned in pyproject.toml must be
# the range this script has passed. For each minor version it makes a fresh venv in
# /tmp/skl-X.Y, installs scikit-learn==X.Y.* with the project's other dependencies and test
# extras (pip picks the NumPy and SciPy that version accepts), installs the project itself with
# --no-deps, and runs the differential test tests/classifier/test_tfidf_mirror.py.
#
# Usage: scripts/check_sklearn_range.sh [X.Y ...]
#   no arguments: every minor version in pyproject.toml's "scikit-learn>=A.B,<C.D" range
#   KEEP=1 keeps the venvs; PYTHON=python3.12 picks the interpreter (default: python3)
# Exit status: 0 when every version passed; 1 when any failed or could not be installed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}

# the version range pyproject pins, and the project's other dependencies and test extras
mapfile -t INFO < <("$PY" - "$ROOT/pyproject.toml" <<'EOF'
import re, sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
pin = [d for d in deps if re.match(r"scikit-learn\b", d)]
m = re.fullmatch(r"scikit-learn\s*>=\s*(\d+)\.(\d+)(?:\.\d+)?\s*,\s*<\s*(\d+)\.(\d+)", pin[0]) if pin else None
lo, hi = ((int(m[1]), int(m[2])), (int(m[3]), int(m[4]))) if m else ((0, 0), (1, 0))
# "-": no range to walk (another form, or across a major version): arguments must name them
print(" ".join(f"{lo[0]}.{n}" for n in range(lo[1], hi[1])) if m and lo[0] == hi[0] else "-")
test = tomllib.load(open(sys.argv[1], "rb"))["project"].get("optional-dependencies", {}).get("test", [])
print(" ".join(d for d in [*deps, *test] if d not in pin))
EOF
)
VERSIONS=${*:-${INFO[0]}}
if [[ $VERSIONS == - ]]; then
    echo "pyproject.toml does not pin scikit-learn as 'scikit-learn>=A.B,<A.D':" \
         "name the minor versions to check as arguments" >&2
    exit 2
fi
read -r -a OTHER_DEPS <<<"${INFO[1]}"

declare -A RESULT
status=0
for v in $VERSIONS; do
    venv=/tmp/skl-$v
    log=/tmp/skl-$v.log
    echo "== scikit-learn $v.* (log: $log)"
    rm -rf "$venv"
    if ! { "$PY" -m venv "$venv" &&
           "$venv/bin/pip" install -q "scikit-learn==$v.*" "${OTHER_DEPS[@]}" &&
           "$venv/bin/pip" install -q --no-deps -e "$ROOT"; } >"$log" 2>&1; then
        RESULT[$v]="NOT INSTALLABLE (see $log)"
        status=1
    else
        got=$("$venv/bin/python" -c "import sklearn, numpy, scipy; print(f'{sklearn.__version__} (numpy {numpy.__version__}, scipy {scipy.__version__})')")
        # -o addopts=: one file, one process, whatever the suite's own options are
        if (cd "$ROOT" && "$venv/bin/python" -m pytest -o addopts= -q -p no:cacheprovider \
                tests/classifier/test_tfidf_mirror.py) >>"$log" 2>&1; then
            RESULT[$v]="PASS  $got: $(tail -n 1 "$log")"
        else
            RESULT[$v]="FAIL  $got (see $log)"
            status=1
        fi
    fi
    echo "   ${RESULT[$v]}"
    [[ ${KEEP:-0} == 1 ]] || rm -rf "$venv"
done

echo
echo "summary ($("$PY" --version)):"
for v in $VERSIONS; do
    echo "  scikit-learn $v: ${RESULT[$v]}"
done
exit $status
