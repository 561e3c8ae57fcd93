package dev.diffrag.summarize.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.summarize.eval.Rouge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalCommandTest {

    @Test
    void pairedDifferencesAreTheDifferencesOfTheMeansWithAnIntervalAroundThem() {
        List<String> references = List.of("the cat sat on the mat", "dogs bark at night", "rain fell all day long");
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        candidates.put("a", List.of("the cat sat", "dogs bark at night", "it rained"));
        candidates.put("b", List.of("a mat", "dogs bark", "rain fell all day"));
        List<Map<String, Object>> differences = EvalCommand.differences(candidates, references,
                List.of(List.of("a", "b")));
        assertThat(differences).extracting(d -> d.get("measure")).containsExactly("rouge1", "rouge2", "rougeL");
        Rouge.Scores a = Rouge.mean(candidates.get("a"), references);
        Rouge.Scores b = Rouge.mean(candidates.get("b"), references);
        assertThat((double) differences.get(0).get("difference"))
                .isCloseTo(100 * (a.rouge1() - b.rouge1()), within(0.005));
        assertThat((double) differences.get(2).get("difference"))
                .isCloseTo(100 * (a.rougeL() - b.rougeL()), within(0.005));
        for (Map<String, Object> d : differences) {
            assertThat((double) d.get("low")).isLessThanOrEqualTo((double) d.get("difference"));
            assertThat((double) d.get("high")).isGreaterThanOrEqualTo((double) d.get("difference"));
        }
    }

    @Test
    void theReportsCommandIsTheOneThatRan() {
        EvalCommand command = new EvalCommand();
        new CommandLine(command).parseArgs("/data/cnndm-250.jsonl", "--split-seed", "7", "--output", "/tmp/out");

        String markdown = command.markdown(75, "");

        assertThat(markdown).contains("split seed 7")
                .contains("eval /data/cnndm-250.jsonl --split-seed 7 --part test --output /tmp/out");
    }

    @Test
    void theDefaultSplitSeedIsLeftOutOfTheCommand() {
        EvalCommand command = new EvalCommand();
        new CommandLine(command).parseArgs("../shared/data/summarization/cnndm-250.jsonl", "--output", "docs/results");

        assertThat(command.markdown(75, "")).contains(
                "eval ../shared/data/summarization/cnndm-250.jsonl --part test --output docs/results\n```");
    }
}
