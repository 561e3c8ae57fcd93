package dev.diffrag.reader.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import opennlp.tools.postag.POSModel;
import opennlp.tools.postag.POSTaggerME;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.TokenizerModel;
import opennlp.tools.util.Span;

/**
 * Answer spans of the kinds extractive QA asks for, found with Apache OpenNLP's English part-of-speech tagger
 * (Universal Dependencies tags): years, other numbers, proper names and common noun phrases ("the first new
 * science fund", "the president of the club"). About a third of SQuAD's answers are common noun phrases (Rajpurkar et
 * al. 2016, table 2), a kind that {@link NamesAndNumbers} never asks for. A kind is drawn first, uniformly among the
 * kinds the sentence has, then a span of that kind, so that the many noun phrases of a sentence do not crowd out its
 * one year.
 *
 * <p>Not thread-safe (OpenNLP's taggers are not).
 */
public final class TaggedPhrases implements ClozeSpans {

    private static final String TOKENS_MODEL = "/opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin";
    private static final String TAGS_MODEL = "/opennlp-en-ud-ewt-pos-1.3-2.5.4.bin";
    private static final Pattern YEAR = Pattern.compile("1[5-9]\\d\\d|20\\d\\d");
    private static final Set<String> MODIFIERS = Set.of("ADJ", "NOUN", "PROPN", "NUM");
    /** Longest phrase asked for, in tokens: longer ones are clauses rather than answers. */
    private static final int MAX_TOKENS = 7;

    private final TokenizerME tokenizer;
    private final POSTaggerME tagger;

    public TaggedPhrases() {
        try (InputStream tokens = resource(TOKENS_MODEL); InputStream tags = resource(TAGS_MODEL)) {
            tokenizer = new TokenizerME(new TokenizerModel(tokens));
            tagger = new POSTaggerME(new POSModel(tags));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the OpenNLP English models", e);
        }
    }

    @Override
    public HiddenSpan draw(String sentence, Random random) {
        return drawEvenly(spans(sentence), random);
    }

    @Override
    public HiddenSpan decoy(String sentence, HiddenSpan target, Random random) {
        Map<String, List<HiddenSpan>> byKind = spans(sentence);
        byKind.remove(target.questionWord());
        byKind.values().forEach(spans -> spans.removeIf(s -> ClozeSpans.overlap(s, target)));
        byKind.values().removeIf(List::isEmpty);
        return drawEvenly(byKind, random);
    }

    /** A kind drawn uniformly, then a span of that kind; null when there are none. */
    private static HiddenSpan drawEvenly(Map<String, List<HiddenSpan>> byKind, Random random) {
        if (byKind.isEmpty()) {
            return null;
        }
        List<List<HiddenSpan>> kinds = new ArrayList<>(byKind.values());
        List<HiddenSpan> kind = kinds.get(random.nextInt(kinds.size()));
        return kind.get(random.nextInt(kind.size()));
    }

    /** Every candidate span of the sentence, by question word, in the order of the kinds' first spans. */
    Map<String, List<HiddenSpan>> spans(String sentence) {
        Span[] spans = tokenizer.tokenizePos(sentence);
        String[] words = Span.spansToStrings(spans, sentence);
        String[] tags = tagger.tag(words);
        for (int i = 0; i < tags.length; i++) {
            tags[i] = tags[i].split("\\+")[0]; // "government's" is tagged NOUN+PART
        }
        Map<String, List<HiddenSpan>> byKind = new LinkedHashMap<>();
        for (int i = 0; i < words.length; i++) {
            if (tags[i].equals("NUM")) {
                String kind = YEAR.matcher(words[i]).matches() ? "what year" : "how many";
                add(byKind, kind, spans, i, i + 1);
            }
        }
        for (int i = 0; i < words.length; ) {
            int end = nounPhraseEnd(tags, i);
            if (end < 0) {
                i++;
                continue;
            }
            if (end + 1 < words.length && words[end].equalsIgnoreCase("of")) {
                int after = nounPhraseEnd(tags, end + 1); // "the president of the club"
                end = after > 0 && after - i <= MAX_TOKENS ? after : end;
            }
            int first = tags[i].equals("DET") ? i + 1 : i;
            boolean name = true;
            for (int k = first; k < end; k++) {
                name &= tags[k].equals("PROPN") || words[k].equalsIgnoreCase("of");
            }
            if (end - i <= MAX_TOKENS) {
                if (name) {
                    add(byKind, "who or what", spans, first, end); // names are asked without their article
                } else {
                    add(byKind, "what", spans, i, end);
                }
            }
            i = end;
        }
        return byKind;
    }

    /**
     * End (exclusive) of the noun phrase starting at token {@code start}: an optional determiner, then adjectives,
     * nouns, names and numbers, ending on a noun or name; -1 when none starts there.
     */
    private static int nounPhraseEnd(String[] tags, int start) {
        int end = tags[start].equals("DET") ? start + 1 : start;
        int last = -1;
        while (end < tags.length && MODIFIERS.contains(tags[end])) {
            if (tags[end].equals("NOUN") || tags[end].equals("PROPN")) {
                last = end + 1;
            }
            end++;
        }
        return last;
    }

    private static void add(Map<String, List<HiddenSpan>> byKind, String kind, Span[] tokens, int from, int to) {
        byKind.computeIfAbsent(kind, k -> new ArrayList<>())
                .add(new HiddenSpan(tokens[from].getStart(), tokens[to - 1].getEnd(), kind));
    }

    private static InputStream resource(String name) {
        InputStream stream = TaggedPhrases.class.getResourceAsStream(name);
        if (stream == null) {
            throw new IllegalStateException(name + " is not on the class path (opennlp-models-*-en)");
        }
        return stream;
    }
}
