package dev.diffrag.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.util.Locale;

/**
 * Required fields of the JSON records the tools read. A field that is missing, null or of the wrong type is an
 * {@link IOException} naming the record and the field ("nq.jsonl.gz line 12: ctxs[0].text is missing"), which the
 * command line prints as one line, instead of a bare NullPointerException from inside a loader.
 */
public final class JsonFields {

    private JsonFields() {}

    /**
     * The field {@code name} of {@code node}, of {@code type}. {@code record} names the file and the record
     * ("FILE line 3"), {@code path} the node within the record ("ctxs[0]"; empty for the record itself).
     */
    public static JsonNode get(JsonNode node, String name, JsonNodeType type, String record, String path)
            throws IOException {
        return checked(node.get(name), type, record, path.isEmpty() ? name : path + "." + name);
    }

    /** The string field {@code name} of {@code node}; arguments as {@link #get}. */
    public static String text(JsonNode node, String name, String record, String path) throws IOException {
        return get(node, name, JsonNodeType.STRING, record, path).asText();
    }

    /** {@code value}, which must be a string; {@code field} is its path within the record ("answers[2]"). */
    public static String text(JsonNode value, String record, String field) throws IOException {
        return checked(value, JsonNodeType.STRING, record, field).asText();
    }

    private static JsonNode checked(JsonNode value, JsonNodeType type, String record, String field)
            throws IOException {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new IOException(record + ": " + field + " is missing");
        }
        if (value.getNodeType() != type) {
            throw new IOException(record + ": " + field + " should be " + describe(type) + ", not "
                    + describe(value.getNodeType()));
        }
        return value;
    }

    private static String describe(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "a " + type.name().toLowerCase(Locale.ROOT);
        };
    }
}
