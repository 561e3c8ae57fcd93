package dev.diffrag.summarize.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.summarize.SalienceSummarizer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** JSONL {@code {id, text}} in, JSONL {@code {id, sentences:[{text, start, end}]}} out, in input order. */
@Command(name = "summarize", mixinStandardHelpOptions = true,
        description = "Summarize JSONL {id, text} documents into JSONL {id, sentences:[{text, start, end}]}.")
final class SummarizeCommand implements Callable<Integer> {

    /** One JSON value per line: a line with anything after its object is malformed, not half read. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** One output line. */
    record SummaryLine(String id, List<Summary.Sentence> sentences) {}

    @Spec
    CommandSpec spec;

    @Option(names = "--input", defaultValue = "-", description = "JSONL file, or - for stdin (default)")
    String input;

    @Option(names = "--output", defaultValue = "-", description = "JSONL file, or - for stdout (default)")
    String output;

    @Option(names = "--model", defaultValue = "diff-v1", description = "diff-v1, vanilla or lead-N, e.g. lead-3 (default: diff-v1)")
    String model;

    @Option(names = "--checkpoint", description = "a trained model directory instead of --model")
    Path checkpoint;

    @Option(names = "--max-sentences", defaultValue = "3") int maxSentences;
    @Option(names = "--max-tokens", defaultValue = "0", description = "token budget (0 = none)") int maxTokens;
    @Option(names = "--batch-size", defaultValue = "16") int batchSize;

    @Override
    public Integer call() throws IOException {
        if (maxSentences < 1 || maxTokens < 0 || batchSize < 1) {
            throw new IllegalArgumentException("need --max-sentences >= 1, --max-tokens >= 0 and --batch-size >= 1, got "
                    + maxSentences + ", " + maxTokens + " and " + batchSize);
        }
        if (checkpoint != null && spec.commandLine().getParseResult().hasMatchedOption("--model")) {
            throw new IllegalArgumentException("give --model or --checkpoint, not both (the checkpoint would be used "
                    + "and --model " + model + " ignored)");
        }
        try (Summarizer summarizer = checkpoint != null
                        ? SalienceSummarizer.load(checkpoint, new AllMiniLmL6V2EmbeddingModel(), maxTokens)
                        : Summarizers.named(model, maxTokens);
                BufferedReader in = input.equals("-")
                        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            if (output.equals("-")) {
                Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
                summarize(summarizer, in, out);
                out.flush();
            } else {
                // A bad line fails the run after earlier batches were written: the file is all the summaries or none.
                AtomicFiles.write(Path.of(output), stream -> {
                    Writer out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                    summarize(summarizer, in, out);
                    out.flush();
                });
            }
        }
        return 0;
    }

    private void summarize(Summarizer summarizer, BufferedReader in, Writer out) throws IOException {
        List<SummaryRequest> pending = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            pending.add(request(line, number));
            if (pending.size() == batchSize) {
                write(summarizer, pending, out);
            }
        }
        write(summarizer, pending, out);
    }

    private SummaryRequest request(String line, int number) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException("line " + number + ": not JSON: " + e.getMessage(), e);
        }
        JsonNode id = node.get("id");
        JsonNode text = node.get("text");
        if (id == null || !id.isTextual() || text == null || !text.isTextual()) {
            throw new IOException("line " + number + ": need string fields \"id\" and \"text\"");
        }
        return new SummaryRequest(id.asText(), text.asText(), maxSentences);
    }

    private static void write(Summarizer summarizer, List<SummaryRequest> pending, Writer out) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        for (Summary summary : summarizer.summarize(pending)) {
            out.write(JSON.writeValueAsString(new SummaryLine(summary.id(), summary.sentences())));
            out.write('\n');
        }
        out.flush();
        pending.clear();
    }
}
