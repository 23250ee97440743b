#!/usr/bin/env bash
# Remake docs/report-screenshot.png (shown in the README, "Case report") from the demo scan.
# Needs Debian's `chromium`. The demo runs on 127.0.0.1 only; nothing else is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trafficscan scan --no-state --quiet -o "$work/demo.json" || [ $? -eq 3 ]
trafficscan report "$work/demo.json" -o "$work/demo.html" --quiet
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
    --window-size=1000,1400 --screenshot="$PWD/docs/report-screenshot.png" "file://$work/demo.html" 2>/dev/null
ls -l docs/report-screenshot.png
