package dev.diffrag.reader.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Passage;
import dev.diffrag.cli.JsonFields;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * XQuAD (English; SQuAD v1.1 format) as reader requests. Evaluation only: nothing here is used for training or for
 * choosing thresholds. Every question must have a gold answer.
 */
public final class Xquad {

    /** A question with its gold answers and the index of its paragraph and article. */
    public record Question(String id, String question, List<String> answers, int paragraph, int article) {}

    private final List<Passage> paragraphs;
    private final List<Integer> articleOf;
    private final List<Question> questions;

    private Xquad(List<Passage> paragraphs, List<Integer> articleOf, List<Question> questions) {
        this.paragraphs = paragraphs;
        this.articleOf = articleOf;
        this.questions = questions;
    }

    /**
     * The file's questions; a question, paragraph or article lacking a field of SQuAD v1.1 format (or holding one of
     * the wrong type) is an error naming the file, the record ("data[0].paragraphs[2].qas[1]") and the field.
     */
    public static Xquad read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        String where = file.toString();
        List<Passage> paragraphs = new ArrayList<>();
        List<Integer> articleOf = new ArrayList<>();
        List<Question> questions = new ArrayList<>();
        JsonNode data = JsonFields.get(root, "data", JsonNodeType.ARRAY, where, "");
        for (int article = 0; article < data.size(); article++) {
            String articlePath = "data[" + article + "]";
            JsonNode paragraphNodes = JsonFields.get(data.get(article), "paragraphs", JsonNodeType.ARRAY, where,
                    articlePath);
            for (int p = 0; p < paragraphNodes.size(); p++) {
                JsonNode paragraph = paragraphNodes.get(p);
                String paragraphPath = articlePath + ".paragraphs[" + p + "]";
                int index = paragraphs.size();
                paragraphs.add(new Passage("a" + article + "-p" + index,
                        JsonFields.text(paragraph, "context", where, paragraphPath)));
                articleOf.add(article);
                JsonNode qas = JsonFields.get(paragraph, "qas", JsonNodeType.ARRAY, where, paragraphPath);
                for (int q = 0; q < qas.size(); q++) {
                    questions.add(question(qas.get(q), index, article, where, paragraphPath + ".qas[" + q + "]"));
                }
            }
        }
        return new Xquad(paragraphs, articleOf, questions);
    }

    private static Question question(JsonNode qa, int paragraph, int article, String where, String path)
            throws IOException {
        String id = JsonFields.text(qa, "id", where, path);
        JsonNode answerNodes = JsonFields.get(qa, "answers", JsonNodeType.ARRAY, where, path);
        List<String> answers = new ArrayList<>();
        for (int a = 0; a < answerNodes.size(); a++) {
            answers.add(JsonFields.text(answerNodes.get(a), "text", where, path + ".answers[" + a + "]"));
        }
        if (answers.isEmpty()) {
            // Every question is scored as answerable: one without a gold answer would score 0 even when the reader
            // rightly abstains.
            throw new IllegalArgumentException(where + ": " + path + " (question " + id + ") has no answer "
                    + "(SQuAD v2's unanswerable questions are not SQuAD v1.1 format)");
        }
        return new Question(id, JsonFields.text(qa, "question", where, path), answers, paragraph, article);
    }

    public List<Question> questions() {
        return questions;
    }

    public List<Passage> paragraphs() {
        return paragraphs;
    }

    /** {@code count} questions drawn with the seed (all when count ≥ the number of questions), in file order. */
    public List<Question> sample(int count, long seed) {
        if (count >= questions.size()) {
            return questions;
        }
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            indices.add(i);
        }
        Collections.shuffle(indices, new Random(seed));
        List<Integer> picked = new ArrayList<>(indices.subList(0, count));
        Collections.sort(picked);
        return picked.stream().map(questions::get).toList();
    }

    /** The most distractors every question can have: the fewest paragraphs outside a question's article. */
    public int mostDistractors() {
        return questions.stream()
                .mapToInt(q -> (int) articleOf.stream().filter(article -> article != q.article()).count())
                .min().orElse(0);
    }

    /** The question over its gold paragraph only. */
    public AnswerRequest gold(Question question) {
        return new AnswerRequest(question.question(), List.of(paragraphs.get(question.paragraph())));
    }

    /** The gold paragraph among {@code distractors} paragraphs of other articles, in a seeded shuffled order. */
    public AnswerRequest withDistractors(Question question, int distractors, long seed) {
        List<Passage> passages = distractors(question, distractors, seed);
        passages.add(paragraphs.get(question.paragraph()));
        Collections.shuffle(passages, random(question, seed));
        return new AnswerRequest(question.question(), passages);
    }

    /** The same distractors as {@link #withDistractors} without the gold paragraph: nothing answers the question. */
    public AnswerRequest distractorsOnly(Question question, int distractors, long seed) {
        return new AnswerRequest(question.question(), distractors(question, distractors, seed));
    }

    private List<Passage> distractors(Question question, int count, long seed) {
        List<Passage> others = new ArrayList<>();
        for (int p = 0; p < paragraphs.size(); p++) {
            if (articleOf.get(p) != question.article()) {
                others.add(paragraphs.get(p));
            }
        }
        Collections.shuffle(others, random(question, seed));
        return new ArrayList<>(others.subList(0, count));
    }

    private static Random random(Question question, long seed) {
        return new Random(seed * 31 + question.id().hashCode());
    }
}
