package dev.diffrag.longctx.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleExample;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code needle export DATA}: the training data of {@code needle train} as WordPiece building blocks, for the GPU
 * trainer in {@code model-server/python} (a device lent for a few minutes has PyTorch but no JVM). The blocks are
 * tokenized here, by the tokenizer every model in the project uses, so the trainer only assembles ids:
 * <ul>
 *   <li>{@code essays}: the haystack, essay by essay, sentence by sentence ({@link NeedleTask#tokenizedEssays});</li>
 *   <li>{@code cities}: per city, the needle sentence up to its number ("The magic number for X is") and the
 *       question "What is the magic number for X?";</li>
 *   <li>{@code numbers}: seeded distinct 7-digit numbers with their ids, and {@code needleSuffix} (the period);
 *       prefix + number + suffix is checked to equal the whole needle sentence's ids;</li>
 *   <li>{@code kv}: finished kv-retrieval prompts of the training records
 *       0..{@value NeedleTrainCommand#KV_TRAIN_RECORDS}−1, each record cut into consecutive windows of each of
 *       {@code --kv-pairs}, each window asking a seeded random one of its keys ({@link KvWindow}): ids and answer
 *       targets for the LM head, and for the pointer head the question's last position and the gold value's tokens
 *       {@code [answerStart, answerEnd)} in the context ({@link NeedlePrompt}).</li>
 * </ul>
 * Written as gzipped JSON.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the needle and kv-retrieval training data as WordPiece blocks for the GPU trainer.")
final class NeedleExportCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(NeedleExportCommand.class);

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Option(names = "--out", defaultValue = "model-server/target/needle-blocks.json.gz") Path out;
    @Option(names = "--numbers", defaultValue = "200000", description = "distinct needle numbers") int numbers;
    @Option(names = "--kv-pairs", split = ",", defaultValue = "2,3,4,5,6,8,12,16,24",
            description = "window sizes of the kv-retrieval prompts") List<Integer> kvPairs;
    @Option(names = "--seed", defaultValue = "42") long seed;

    record City(String name, int[] needlePrefix, int[] question) {}

    record Number(int value, int[] ids) {}

    record KvPrompt(int pairs, int[] ids, int[][] targets, int contextLength, int query, int answerStart,
                    int answerEnd) {}

    record Blocks(String command, int sep, List<List<int[]>> essays, List<City> cities, int[] needleSuffix,
                  List<Number> numbers, List<KvPrompt> kv) {}

    @Override
    public Integer call() throws Exception {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            NeedleTask task = NeedleTask.fromDirectory(data.resolve("longctx/paul-graham-essays"), tokenizer);
            List<City> cities = NeedleTask.CITIES.stream().map(name -> new City(name,
                    tokenizer.tokenize("The magic number for " + name + " is").ids(),
                    tokenizer.tokenize(new NeedleExample.Question(name, 0).text()).ids())).toList();
            int[] suffix = tokenizer.tokenize(".").ids();
            List<Number> numberBlocks = numbers(tokenizer, cities, suffix);
            List<KvPrompt> kv = kvPrompts(tokenizer);
            Blocks blocks = new Blocks(command(), ReaderTokenizer.SEP, task.tokenizedEssays(), cities, suffix,
                    numberBlocks, kv);
            write(out, blocks);
            LOG.info("{} essays, {} cities, {} numbers, {} kv prompts written to {}", blocks.essays().size(),
                    cities.size(), numberBlocks.size(), kv.size(), out);
        }
        return 0;
    }

    /** {@code blocks} as gzipped JSON, whole or not at all: a failure midway keeps any earlier export. */
    static void write(Path out, Object blocks) throws IOException {
        AtomicFiles.write(out, file -> {
            try (OutputStream stream = new GZIPOutputStream(file)) {
                new ObjectMapper().writeValue(stream, blocks);
            }
        });
    }

    /** NeedleTask's number range; each checked once (with a rotating city) to split as prefix + number + suffix. */
    private List<Number> numbers(ReaderTokenizer tokenizer, List<City> cities, int[] suffix) {
        Random random = new Random(seed);
        Set<Integer> drawn = new LinkedHashSet<>();
        while (drawn.size() < numbers) {
            drawn.add(1_000_000 + random.nextInt(9_000_000));
        }
        List<Number> result = new ArrayList<>();
        for (int value : drawn) {
            int[] ids = tokenizer.tokenize(Integer.toString(value)).ids();
            City city = cities.get(result.size() % cities.size());
            int[] whole = tokenizer.tokenize(NeedleExample.Needle.sentence(city.name(), value)).ids();
            int[] assembled = IntStream.concat(IntStream.concat(Arrays.stream(city.needlePrefix()), Arrays.stream(ids)),
                    Arrays.stream(suffix)).toArray();
            if (!Arrays.equals(whole, assembled)) {
                throw new IllegalStateException("the needle sentence for " + city.name() + " and " + value
                        + " does not split into prefix, number and suffix ids");
            }
            result.add(new Number(value, ids));
        }
        return result;
    }

    private List<KvPrompt> kvPrompts(ReaderTokenizer tokenizer) throws Exception {
        List<KvRetrieval.Example> records = NeedleTrainCommand.kvTrainingRecords(data);
        KvWindow.requireFits(records, kvPairs);
        Random random = new Random(seed);
        List<KvPrompt> prompts = new ArrayList<>();
        for (int pairs : kvPairs) {
            for (KvRetrieval.Example record : records) {
                for (int from = 0; from + pairs <= record.records().size(); from += pairs) {
                    KvRetrieval.Example window = KvWindow.of(record, from, pairs, random.nextInt(pairs));
                    NeedlePrompt prompt = NeedlePrompt.of(window, tokenizer);
                    NeedlePrompt.Asked asked = prompt.asked().get(0);
                    prompts.add(new KvPrompt(pairs, prompt.ids(), prompt.answerTargets(), prompt.contextLength(),
                            asked.firstAnswerPosition(), asked.answerStart(), asked.answerEnd()));
                }
            }
        }
        return prompts;
    }

    private String command() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("--numbers", numbers);
        args.put("--kv-pairs", String.join(",", kvPairs.stream().map(String::valueOf).toList()));
        args.put("--seed", seed);
        List<String> parts = new ArrayList<>(List.of("needle export", data.toString()));
        args.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(" ", parts);
    }
}
