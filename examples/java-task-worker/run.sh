#!/usr/bin/env bash
# Runs TaskWorker.java (a single-file program) with the Java SDK on the classpath. The classpath is
# $WAITROOM_JAVA_CLASSPATH when set, else clients/java built with Maven (its classes + Jackson).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CP="${WAITROOM_JAVA_CLASSPATH:-}"
if [ -z "$CP" ]; then
  mvn -B -q -f "$ROOT/clients/java/pom.xml" package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt
  CP="$ROOT/clients/java/target/classes:$(cat "$ROOT/clients/java/target/classpath.txt")"
fi
cd "$ROOT"   # where the jar (and the server's data dir) is, if the token is minted
exec java -cp "$CP" "$ROOT/examples/java-task-worker/TaskWorker.java"
