package dev.diffrag.reader;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reader answer [FILE]}: reads JSONL {@code {id, question, contexts:[{id, text}]}} (from FILE or stdin) and
 * writes one JSONL line per request, in input order:
 * {@code {id, answer|null, abstained, confidence, citation:{contextId, start, end}|null}}. No Kafka needed.
 */
@Command(name = "answer", mixinStandardHelpOptions = true,
        description = "Answer questions from JSONL with the reader, writing JSONL answers.")
final class AnswerCommand implements Callable<Integer> {

    /**
     * One JSON value per line: a line with anything after its object is malformed, not half read, and so is one with
     * a field given twice (the model server refuses it too), of which the last was silently answered.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Requests handed to the answerer at once. */
    private static final int CHUNK = 64;

    @Parameters(index = "0", arity = "0..1", description = "input JSONL file (default: stdin)")
    Path input;

    @Option(names = "--checkpoint",
            description = "reader checkpoint folder (default: the shipped default reader, diff-v2-bge-top4)")
    Path checkpoint;

    @Option(names = "--threshold", description = "override the calibrated abstention threshold")
    Double threshold;

    @Override
    public Integer call() throws IOException {
        try (Answerer answerer = answerer();
                // Both refuse bytes that are not UTF-8 (a charset, unlike a decoder, would read them as U+FFFD).
                Reader in = input != null ? Files.newBufferedReader(input)
                        : new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder());
                Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) {
            run(answerer, in, out);
        }
        return 0;
    }

    /** The reader the options select, with {@code --threshold} when given, else its calibrated threshold. */
    DiffReaderAnswerer answerer() throws IOException {
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            // Confidences are probabilities: a threshold outside [0, 1] would abstain always or never.
            throw new IllegalArgumentException("--threshold must be in [0, 1], got " + threshold);
        }
        return checkpoint != null ? DiffReaderAnswerer.load(checkpoint, threshold)
                : DiffReaderAnswerer.shipped(DiffReaderAnswerer.DEFAULT, threshold);
    }

    /** Answers every request line of {@code in}, writing the answer lines to {@code out}. */
    static void run(Answerer answerer, Reader in, Writer out) throws IOException {
        BufferedReader reader = new BufferedReader(in);
        PrintWriter writer = new PrintWriter(out);
        List<String> ids = new ArrayList<>();
        List<AnswerRequest> requests = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode record = parse(line, number);
            ids.add(record.get("id").asText());
            requests.add(request(record, number));
            if (requests.size() == CHUNK) {
                write(answerer, ids, requests, writer);
            }
        }
        write(answerer, ids, requests, writer);
        writer.flush();
    }

    private static JsonNode parse(String line, int number) {
        try {
            JsonNode record = JSON.readTree(line);
            if (!record.isObject() || !record.path("id").isTextual() || !record.path("question").isTextual()
                    || !record.path("contexts").isArray()) {
                throw new IllegalArgumentException("line " + number
                        + ": expected {\"id\", \"question\", \"contexts\": [{\"id\", \"text\"}]} with string ids");
            }
            if (record.get("question").asText().isBlank()) {
                // As the model server and the pipeline's question parser: a blank question would still get a span.
                throw new IllegalArgumentException("line " + number + ": the question is blank");
            }
            return record;
        } catch (IOException e) {
            throw new IllegalArgumentException("line " + number + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static AnswerRequest request(JsonNode record, int number) {
        List<Passage> contexts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode context : record.get("contexts")) {
            if (!context.path("id").isTextual() || !context.path("text").isTextual()) {
                throw new IllegalArgumentException("line " + number + ": every context needs a string id and a text");
            }
            String id = context.get("id").asText();
            if (!ids.add(id)) {
                // The citation names its context by id alone.
                throw new IllegalArgumentException("line " + number + ": context id '" + id
                        + "' appears twice; context ids must be unique");
            }
            contexts.add(new Passage(id, context.get("text").asText()));
        }
        return new AnswerRequest(record.get("question").asText(), contexts);
    }

    private static void write(Answerer answerer, List<String> ids, List<AnswerRequest> requests, PrintWriter writer)
            throws IOException {
        if (requests.isEmpty()) {
            return;
        }
        List<GroundedAnswer> answers = answerer.answer(requests);
        for (int i = 0; i < answers.size(); i++) {
            GroundedAnswer answer = answers.get(i);
            ObjectNode line = JSON.createObjectNode();
            line.put("id", ids.get(i));
            line.put("answer", answer.answer());
            line.put("abstained", answer.abstained());
            line.put("confidence", answer.confidence());
            if (answer.citation() == null) {
                line.putNull("citation");
            } else {
                line.putObject("citation").put("contextId", answer.citation().contextId())
                        .put("start", answer.citation().start()).put("end", answer.citation().end());
            }
            // As bytes: Jackson's UTF-8 output writes surrogates as JSON escapes, whereas a String written through
            // the UTF-8 writer turns an unpaired one into '?' (ids "q" + U+D800 and "q" + U+DC00 both came out "q?").
            writer.println(new String(JSON.writeValueAsBytes(line), StandardCharsets.UTF_8));
        }
        ids.clear();
        requests.clear();
    }
}
