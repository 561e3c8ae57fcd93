package dev.diffrag.pipeline.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.util.OutputTag;

/** The side output every parsing function sends malformed records to, and the checks they share. */
public final class DeadLetters {

    public static final OutputTag<DeadLetterRecord> TAG = new OutputTag<>("dead-letters") {};

    /**
     * The team's strict mapper, stricter still: Jackson would otherwise read {@code "text": 5} as the string "5".
     * Trailing content after the record is rejected as well.
     */
    private static final ObjectMapper STRICT_MAPPER = stricter(Json.MAPPER.copy());

    private DeadLetters() {}

    private static ObjectMapper stricter(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public static DeadLetterRecord of(RawRecord raw, String error) {
        return new DeadLetterRecord(raw.topic(), raw.partition(), raw.offset(), raw.key(), error, raw.valueAsText());
    }

    /**
     * Reads the payload of {@code raw} as a {@code type}: fails on a tombstone, invalid UTF-8, malformed JSON, fields
     * of the wrong type, trailing content and a JSON {@code null}.
     */
    static <T> T readPayload(RawRecord raw, Class<T> type) throws MalformedRecordException {
        if (raw.value() == null) {
            throw new MalformedRecordException("no payload (tombstone)");
        }
        String text = decodeUtf8(raw.value());
        T value;
        try {
            value = STRICT_MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException(describe(e));
        }
        if (value == null) {
            throw new MalformedRecordException("payload is JSON null");
        }
        return value;
    }

    /** Jackson's message without its source excerpt; a failed enum or record constructor reports its own reason. */
    private static String describe(JsonProcessingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        String location = e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        String field = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                ? " in field '" + mapping.getPath().get(mapping.getPath().size() - 1).getFieldName() + "'"
                : "";
        return "invalid JSON" + field + ": " + e.getOriginalMessage().replace('\n', ' ') + location;
    }

    /** Decodes strictly: a payload that is not valid UTF-8 is malformed rather than silently repaired. */
    static String decodeUtf8(byte[] bytes) throws MalformedRecordException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(buffer).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRecordException("invalid UTF-8 near byte " + buffer.position());
        }
    }

    static String requireText(String value, String field) throws MalformedRecordException {
        if (value == null) {
            throw new MalformedRecordException("missing field '" + field + "'");
        }
        if (value.isBlank()) {
            throw new MalformedRecordException("blank field '" + field + "'");
        }
        return value;
    }

    static void requireAtMost(String value, String field, int maxChars) throws MalformedRecordException {
        if (value.length() > maxChars) {
            throw new MalformedRecordException(
                    "field '" + field + "' has " + value.length() + " characters, over the limit of " + maxChars);
        }
    }

    /** Tenants are the first segment of keys like {@code tenant/docId}, so a slash would make keys ambiguous. */
    static void requireTenant(String tenant) throws MalformedRecordException {
        requireText(tenant, "tenant");
        if (tenant.indexOf('/') >= 0) {
            throw new MalformedRecordException("field 'tenant' must not contain '/'");
        }
    }

    /** Why a record is malformed; the message becomes the dead-letter {@code error}. */
    static final class MalformedRecordException extends Exception {
        MalformedRecordException(String message) {
            super(message);
        }
    }
}
