#!/usr/bin/env bash
# Renders the HTML report of the demo scan and screenshots it with headless
# Chromium, wide and narrow, to check that the page looks clean and stays
# readable on a phone-sized window.
#
#   bash scripts/screenshot-html.sh [OUT_DIR]
#
# OUT_DIR defaults to target/screenshot; it receives trespass-report.html,
# report-1280.png and report-420.png. Installs Debian's `chromium` package
# when no chromium is on PATH (needs root and the Debian archive). The demo
# scans the embedded lab on a loopback port; Chromium opens only the local
# file, with its background networking, updates and sync turned off.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/screenshot}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends chromium
fi

# The demo exits 1 because the lab is vulnerable; only 2 and 3 are errors.
status=0
cargo run --quiet -p trespass -- demo --quiet --no-history --format html --output "$out" \
    || status=$?
if [[ "$status" -gt 1 ]]; then
    echo "the demo scan failed with exit code $status" >&2
    exit "$status"
fi

for width in 1280 420; do
    profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$width,1800" \
        --screenshot="$out/report-$width.png" "file://$out/trespass-report.html"
    rm -rf "$profile"
    echo "wrote $out/report-$width.png"
done
