package dev.diffrag.connectors.records;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The two changes a document can go through. JSON spells them {@code "upsert"} and {@code "delete"}. */
public enum DocumentOp {
    UPSERT,
    DELETE;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DocumentOp fromJson(String value) {
        for (DocumentOp op : values()) {
            if (op.json().equals(value)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op '" + value + "' (expected upsert or delete)");
    }
}
