#!/usr/bin/env bash
# The product page's REST flow, create and poll, against a local server: a human makes a room and
# an agent, the agent checks in and polls, the human approves through the API, the poll sees it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
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

# A human's token: given, or minted with the jar (run from the repository root, where the server
# keeps its data dir and so its signing secret).
H="${WAITROOM_HUMAN_TOKEN:-}"
if [ -z "$H" ]; then
  H=$(cd "$ROOT" && java -jar target/waitroom.jar token --org acme --sub alice --name Alice)
fi

# 1. A room and an agent (a human's calls).
ROOM=$(curl -sf -X POST "$URL/v1/rooms" -H "Authorization: Bearer $H" \
  -H 'Content-Type: application/json' -d "{\"name\":\"Backups $(date +%s)\"}" | field .data.slug)
echo "room: $ROOM"
WAITROOM_API_KEY=$(curl -sf -X POST "$URL/v1/agents/register" -H "Authorization: Bearer $H" \
  -H 'Content-Type: application/json' -d '{"name":"backup-cleaner"}' | field .data.api_key)
echo "agent key: ${WAITROOM_API_KEY:0:12}..."

# 2. The agent checks in (the product page's step 1).
CHECKIN=$(curl -sf -X POST "$URL/v1/rooms/$ROOM/check-in" \
  -H "Authorization: Bearer $WAITROOM_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"action":"Delete old backups","risk_level":"high"}')

# 3. Extract the check-in id (step 2).
ID=$(echo "$CHECKIN" | field .data.id)
echo "check-in: $ID, status $(echo "$CHECKIN" | field .data.status)"

# 4. Poll for the decision (step 3), with the page's backoff: 1 s, x1.5, capped at 30 s. A human
#    approves after the first poll (on the dashboard, by e-mail, or here through the API).
interval=1
while :; do
  STATUS=$(curl -sf "$URL/v1/check-ins/$ID/status" -H "Authorization: Bearer $WAITROOM_API_KEY")
  S=$(echo "$STATUS" | field .data.status)
  echo "poll: $S"
  [ "$S" = pending ] || break
  if [ -z "${APPROVED:-}" ]; then
    curl -sf -X POST "$URL/v1/check-ins/$ID/approve" -H "Authorization: Bearer $H" \
      -H 'Content-Type: application/json' -d '{"reason":"Backups older than 90 days only"}' >/dev/null
    echo "human: approved"
    APPROVED=1
  fi
  sleep "$interval"
  interval=$(awk -v i="$interval" 'BEGIN { n = i * 1.5; print (n > 30 ? 30 : n) }')
done

echo "decision: $S ($(echo "$STATUS" | field .data.decision_reason))"
[ "$S" = approved ]
