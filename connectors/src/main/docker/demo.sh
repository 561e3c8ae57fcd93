#!/bin/sh
# The demo producer of docker-compose.yml: waits for the model server, ingests the sample corpus (the files named in
# documents.list) as tenant "demo", waits for the job to index it, then asks each sample question and prints the answer.
# Kafka is configured by the usual KAFKA_* / DIFFRAG_* variables, read by the CLI itself.
set -eu
corpus=/app/sample-corpus
cli="java -jar /app/diffrag-cli.jar"

if [ -n "${DEMO_WAIT_FOR_URL:-}" ]; then
    echo "waiting for $DEMO_WAIT_FOR_URL"
    until curl -fsS "$DEMO_WAIT_FOR_URL" > /dev/null 2>&1; do sleep 2; done
fi

docs=$(mktemp -d)
while read -r name; do
    [ -n "$name" ] && cp "$corpus/$name" "$docs/"
done < "$corpus/documents.list"
$cli ingest --tenant demo "$docs"

# Ingestion is asynchronous: give the job time to chunk, embed and index before asking.
sleep "${DEMO_INDEX_WAIT_SECONDS:-30}"
while read -r question; do
    [ -n "$question" ] && $cli ask --tenant demo --timeout 120 "$question"
done < "$corpus/questions.txt"
