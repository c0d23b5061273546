#!/usr/bin/env bash
# make demo: the whole product on a throw-away database, nothing left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/infobot-demo.XXXXXX")
trap 'rm -rf "$DEMO"' EXIT

export INFOBOT_DATABASE_URL="sqlite:///$DEMO/infobot.db"
export INFOBOT_OUTBOX_PATH="$DEMO/outbox.jsonl"
export INFOBOT_MEDIA_DIR="$PWD/queue/media"  # the example stories' pictures
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
$BIN/infobot stories approve $ids --by "Alex (approver)" --acknowledge 2>&1 | tail -n 3
run $BIN/infobot stories list --status approved --limit 5
run $BIN/infobot preview --days 3

# The daemon in accelerated time: one round of its work at 09:00:05 on each of five days
# (`infobot run` does the same on a real clock; --once does one round and exits).
for day in 23 24 25 26 27; do
  say "INFOBOT_CLOCK_START=2026-11-${day}T09:00:05Z infobot run --once"
  INFOBOT_CLOCK_START="2026-11-${day}T09:00:05+00:00" $BIN/infobot run --once 2>&1 \
    | sed -E 's/^[0-9-]+ [0-9:,]+ //'
done
say "the outbox now holds what went out (first lines of each post)"
$BIN/python - "$INFOBOT_OUTBOX_PATH" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    post = json.loads(line)
    first = post["text"].splitlines()[0]
    print(f"  {post['id']}: {first[:90]}{'…' if len(first) > 90 else ''}")
PY
# An hour after the last post the daemon reads its first figures (the outbox makes up
# counts that grow with each post's age, so the report has something to show).
say "INFOBOT_CLOCK_START=2026-11-27T10:01:00Z infobot run --once"
INFOBOT_CLOCK_START="2026-11-27T10:01:00+00:00" $BIN/infobot run --once 2>&1 \
  | sed -E 's/^[0-9-]+ [0-9:,]+ //' | grep -v 'ALERT runway' || true
export INFOBOT_CLOCK_START="2026-11-27T10:10:00+00:00"
run $BIN/infobot status
run $BIN/infobot report
printf '\nThe demo database was %s (now removed).\n' "$DEMO"
