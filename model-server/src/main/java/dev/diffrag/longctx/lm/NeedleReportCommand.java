package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.io.ModelCheckpoint;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code needle report DATA}: loads the committed checkpoints and writes {@code OUT/needle.json} and
 * {@code OUT/needle.md}. kv-retrieval records from index {@value NeedleTrainCommand#KV_TRAIN_RECORDS} on (never
 * trained on) are evaluated.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Evaluate the needle checkpoints and write needle.json and needle.md.")
final class NeedleReportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Option(names = "--out", defaultValue = "docs/results") Path out;
    @Option(names = "--checkpoints", description = "folder holding one checkpoint folder per model (default: "
            + "the committed ones, model-server/src/main/resources/needle for lm, .../needle-pointer for pointer)")
    Path checkpoints;
    @Option(names = "--models", split = ",", defaultValue = "diff-v1,diff-v2,vanilla") List<String> models;
    @Option(names = "--head", defaultValue = "lm",
            description = "how the checkpoints answer: lm (greedy decoding) or pointer (a copied context span)")
    String head;
    @Option(names = "--lengths", split = ",", defaultValue = "256,1024,2048,4096",
            description = "grid lengths; 256 is inside the training lengths, the rest beyond") List<Integer> lengths;
    @Option(names = "--examples", defaultValue = "12", description = "examples per grid cell") int examples;
    @Option(names = "--attention-lengths", split = ",", defaultValue = "256,4096") List<Integer> attentionLengths;
    @Option(names = "--attention-per-depth", defaultValue = "3") int attentionPerDepth;
    @Option(names = "--outlier-length", defaultValue = "1024") int outlierLength;
    @Option(names = "--outlier-examples", defaultValue = "6") int outlierExamples;
    @Option(names = "--kv-pairs", split = ",", defaultValue = "6,20") List<Integer> kvPairs;
    @Option(names = "--kv-examples", defaultValue = "60") int kvExamples;
    @Option(names = "--max-answer-tokens", defaultValue = "40",
            description = "answer limit in tokens (a 7-digit number is ≤ 7 tokens, a UUID about 25)")
    int maxAnswerTokens;
    @Option(names = "--seed", defaultValue = "2026") long seed;
    @Option(names = "--max-length", description = "positions the loaded models accept (default: their saved "
            + "maxLength); raise it to put grid lengths past the training length (length extrapolation)")
    Integer maxLength;

    @Override
    public Integer call() throws Exception {
        RetrievalHead answerHead = RetrievalHead.parse(head);
        if (checkpoints == null) {
            checkpoints = Path.of("model-server/src/main/resources",
                    answerHead == RetrievalHead.POINTER ? "needle-pointer" : "needle");
        }
        // Every grid cell reports an accuracy and the outlier row a top-1 and median: with no examples they have
        // nothing to divide by, and the report would fail there, after the measures before it.
        requirePositive("--examples", examples);
        requirePositive("--outlier-examples", outlierExamples);
        ReportSettings settings = new ReportSettings(lengths, ReportSettings.paperCells(), examples, attentionLengths,
                attentionPerDepth, outlierLength, outlierExamples, kvPairs, kvExamples, maxAnswerTokens,
                seed);
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(data.resolve("longctx/paul-graham-essays"), tokenizer);
            List<KvRetrieval.Example> heldOut = NeedleTrainCommand.kvHeldOutRecords(data);
            KvWindow.requireFits(heldOut, kvPairs);
            ParameterStore ps = new ParameterStore(manager, false);
            Map<String, NeedleReport.Subject> loaded = new LinkedHashMap<>();
            int longest = Stream.of(lengths, attentionLengths, List.of(outlierLength)).flatMap(List::stream)
                    .mapToInt(Integer::intValue).max().orElseThrow();
            for (String name : models) {
                Variants.kind(name);
                NeedleReport.Subject subject = load(answerHead, checkpoints.resolve(name), maxLength, maxAnswerTokens,
                        ps, manager);
                requireContextsFit(name, subject.transformer().config().maxLength(), longest);
                loaded.put(name, subject);
            }
            NeedleReport.Results results = new NeedleReport(task, heldOut, tokenizer, settings).run(loaded, manager);
            NeedleReportWriter.write(results, answerHead, checkpoints, command(), out);
        }
        return 0;
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + value);
        }
    }

    /**
     * Refuses a model whose positions cannot hold the longest context measured and its [SEP], the least every prompt
     * needs: otherwise the command fails when it reaches that context, minutes into the evaluation.
     */
    static void requireContextsFit(String name, int positions, int longest) {
        if (longest + 1 > positions) {
            throw new IllegalArgumentException(name + " accepts " + positions + " positions, fewer than a " + longest
                    + "-token context and its [SEP]; --max-length raises the limit");
        }
    }

    /** Loads one checkpoint folder, accepting {@code maxLength} positions when that is not null. */
    static NeedleReport.Subject load(RetrievalHead answerHead, Path directory, Integer maxLength, int maxAnswerTokens,
                                     ParameterStore ps, NDManager manager) throws IOException {
        ModelConfig config = ModelFiles.readConfig(directory, ModelConfig.class);
        if (maxLength != null) {
            config = config.withMaxLength(maxLength);
        }
        if (answerHead == RetrievalHead.POINTER) {
            AnswerPointer pointer = AnswerPointer.load(directory, config, manager);
            return new NeedleReport.Subject(pointer.model(), new PointerDecoder(pointer, ps, maxAnswerTokens));
        }
        DiffTransformer model = ModelCheckpoint.load(directory, config, manager, DataType.FLOAT32);
        return new NeedleReport.Subject(model, new GreedyDecoder(model, ps, maxAnswerTokens));
    }

    private String command() {
        List<String> parts = new ArrayList<>(List.of("needle report", data.toString(), "--out", out.toString(),
                "--checkpoints", checkpoints.toString(), "--models", String.join(",", models), "--head", head,
                "--lengths", join(lengths), "--examples", Integer.toString(examples),
                "--attention-lengths", join(attentionLengths),
                "--attention-per-depth", Integer.toString(attentionPerDepth),
                "--outlier-length", Integer.toString(outlierLength),
                "--outlier-examples", Integer.toString(outlierExamples), "--kv-pairs", join(kvPairs),
                "--kv-examples", Integer.toString(kvExamples),
                "--max-answer-tokens", Integer.toString(maxAnswerTokens), "--seed", Long.toString(seed)));
        if (maxLength != null) {
            parts.addAll(List.of("--max-length", maxLength.toString()));
        }
        return String.join(" ", parts);
    }

    static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
