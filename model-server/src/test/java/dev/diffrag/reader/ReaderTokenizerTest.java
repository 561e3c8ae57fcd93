package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReaderTokenizerTest {

    private static ReaderTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = new ReaderTokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static List<String> pieces(String text, ReaderTokenizer.Tokens tokens) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            pieces.add(text.substring(tokens.start()[i], tokens.end()[i]));
        }
        return pieces;
    }

    @Test
    void spansCoverEveryNonSpaceCharacterOnceInOrder() {
        String text = "In 1901 Wilhelm Conrad Röntgen won the first Nobel Prize (physics), 😀 didn't he?";
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(text);
        StringBuilder covered = new StringBuilder();
        int previousEnd = 0;
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(tokens.start()[i]).isGreaterThanOrEqualTo(previousEnd);
            assertThat(text.substring(previousEnd, tokens.start()[i])).isBlank();
            covered.append(text, tokens.start()[i], tokens.end()[i]);
            previousEnd = tokens.end()[i];
        }
        assertThat(text.substring(previousEnd)).isBlank();
        assertThat(covered.toString()).isEqualTo(text.replace(" ", ""));
    }

    @Test
    void tokensMapToTheirWordsAndSubwordsAfterAnAstralCharacter() {
        String text = "😀 Röntgen won in 1901.";
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(text);
        List<String> pieces = pieces(text, tokens);
        assertThat(pieces).contains("won", "in", "1901", ".");
        assertThat(String.join("", pieces.subList(1, pieces.indexOf("won")))).isEqualTo("Röntgen");
        assertThat(tokens.ids()[pieces.indexOf("won")]).isEqualTo(2180); // "won" in the MiniLM vocabulary
    }

    @Test
    void unpairedSurrogatesDoNotShiftLaterOffsets() {
        for (String text : List.of("ab \uD800 Bob Smith did it.", "😀 \uDC00 Bob Smith did it.",
                "Bob\uDBFF Smith did it.")) {
            List<String> pieces = pieces(text, tokenizer.tokenize(text));
            assertThat(pieces).as(text).endsWith("Bob", "Smith", "did", "it", ".");
        }
    }

    @Test
    void unpairedSurrogatesBecomeOneReplacementCharacterAndPairsStay() {
        assertThat(ReaderTokenizer.withoutLoneSurrogates("a\uD800b\uDC00😀\uD83D"))
                .isEqualTo("a\uFFFDb\uFFFD😀\uFFFD");
        String clean = "plain 😀 text";
        assertThat(ReaderTokenizer.withoutLoneSurrogates(clean)).isSameAs(clean);
    }

    @Test
    void codePointOffsetsMapToUtf16Offsets() {
        assertThat(ReaderTokenizer.utf16Offsets("a😀b😀")).containsExactly(0, 1, 3, 4, 6);
        assertThat(ReaderTokenizer.utf16Offsets("")).containsExactly(0);
    }

    @Test
    void oneAstralCharacterInALongTextCostsAboutWhatPlainTextCosts() {
        String plain = "The quick brown fox jumps over the lazy dog. ".repeat(4_000); // 180k chars, 40k tokens
        String astral = "😀" + plain;
        long plainNanos = Long.MAX_VALUE;
        long astralNanos = Long.MAX_VALUE;
        for (int run = 0; run < 2; run++) { // best of two, interleaved, against noise from other jobs
            plainNanos = Math.min(plainNanos, nanosToTokenize(plain));
            astralNanos = Math.min(astralNanos, nanosToTokenize(astral));
        }
        // Converting each token's offsets on its own took 24 times the plain text's time here.
        assertThat(astralNanos).isLessThan(3 * plainNanos + 500_000_000L);
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(astral);
        int last = tokens.size() - 1;
        assertThat(tokens.start()[last]).isEqualTo(astral.length() - 2);
        assertThat(astral.substring(tokens.start()[last], tokens.end()[last])).isEqualTo(".");
    }

    private static long nanosToTokenize(String text) {
        long start = System.nanoTime();
        tokenizer.tokenize(text);
        return System.nanoTime() - start;
    }

    @Test
    void specialTokensWrittenInTheTextAreReadAsText() {
        // The native tokenizer matches "[SEP]", "[PAD]" … in the raw text: a passage about BERT fed the encoder a
        // separator and a padding id mid-text. They read as the same words in any other case.
        String text = "BERT reads [CLS] a [SEP] b [PAD][MASK] c [UNK].";
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(text);
        assertThat(tokens.ids()).isEqualTo(tokenizer.tokenize(text.toLowerCase(java.util.Locale.ROOT)).ids())
                .doesNotContain(ReaderTokenizer.PAD, 100, ReaderTokenizer.CLS, ReaderTokenizer.SEP, 103);
        assertThat(pieces(text, tokens)).containsExactly("BERT", "reads", "[", "CL", "S", "]", "a", "[", "SEP", "]", "b",
                "[", "PAD", "]", "[", "MASK", "]", "c", "[", "UN", "K", "]", ".");
    }

    @Test
    void noSpecialTokensAreAdded() {
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize("hello world");
        assertThat(tokens.ids()).doesNotContain(ReaderTokenizer.CLS, ReaderTokenizer.SEP).hasSize(2);
    }
}
