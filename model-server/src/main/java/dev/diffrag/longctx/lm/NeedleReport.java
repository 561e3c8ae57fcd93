package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleExample;
import dev.diffrag.longctx.NeedleScore;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.AttentionProbe;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.reader.ReaderTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates retrieval models on the issue-7 measures: the needle accuracy grid (each model's {@link NeedleAnswerer}
 * over the KV cache), the attention mass on the answer span vs the rest at the position that predicts the first answer token
 * (Table 3), the top-1 and median absolute attention logits and hidden states (Table 5), and kv-retrieval accuracy by
 * the gold pair's position.
 */
public final class NeedleReport {

    private static final Logger LOG = LoggerFactory.getLogger(NeedleReport.class);
    /** {@code firstTokenAccuracy}: share of questions whose first decoded token is the answer's first token. */
    public record Row(String model, int contextTokens, int needles, int asked, double accuracy, int examples,
                      int questions, int correct, double firstTokenAccuracy) {}

    /** {@code noiseShareOfMagnitude}: see {@link AttentionMass}; null in reports written before it existed. */
    public record AttentionRow(String model, int contextTokens, int depth, double answerMass, double noiseMass,
                               int examples, Double noiseShareOfMagnitude) {}

    public record OutlierRow(String model, int contextTokens, int examples, double logitTop1, double logitMedian,
                             double hiddenTop1, double hiddenMedian) {}

    public record KvRow(String model, int pairs, int goldPosition, int examples, double accuracy,
                        double firstTokenAccuracy) {}

    /** A model under evaluation: its transformer (probed for attention and outliers) and how it answers. */
    public record Subject(DiffTransformer transformer, NeedleAnswerer answerer) {}

    public record Results(List<Row> rows, List<AttentionRow> attention, List<OutlierRow> outliers,
                          List<KvRow> kvRetrieval, Map<String, Double> secondsPerModel) {}

    private final NeedleTask task;
    private final List<KvRetrieval.Example> kvHeldOut;
    private final ReaderTokenizer tokenizer;
    private final ReportSettings settings;

    public NeedleReport(NeedleTask task, List<KvRetrieval.Example> kvHeldOut, ReaderTokenizer tokenizer,
                        ReportSettings settings) {
        this.task = task;
        this.kvHeldOut = List.copyOf(kvHeldOut);
        this.tokenizer = tokenizer;
        this.settings = settings;
    }

