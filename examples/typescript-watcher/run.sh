#!/usr/bin/env bash
# Builds the SDK (once) and this example, then runs the watcher to its end.
set -euo pipefail
cd "$(dirname "$0")"
SDK=../../clients/typescript
if [ ! -f "$SDK/dist/index.js" ]; then
  (cd "$SDK" && npm ci --no-audit --no-fund && npm run build)
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
node dist/watcher.js
