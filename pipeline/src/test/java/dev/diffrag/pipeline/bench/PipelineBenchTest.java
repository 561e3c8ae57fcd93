package dev.diffrag.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.pipeline.ingest.Chunker;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineBenchTest {

    /** Counts how many of its kind embed at the same time; each batch takes 50 ms. */
    private static final class SlowModel implements EmbeddingModel {
        static final AtomicInteger busy = new AtomicInteger();
        static final AtomicInteger mostBusy = new AtomicInteger();

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            mostBusy.accumulateAndGet(busy.incrementAndGet(), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                busy.decrementAndGet();
            }
            return Response.from(segments.stream().map(s -> Embedding.from(new float[] {1})).toList());
        }
    }

    @Test
    void theRawEmbedderRunsAsManyModelsSideBySideAsTheJobHasEmbeddingSubtasks() throws Exception {
        List<PipelineBench.Doc> docs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            docs.add(new PipelineBench.Doc("d" + i, "t", "A sentence of a document number " + i + "."));
        }
        List<EmbeddingModel> created = new ArrayList<>();

        double chunksPerSecond = PipelineBench.rawEmbedderThroughput(docs, new Chunker(300, 30), () -> {
            SlowModel model = new SlowModel();
            created.add(model);
            return model;
        });

        // The job embeds with parallelism 2: two models, each on its own document at once.
        assertThat(created).hasSize(2);
        assertThat(SlowModel.mostBusy.get()).isEqualTo(2);
        assertThat(chunksPerSecond).isGreaterThan(25.0); // 8 chunks in 4 × 50 ms: 40; one model alone: 20
    }

    @Test
    void theReportRecordsHowManyItemsEachMeasurementIsOver(@TempDir Path out) throws Exception {
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("ingestRatioToRawEmbedder", 0.9);
        measured.put("samples", new PipelineBench.Samples(400, 1234, 231, 160, 10_500, 1190));

        PipelineBench.write(out, measured, List.of(), new String[] {"../shared/data"}, Duration.ofSeconds(1), 1.0);

        JsonNode samples = new ObjectMapper().readTree(out.resolve("pipeline-bench.json").toFile()).get("samples");
        assertThat(samples.get("freshnessDocuments").asInt()).isEqualTo(231);
        assertThat(samples.get("recallQuestions").asInt()).isEqualTo(1190);
        assertThat(Files.readString(out.resolve("pipeline-bench.md"))).contains("400 documents (1234 chunks)",
                "freshness lag over 231 documents", "latency over 160 questions with 10500 chunks indexed",
                "recall over 1190 XQuAD questions");
    }
}
