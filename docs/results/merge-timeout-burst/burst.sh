#!/usr/bin/env bash
# The local stack (./run-local.sh) with a burst of questions: the 8 sample questions and ROUNDS more rounds of them,
# all sent at once, with the given merge timeout.   Usage: burst.sh MERGE_TIMEOUT_MS ROUNDS LOG
set -euo pipefail
cd "$(dirname "$0")/../../.."
mapfile -t QUESTIONS < pipeline/src/main/resources/sample-corpus/questions.txt
EXTRA=()
for _ in $(seq "$2"); do EXTRA+=("${QUESTIONS[@]}"); done
DIFFRAG_MERGE_TIMEOUT_MS=$1 ./run-local.sh "${EXTRA[@]}" > "$3" 2>&1