    /** Runs every measure for every model, in the map's order. */
    public Results run(Map<String, Subject> models, NDManager manager) {
        List<Row> rows = new ArrayList<>();
        List<AttentionRow> attention = new ArrayList<>();
        List<OutlierRow> outliers = new ArrayList<>();
        List<KvRow> kv = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Map.Entry<String, Subject> entry : models.entrySet()) {
            long started = System.nanoTime();
            String name = entry.getKey();
            DiffTransformer model = entry.getValue().transformer();
            NeedleAnswerer answerer = entry.getValue().answerer();
            ParameterStore ps = new ParameterStore(manager, false);
            rows.addAll(grid(name, answerer, manager));
            for (int length : settings.attentionLengths()) {
                attention.addAll(attention(name, model, ps, manager, length));
            }
            outliers.add(outliers(name, model, settings.outlierLength(), manager));
            kv.addAll(kvRetrieval(name, answerer, manager));
            seconds.put(name, (System.nanoTime() - started) / 1e9);
            LOG.info("{} evaluated in {} s", name, Math.round(seconds.get(name)));
        }
        return new Results(rows, attention, outliers, kv, seconds);
    }

    /** Seed of example {@code index} of a setting, the same for every model. */
    long exampleSeed(int... setting) {
        return settings.seed() * 1_000_003L + Arrays.hashCode(setting);
    }

    private List<Row> grid(String name, NeedleAnswerer decoder, NDManager manager) {
        List<Row> rows = new ArrayList<>();
        for (int length : settings.lengths()) {
            for (int[] cell : settings.cells()) {
                NeedleScore score = new NeedleScore();
                int firstTokens = 0;
                for (int i = 0; i < settings.examplesPerCell(); i++) {
                    NeedleExample example = task.generate(length, cell[0], cell[1],
                            exampleSeed(1, length, cell[0], cell[1], i));
                    NeedlePrompt prompt = NeedlePrompt.of(example, tokenizer);
                    List<int[]> answers = decoder.answer(prompt, manager);
                    Map<String, String> predicted = new HashMap<>();
                    for (int q = 0; q < answers.size(); q++) {
                        predicted.put(prompt.asked().get(q).label(), text(answers.get(q)));
                        firstTokens += firstTokenRight(answers.get(q), prompt.asked().get(q)) ? 1 : 0;
                    }
                    score.add(example, predicted);
                }
                rows.add(new Row(name, length, cell[0], cell[1], score.accuracy(), settings.examplesPerCell(),
                        score.asked(), score.correct(), (double) firstTokens / score.asked()));
                LOG.info("{} {} tokens N={} R={}: {}", name, length, cell[0], cell[1], score.accuracy());
            }
        }
        return rows;
    }

    /** One needle, one question, {@code attentionPerDepth} examples at each depth. */
    private List<AttentionRow> attention(String name, DiffTransformer model, ParameterStore ps, NDManager manager,
                                         int length) {
        Map<Integer, List<AttentionMass>> byDepth = new TreeMap<>();
        for (int i = 0; byDepth.values().stream().mapToInt(List::size).sum()
                < NeedleTask.DEPTHS.size() * settings.attentionPerDepth(); i++) {
            NeedleExample example = task.generate(length, 1, 1, exampleSeed(2, length, i));
            int depth = example.needles().get(0).depthPercent();
            List<AttentionMass> masses = byDepth.computeIfAbsent(depth, d -> new ArrayList<>());
            if (masses.size() == settings.attentionPerDepth()) {
                continue;
            }
            NeedlePrompt prompt = NeedlePrompt.of(example, tokenizer);
            NeedlePrompt.Asked asked = prompt.asked().get(0);
            RowProbe probe = new RowProbe(asked.firstAnswerPosition());
            forward(model, ps, manager, Arrays.copyOf(prompt.ids(), asked.firstAnswerPosition() + 1), probe);
            masses.add(AttentionMass.of(probe.rows(), asked.spanStart(), asked.spanEnd(), prompt.contextLength()));
        }
        List<AttentionRow> rows = new ArrayList<>();
        byDepth.forEach((depth, masses) -> rows.add(new AttentionRow(name, length, depth,
                masses.stream().mapToDouble(AttentionMass::answer).average().orElseThrow(),
                masses.stream().mapToDouble(AttentionMass::noise).average().orElseThrow(), masses.size(),
                masses.stream().mapToDouble(AttentionMass::noiseShareOfMagnitude).average().orElseThrow())));
        return rows;
    }

    /**
     * Top-1 and median over all {@code outlierExamples} examples' values pooled: 6 needles, 2 asked, the prompt up to
     * the first question. The examples depend only on the evaluation seed and {@code length}.
     */
    OutlierRow outliers(String name, DiffTransformer model, int length, NDManager manager) {
        ParameterStore ps = new ParameterStore(manager, false);
        OutlierProbe probe = new OutlierProbe();
        for (int i = 0; i < settings.outlierExamples(); i++) {
            NeedlePrompt prompt = NeedlePrompt.of(task.generate(length, 6, 2, exampleSeed(3, length, i)), tokenizer);
            forward(model, ps, manager, Arrays.copyOf(prompt.ids(), prompt.asked().get(0).firstAnswerPosition() + 1),
                    probe);
        }
        OutlierProbe.Stats logits = probe.logitStats();
        OutlierProbe.Stats hidden = probe.hiddenStats();
        return new OutlierRow(name, length, settings.outlierExamples(), logits.top1(), logits.median(), hidden.top1(),
                hidden.median());
    }

    /** Exact match of the decoded value's tokens, by the gold pair's position in the shortened record. */
    private List<KvRow> kvRetrieval(String name, NeedleAnswerer decoder, NDManager manager) {
        List<KvRow> rows = new ArrayList<>();
        for (int pairs : settings.kvPairs()) {
            int[] seen = new int[pairs];
            int[] correct = new int[pairs];
            int[] firstTokens = new int[pairs];
            for (KvRetrieval.Example record : kvHeldOut.subList(0, Math.min(settings.kvExamples(), kvHeldOut.size()))) {
                KvRetrieval.Example window = KvWindow.shorten(record, pairs);
                NeedlePrompt prompt = NeedlePrompt.of(window, tokenizer);
                int[] answer = decoder.answer(prompt, manager).get(0);
                int[] expected = prompt.asked().get(0).answer();
                seen[window.goldPosition()]++;
                firstTokens[window.goldPosition()] += firstTokenRight(answer, prompt.asked().get(0)) ? 1 : 0;
                if (Arrays.equals(answer, Arrays.copyOf(expected, expected.length - 1))) {
                    correct[window.goldPosition()]++;
                }
            }
            for (int p = 0; p < pairs; p++) {
                if (seen[p] > 0) {
                    rows.add(new KvRow(name, pairs, p, seen[p], (double) correct[p] / seen[p],
                            (double) firstTokens[p] / seen[p]));
                }
            }
        }
        return rows;
    }

    /**
     * The answer's text, or null (scored wrong) when it holds a special token: decoding drops those, so "[PAD]
     * 1234567" would read as the exact number.
     */
    private String text(int[] answer) {
        boolean special = Arrays.stream(answer).anyMatch(id -> id == ReaderTokenizer.PAD || id >= 100 && id <= 103);
        return special ? null : tokenizer.decode(answer); // ids 100..103: [UNK], [CLS], [SEP], [MASK]
    }

    private static boolean firstTokenRight(int[] decoded, NeedlePrompt.Asked asked) {
        return decoded.length > 0 && decoded[0] == asked.answer()[0];
    }

    private static void forward(DiffTransformer model, ParameterStore ps, NDManager manager, int[] ids,
                                AttentionProbe probe) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray tokens = scratch.create(ids, new Shape(1, ids.length)); // (1, T)
            model.encode(ps, tokens, null, false, probe);
        }
    }
}
