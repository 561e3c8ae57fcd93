package dev.diffrag.longctx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Synthetic key-value retrieval from "Lost in the Middle" (Liu et al. 2023): a JSON object of UUID pairs and one
 * key whose value must be found. Accuracy by the gold pair's position shows where in a context a model looks.
 */
public final class KvRetrieval {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KvRetrieval() {
    }

    public record Pair(String key, String value) {
    }

    /** One example; {@code goldPosition} is the 0-based index of the asked pair in {@code records}. */
    public record Example(List<Pair> records, String key, String value, int goldPosition) {

        public Example {
            records = List.copyOf(records);
        }

        /**
         * The records as lost-in-the-middle renders them, one pair per line:
         * <pre>{"k1": "v1",
         *  "k2": "v2"}</pre>
         */
        public Context render() {
            StringBuilder text = new StringBuilder("{");
            int valueStart = -1;
            for (int i = 0; i < records.size(); i++) {
                Pair pair = records.get(i);
                text.append(i == 0 ? "" : ",\n ").append(quoted(pair.key())).append(": \"");
                if (i == goldPosition) {
                    valueStart = text.length();
                }
                text.append(escaped(pair.value())).append('"');
            }
            text.append('}');
            return new Context(text.toString(), valueStart, valueStart + escaped(value).length());
        }

        public String question() {
            return "Key: " + quoted(key) + "\nCorresponding value:";
        }
    }

    /** The rendered records; the gold value (without quotes) is {@code text.substring(goldValueStart, goldValueEnd)}. */
    public record Context(String text, int goldValueStart, int goldValueEnd) {
    }

    /** Reads a gzipped JSON-lines file such as {@code kv-retrieval-75.jsonl.gz}; a malformed line is an error. */
    public static List<Example> read(Path gzippedJsonl) throws IOException {
        List<Example> examples = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gzippedJsonl)), StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (!line.isBlank()) {
                    try {
                        examples.add(parse(line));
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        throw new IOException(gzippedJsonl + " line " + number + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        return examples;
    }

    static Example parse(String line) throws JsonProcessingException {
        JsonNode root = JSON.readTree(line);
        JsonNode records = root.path("ordered_kv_records");
        if (!records.isArray() || !root.path("key").isTextual() || !root.path("value").isTextual()) {
            throw new IllegalArgumentException("needs ordered_kv_records (array), key and value (strings)");
        }
        String key = root.get("key").asText();
        String value = root.get("value").asText();
        List<Pair> pairs = new ArrayList<>();
        int gold = -1;
        for (JsonNode record : records) {
            if (!record.isArray() || record.size() != 2 || !record.get(0).isTextual() || !record.get(1).isTextual()) {
                throw new IllegalArgumentException("a record is not a [key, value] pair of strings: " + record);
            }
            Pair pair = new Pair(record.get(0).asText(), record.get(1).asText());
            if (pair.key().equals(key)) {
                if (gold >= 0) {
                    throw new IllegalArgumentException("key " + key + " occurs twice");
                }
                if (!pair.value().equals(value)) {
                    throw new IllegalArgumentException("the record for key " + key + " holds " + pair.value()
                            + ", not the gold value " + value);
                }
                gold = pairs.size();
            }
            pairs.add(pair);
        }
        if (gold < 0) {
            throw new IllegalArgumentException("key " + key + " is not among the records");
        }
        return new Example(pairs, key, value, gold);
    }

    private static String quoted(String text) {
        return '"' + escaped(text) + '"';
    }

    private static String escaped(String text) {
        try {
            String json = JSON.writeValueAsString(text);
            return json.substring(1, json.length() - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serializes", e);
        }
    }
}
