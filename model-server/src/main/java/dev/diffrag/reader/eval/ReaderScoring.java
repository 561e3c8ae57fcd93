package dev.diffrag.reader.eval;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.reader.DiffReaderAnswerer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;

/**
 * Scores any {@link Answerer} on questions with their contexts: SQuAD EM / F1 when the contexts hold the answer,
 * the abstention rate when they do not. Each call gives one row of the reader report; settings such as
 * {@code gold}, {@code distractors} or a retrieval setting differ only in the contexts their requests carry.
 */
public final class ReaderScoring {

    /** Requests per answerer call. */
    private static final int CHUNK = 32;

    /** A question with the contexts the answerer gets and every accepted answer string. */
    public record Item(AnswerRequest request, List<String> answers) {}

    /**
     * One row of the report. EM and F1 in percent over all questions (an abstention scores 0), null in an
     * unanswerable setting; rates as fractions; {@code f1BestSpan}: F1 of the reader's best span had it never
     * abstained (null for answerers other than {@link DiffReaderAnswerer} and in unanswerable settings).
     */
    public record Row(String model, String setting, int questions, Double em, Double f1, double answerRate,
            double abstainRate, Double f1BestSpan) {}

    /**
     * A row with each question's own score, in question order, for paired comparisons: F1 in percent (0 when
     * abstained) where the contexts hold the answer, 1 when abstained and 0 when answered where they do not.
     */
    public record Scored(Row row, double[] perQuestion) {}

    private ReaderScoring() {}

    /** EM, F1, answer rate and best-span F1 of {@code answerer} on questions whose contexts hold the answer. */
    public static Scored answerable(String model, String setting, Answerer answerer, List<Item> items) {
        List<DiffReaderAnswerer.Reading> readings = read(model + " " + setting, answerer,
                items.stream().map(Item::request).toList());
        return spanRow(model, setting, items.stream().map(Item::answers).toList(), readings);
    }

    /** How often {@code answerer} abstains on questions whose contexts do not hold the answer. */
    public static Scored unanswerable(String model, String setting, Answerer answerer,
            List<AnswerRequest> requests) {
        List<DiffReaderAnswerer.Reading> readings = read(model + " " + setting, answerer, requests);
        double[] abstained = readings.stream().mapToDouble(r -> r.answer().abstained() ? 1 : 0).toArray();
        double rate = Arrays.stream(abstained).sum() / Math.max(1, readings.size());
        return new Scored(new Row(model, setting, readings.size(), null, null, 1 - rate, rate, null), abstained);
    }

    /** The answerer's readings in request order, with a progress bar; the best span only from the reader. */
    static List<DiffReaderAnswerer.Reading> read(String task, Answerer answerer, List<AnswerRequest> requests) {
        List<DiffReaderAnswerer.Reading> readings = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar(task, requests.size())) {
            for (int from = 0; from < requests.size(); from += CHUNK) {
                List<AnswerRequest> slice = requests.subList(from, Math.min(requests.size(), from + CHUNK));
                if (answerer instanceof DiffReaderAnswerer reader) {
                    readings.addAll(reader.read(slice));
                } else {
                    answerer.answer(slice).forEach(a -> readings.add(new DiffReaderAnswerer.Reading(a, null)));
                }
                bar.stepBy(slice.size());
            }
        }
        return readings;
    }

    /** EM and F1 in percent over all questions; an abstention scores 0. */
    static Scored spanRow(String model, String setting, List<List<String>> answers,
            List<DiffReaderAnswerer.Reading> readings) {
        double em = 0;
        double f1 = 0;
        double[] perQuestion = new double[readings.size()];
        double f1Best = 0;
        int answered = 0;
        boolean reader = readings.stream().allMatch(r -> r.bestSpan() != null);
        for (int i = 0; i < readings.size(); i++) {
            GroundedAnswer answer = readings.get(i).answer();
            List<String> golds = answers.get(i);
            if (!answer.abstained()) {
                answered++;
                em += SquadMetrics.exactMatch(answer.answer(), golds);
                double questionF1 = SquadMetrics.f1(answer.answer(), golds);
                f1 += questionF1;
                perQuestion[i] = 100 * questionF1;
            }
            GroundedAnswer best = readings.get(i).bestSpan();
            if (reader && !best.abstained()) {
                f1Best += SquadMetrics.f1(best.answer(), golds);
            }
        }
        int n = Math.max(1, readings.size());
        return new Scored(new Row(model, setting, readings.size(), 100 * em / n, 100 * f1 / n, answered / (double) n,
                1 - answered / (double) n, reader ? 100 * f1Best / n : null), perQuestion);
    }
}
