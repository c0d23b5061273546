#!/usr/bin/env bash
# make demo: the whole product on a throw-away database, nothing left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/infobot-demo.XXXXXX")
trap 'rm -rf "$DEMO"' EXIT

export INFOBOT_DATABASE_URL="sqlite:///$DEMO/infobot.db"
export INFOBOT_OUTBOX_PATH="$DEMO/outbox.jsonl"
export INFOBOT_PLATFORMS="${INFOBOT_PLATFORMS:-outbox}"
# The demo pretends it is Monday 23 November 2026, 08:00 in London, so the example
# stories' pin dates are always in the future.
export INFOBOT_CLOCK_START="${INFOBOT_CLOCK_START:-2026-11-23T08:00:00+00:00}"
unset INFOBOT_CONFIG

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

run $BIN/infobot import queue/stories.csv queue/stories.yaml queue/markdown --by "Sam (dissemination team)"
say "infobot stories approve <every draft> --by 'Alex (approver)'"
ids=$($BIN/infobot stories list --status draft --json | $BIN/python -c 'import json,sys; print(" ".join(str(s["id"]) for s in json.load(sys.stdin)))')
# shellcheck disable=SC2086
$BIN/infobot stories approve $ids --by "Alex (approver)" 2>&1 | tail -n 3
run $BIN/infobot stories list --status approved --limit 5
run $BIN/infobot preview --days 3
run $BIN/infobot status
printf '\nThe demo database was %s (now removed).\n' "$DEMO"
