#!/usr/bin/env bash
# The local stack in one command: builds the modules the job needs (no install), then starts an embedded Kafka
# broker and a Flink mini cluster in one JVM, ingests the bundled sample corpus, answers the sample questions and
# any given as arguments, and exits.   Usage: ./run-local.sh ["another question?" ...]
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -pl pipeline -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
# The embedding model is bundled in a jar; DJL's native tokenizer library is extracted here, never downloaded.
export DJL_CACHE_DIR="$PWD/pipeline/target/djl-cache"
exec java -Xmx3g -Dai.djl.offline=true \
    -Dlog4j2.configurationFile=pipeline/src/main/resources/log4j2-local.properties \
    -cp "pipeline/target/classes:$(cat pipeline/target/runtime.classpath)" \
    dev.diffrag.pipeline.local.LocalStack "$@"
