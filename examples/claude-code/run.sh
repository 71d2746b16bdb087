#!/usr/bin/env bash
# What Claude Code does with the hook in .claude/settings.json, done with curl: a PreToolUse event
# is POSTed to /v1/hooks/claude-code, which checks in and holds the answer until a human decides.
# The human here (this script, through the API) changes the command to a staging deploy, so the
# hook answers "allow" with the updated tool input.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
URL="${WAITROOM_URL:-http://localhost:8080}"

# field PATH: reads JSON on stdin and prints one field (jq when installed, else python3).
field() {
  if command -v jq >/dev/null; then
    jq -r "$1"
  else
    python3 -c 'import json,sys
v = json.load(sys.stdin)
for k in sys.argv[1].replace("[", ".").replace("]", "").strip(".").split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else v)' "$1"
  fi
}

H="${WAITROOM_HUMAN_TOKEN:-}"
if [ -z "$H" ]; then
  H=$(cd "$ROOT" && java -jar target/waitroom.jar token --org acme --sub alice --name Alice)
fi

# A room for coding agents and the agent key Claude Code sends (WAITROOM_API_KEY).
ROOM=$(curl -sf -X POST "$URL/v1/rooms" -H "Authorization: Bearer $H" \
  -H 'Content-Type: application/json' -d "{\"name\":\"Coding $(date +%s)\"}" | field .data.slug)
WAITROOM_API_KEY=$(curl -sf -X POST "$URL/v1/agents/register" -H "Authorization: Bearer $H" \
  -H 'Content-Type: application/json' -d '{"name":"claude-code"}' | field .data.api_key)
echo "room: $ROOM"

# Claude Code's side: the hook call, waiting for the answer (at most 30 s here).
ANSWER=$(mktemp)
trap 'rm -f "$ANSWER"' EXIT
# A fresh tool_use_id per run: the same session_id + tool_use_id is the same check-in.
sed "s/toolu_01XdemoDeployProduction/toolu_$(date +%s%N)/" "$HERE/pre-tool-use.json" |
  curl -sS -X POST "$URL/v1/hooks/claude-code?room=$ROOM&wait=30" \
    -H "Authorization: Bearer $WAITROOM_API_KEY" -H 'Content-Type: application/json' \
    --data-binary @- -o "$ANSWER" -w '%{http_code}\n' >"$ANSWER.status" &
HOOK=$!

# The human's side: the check-in shows up in the room's pending list; deploy to staging instead.
ID=""
for _ in $(seq 1 60); do
  ID=$(curl -sf "$URL/v1/rooms/$ROOM/pending" -H "Authorization: Bearer $H" | field '.data[0].id' || true)
  [ -n "$ID" ] && [ "$ID" != null ] && break
  ID=""
  sleep 0.5
done
[ -n "$ID" ] || { echo "no check-in from the hook"; cat "$ANSWER"; exit 1; }
echo "human: sees $(curl -sf "$URL/v1/check-ins/$ID" -H "Authorization: Bearer $H" | field .data.action)"
curl -sf -X POST "$URL/v1/check-ins/$ID/modify" -H "Authorization: Bearer $H" \
  -H 'Content-Type: application/json' \
  -d '{"reason":"Staging first, please","modifications":{"command":"npm run deploy -- --env staging"}}' >/dev/null
echo "human: modified (staging first)"

wait "$HOOK"
echo "hook answer (HTTP $(cat "$ANSWER.status")):"
cat "$ANSWER"; echo
rm -f "$ANSWER.status"
[ "$(field .hookSpecificOutput.permissionDecision <"$ANSWER")" = allow ]
[ "$(field .hookSpecificOutput.updatedInput.command <"$ANSWER")" = "npm run deploy -- --env staging" ]
