package dev.diffrag.pipeline.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.apache.flink.util.OutputTag;

/** The side output every parsing function sends malformed records to, and the checks they share. */
public final class DeadLetters {

    public static final OutputTag<DeadLetterRecord> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    /**
     * Most characters of the raw payload a dead letter keeps. Decoding invalid UTF-8 (3 bytes per replacement
     * character) and JSON escapes (6 bytes per control character) can make a payload's dead letter more than twice its
     * size: a 900 kB record of random bytes became a 2.1 MB dead letter, over Kafka's default 1 MB record limit, so the
     * dead-letter sink failed and the job restarted on the same record forever. 64 Ki characters take at most 384 kB.
     */
    static final int MAX_RAW_CHARS = 64 * 1024;

    /**
     * Most characters of the error a dead letter keeps; of its key it keeps the longest key a document or question may
     * have ({@link RecordKeys#MAX_CHARS}). The key is copied into the dead letter's Kafka key, its {@code key} field
     * and often its error, so a 400 kB key alone would again exceed the record limit.
     */
    static final int MAX_ERROR_CHARS = 4 * 1024;

    /**
     * The dead letter of {@code raw}; a payload over {@link #MAX_RAW_CHARS} is cut, and the error says so; a key or
     * error over its limit is cut too.
     */
    public static DeadLetterRecord of(RawRecord raw, String error) {
        String text = raw.valueAsText();
        String cutNote = "";
        if (text != null && text.length() > MAX_RAW_CHARS) {
            String cut = prefix(text, MAX_RAW_CHARS);
            cutNote = " (raw payload cut to its first " + cut.length() + " of " + text.length() + " characters)";
            text = cut;
        }
        String key = raw.key() == null || RecordKeys.fits(raw.key())
                ? raw.key()
                : prefix(raw.key(), RecordKeys.MAX_CHARS);
        String cutError = error.length() <= MAX_ERROR_CHARS ? error : prefix(error, MAX_ERROR_CHARS) + "…";
        return new DeadLetterRecord(raw.topic(), raw.partition(), raw.offset(), key, cutError + cutNote, text);
    }

    /** The first {@code max} characters of {@code text}, one fewer where that would split a surrogate pair. */
    private static String prefix(String text, int max) {
        // A lone half of a surrogate pair is not valid text.
        return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
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
            value = Json.MAPPER.readValue(text, type);
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
        // The whole path: a nested field named alone ('year' of metadata) reads like a top-level one.
        String field = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                ? " in field '" + mapping.getPath().stream()
                        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
                        .collect(Collectors.joining(".")) + "'"
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
        requireKeyPart(tenant, "tenant");
        if (tenant.indexOf('/') >= 0) {
            throw new MalformedRecordException("field 'tenant' must not contain '/'");
        }
    }

    /**
     * A tenant or id, which becomes part of a Kafka key: text without an unpaired surrogate (a JSON escape can make
     * one), which UTF-8 cannot encode: Java writes it as '?', so two questions whose ids differed only in such a
     * character gave their answers one key, and consumers that deduplicate by key dropped one of the two.
     */
    static void requireKeyPart(String value, String field) throws MalformedRecordException {
        requireText(value, field);
        for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
            int codePoint = value.codePointAt(i);
            if (Character.getType(codePoint) == Character.SURROGATE) {
                String reason = "field '%s' has an unpaired surrogate (U+%04X at index %d), which a UTF-8 Kafka key "
                        + "cannot hold";
                throw new MalformedRecordException(reason.formatted(field, codePoint, i));
            }
        }
    }

    /** Why a record is malformed; the message becomes the dead-letter {@code error}. */
    public static final class MalformedRecordException extends Exception {
        MalformedRecordException(String message) {
            super(message);
        }
    }
}
