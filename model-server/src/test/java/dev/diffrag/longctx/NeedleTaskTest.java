package dev.diffrag.longctx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeedleTaskTest {

    private static final String[] TOPICS = {"startups", "painting", "cities", "programming", "wealth", "schools"};

    private static ReaderTokenizer tokenizer;
    private static NeedleTask task;

    @BeforeAll
    static void load(@TempDir Path essays) throws IOException {
        tokenizer = new ReaderTokenizer();
        // Six essays of 150 varied sentences (~12 tokens each): about 11K tokens, more than a 2K context needs.
        // Paragraphs are glued without a space, as in the scraped essays.
        for (int e = 0; e < TOPICS.length; e++) {
            StringBuilder text = new StringBuilder();
            for (int s = 0; s < 150; s++) {
                text.append("Essay ").append(e).append(" says point ").append(s).append(" about ")
                        .append(TOPICS[(e + s) % TOPICS.length]).append(" matters to most people.")
                        .append(s % 10 == 9 ? "" : "\n");
            }
            Files.writeString(essays.resolve("essay" + e + ".txt"), text);
        }
        Files.writeString(essays.resolve("notes.md"), "Not an essay. It must not appear.");
        task = NeedleTask.fromDirectory(essays, tokenizer);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void splitsSentencesAtPunctuationAndAtGluedParagraphs() {
        assertThat(NeedleTask.sentences("July 2010 It grows.\n Fast! Really?  Yes.Then U.S. law."))
                .containsExactly("July 2010 It grows.", "Fast!", "Really?", "Yes.", "Then U.S. law.");
    }

    @Test
    void needlesAppearVerbatimAtTheirOffsetsAndDepths() {
        NeedleExample example = task.generate(1024, 5, 2, 7);
        String context = example.context();
        assertThat(example.needles()).extracting(NeedleExample.Needle::depthPercent)
                .containsExactlyInAnyOrderElementsOf(NeedleTask.DEPTHS);
        for (NeedleExample.Needle needle : example.needles()) {
            assertThat(context.substring(needle.start(), needle.end()))
                    .isEqualTo("The magic number for " + needle.city() + " is " + needle.number() + ".");
            assertThat(context.indexOf(needle.sentence())).isEqualTo(needle.start());
            assertThat((double) needle.start() / context.length()).isCloseTo(needle.depthPercent() / 100.0,
                    org.assertj.core.data.Offset.offset(0.05));
            if (needle.depthPercent() == 0) {
                assertThat(needle.start()).isZero();
            }
            if (needle.depthPercent() == 100) {
                assertThat(needle.end()).isEqualTo(context.length());
            }
        }
        assertThat(context).doesNotContain("Not an essay");
    }

    @Test
    void contextHitsItsTokenTargetWithinOneSentence() {
        for (int target : new int[] {1024, 2048}) {
            NeedleExample example = task.generate(target, 6, 2, target);
            assertThat(example.contextTokens()).isEqualTo(tokenizer.tokenize(example.context()).size())
                    .isLessThanOrEqualTo(target)
                    .isGreaterThanOrEqualTo(target - 20);
        }
    }

    @Test
    void sameSeedSameExampleOtherSeedAnother() {
        NeedleExample first = task.generate(1024, 4, 2, 11);
        assertThat(task.generate(1024, 4, 2, 11)).isEqualTo(first);
        NeedleExample other = task.generate(1024, 4, 2, 12);
        assertThat(other.context()).isNotEqualTo(first.context());
        assertThat(other.needles()).isNotEqualTo(first.needles());
    }

    @Test
    void asksDistinctInsertedNeedlesWithTheirNumbers() {
        NeedleExample example = task.generate(1024, 6, 2, 3);
        assertThat(example.needles()).hasSize(6);
        assertThat(example.needles()).extracting(NeedleExample.Needle::city).doesNotHaveDuplicates();
        assertThat(example.needles()).extracting(NeedleExample.Needle::number).doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n).isBetween(1_000_000, 9_999_999));
        Map<String, Integer> inserted = example.needles().stream()
                .collect(Collectors.toMap(NeedleExample.Needle::city, NeedleExample.Needle::number));
        assertThat(example.questions()).hasSize(2)
                .extracting(NeedleExample.Question::city).doesNotHaveDuplicates();
        for (NeedleExample.Question question : example.questions()) {
            assertThat(inserted).containsEntry(question.city(), question.expectedNumber());
            assertThat(question.text()).isEqualTo("What is the magic number for " + question.city() + "?");
        }
    }

    @Test
    void rejectsImpossibleRequests() {
        assertThatThrownBy(() -> task.generate(1024, 2, 3, 1)).hasMessageContaining("asked");
        assertThatThrownBy(() -> task.generate(30, 6, 2, 1)).hasMessageContaining("no haystack");
        assertThatThrownBy(() -> task.generate(100_000, 1, 1, 1)).hasMessageContaining("essays hold only");
    }

    @Test
    void scoresExactMatchesOnly() {
        NeedleExample example = new NeedleExample("ctx", 1, List.of(),
                List.of(new NeedleExample.Question("Oslo", 1234567), new NeedleExample.Question("Lima", 7654321),
                        new NeedleExample.Question("Kyoto", 1111111), new NeedleExample.Question("Seoul", 2222222)));
        NeedleScore score = new NeedleScore();
        score.add(example, Map.of("Oslo", " 1234567\n", "Lima", "7654321.", "Kyoto", "1,111,111"));
        assertThat(score.asked()).isEqualTo(4);
        assertThat(score.correct()).isEqualTo(1);
        assertThat(score.accuracy()).isEqualTo(0.25);
        assertThatThrownBy(() -> new NeedleScore().accuracy()).isInstanceOf(IllegalStateException.class);
    }
}
