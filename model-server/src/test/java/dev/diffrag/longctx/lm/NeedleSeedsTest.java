package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.model.io.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NeedleSeedsTest {

    private static final String COMMAND = "needle report data --out %s --checkpoints %s --models %s --head pointer "
            + "--lengths 256,4096 --examples 12 --seed 2026";

    @TempDir
    Path dir;

    @Test
    void poolsCorrectAnswersOverSeedsAndPairsEachDiffModelWithVanilla() {
        NeedleSeeds.Summary summary = NeedleSeeds.pool(List.of(
                report("42", "diff-v1,diff-v2,vanilla", row("diff-v1", 20), row("diff-v2", 24), row("vanilla", 19)),
                report("43", "diff-v1,vanilla", row("diff-v1", 12), row("vanilla", 18))), "needle seeds");

        NeedleSeeds.CellRow v1 = cell(summary, "diff-v1");
        assertThat(v1.correct()).isEqualTo(32);
        assertThat(v1.questions()).isEqualTo(48);
        assertThat(v1.pooledAccuracy()).isCloseTo(32.0 / 48, within(1e-12));
        assertThat(v1.accuracyBySeed()).containsOnlyKeys("42", "43");
        assertThat(cell(summary, "diff-v2").accuracyBySeed()).containsOnlyKeys("42");

        NeedleSeeds.Gap v1Gap = gap(summary, "diff-v1");
        assertThat(v1Gap.bySeed().get("42")).isCloseTo((20 - 19) / 24.0, within(1e-12));
        assertThat(v1Gap.bySeed().get("43")).isCloseTo((12 - 18) / 24.0, within(1e-12));
        assertThat(v1Gap.pooled()).isCloseTo((32 - 37) / 48.0, within(1e-12));
        // V2 was trained with seed 42 only: its gap uses that seed's vanilla, not vanilla pooled over both seeds
        assertThat(gap(summary, "diff-v2").pooled()).isCloseTo((24 - 19) / 24.0, within(1e-12));
        assertThat(summary.gaps()).noneMatch(g -> g.model().equals("vanilla"));

        NeedleSeeds.NoiseRow noise = summary.noise().stream().filter(n -> n.model().equals("diff-v1")).findFirst()
                .orElseThrow();
        assertThat(noise.noiseBySeed().get("42")).isCloseTo(0.3, within(1e-12)); // mean of depths 0.2 and 0.4
        assertThat(noise.noiseBySeed().get("43")).isCloseTo(-0.1, within(1e-12)); // a Diff map's mass may be < 0
        assertThat(noise.meanMagnitude()).isCloseTo(0.2, within(1e-12));

        // kv: seed 42 right on 3 of 4 and 5 of 8 gold positions' examples, seed 43 on 1 of 4 and 2 of 8
        NeedleSeeds.KvRow kv = summary.kv().stream().filter(k -> k.model().equals("diff-v1")).findFirst()
                .orElseThrow();
        assertThat(kv.pairs()).isEqualTo(6);
        assertThat(kv.accuracyBySeed().get("42")).isCloseTo(8 / 12.0, within(1e-12));
        assertThat(kv.accuracyBySeed().get("43")).isCloseTo(3 / 12.0, within(1e-12));
        assertThat(kv.correct()).isEqualTo(11);
        assertThat(kv.examples()).isEqualTo(24);
    }

    @Test
    void refusesReportsThatAskedDifferentQuestions() {
        NeedleSeeds.Report first = report("42", "diff-v1,vanilla", row("diff-v1", 20), row("vanilla", 19));
        NeedleReportWriter.Document other = first.document();
        NeedleSeeds.Report differentSeed = new NeedleSeeds.Report("43", new NeedleReportWriter.Document(
                other.command().replace("--seed 2026", "--seed 7"), other.head(), other.rows(), other.attention(),
                other.outliers(), other.kvRetrieval(), other.secondsPerModel()));
        assertThatThrownBy(() -> NeedleSeeds.pool(List.of(first, differentSeed), "needle seeds"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other settings");
        assertThatThrownBy(() -> NeedleSeeds.pool(List.of(first), "needle seeds"))
                .hasMessageContaining("at least two");
    }

    @Test
    void aSeedOrAFolderGivenTwiceIsRefused() {
        // Kept in a map by seed, the second folder of seed 42 silently replaced the first: one report was dropped.
        assertThatThrownBy(() -> NeedleSeedsCommand.seedFolders(List.of("42=a", "43=b", "42=c")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("seed 42 is given twice (a and c)");
        // One report pooled as two seeds would count its questions twice.
        assertThatThrownBy(() -> NeedleSeedsCommand.seedFolders(List.of("42=a", "43=a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a is given for seeds 42 and 43");
    }

    @Test
    void commandWritesJsonAndMarkdownFromReportFolders() throws Exception {
        for (NeedleSeeds.Report report : List.of(
                report("42", "diff-v1,vanilla", row("diff-v1", 20), row("vanilla", 19)),
                report("43", "diff-v1,vanilla", row("diff-v1", 22), row("vanilla", 14)))) {
            Files.createDirectories(dir.resolve(report.seed()));
            ModelFiles.writeJson(dir.resolve(report.seed()).resolve("needle.json"), report.document());
        }
        Path out = dir.resolve("pooled");
        int exit = new CommandLine(new NeedleSeedsCommand()).execute("42=" + dir.resolve("42"),
                "43=" + dir.resolve("43"), "--out", out.toString());

        assertThat(exit).isZero();
        assertThat(ModelFiles.JSON.readTree(out.resolve("seeds.json").toFile()).get("gaps").get(0).get("pooled")
                .asDouble()).isCloseTo((42 - 33) / 48.0, within(1e-12));
        assertThat(Files.readString(out.resolve("seeds.md")))
                .contains("| diff-v1 | 6/2 | 0.83 | 0.92 | 0.88 (42/48) |")
                .contains("| diff-v1 | 4096 | 6/2 | +0.04 | +0.33 | +0.19 |")
                .contains("| vanilla | 6 | 0.67 | 0.25 | 0.46 (11/24) |");
    }

    private static NeedleSeeds.CellRow cell(NeedleSeeds.Summary summary, String model) {
        return summary.rows().stream().filter(r -> r.model().equals(model)).findFirst().orElseThrow();
    }

    private static NeedleSeeds.Gap gap(NeedleSeeds.Summary summary, String model) {
        return summary.gaps().stream().filter(g -> g.model().equals(model)).findFirst().orElseThrow();
    }

    /** The hardest cell at 4,096 tokens: 12 examples with 2 asked questions each. */
    private static NeedleReport.Row row(String model, int correct) {
        return new NeedleReport.Row(model, 4096, 6, 2, correct / 24.0, 12, 24, correct, correct / 24.0);
    }

    /**
     * Noise masses 0.2 and 0.4 at the two depths for seed 42, and -0.3 and 0.1 for the other seeds; kv-retrieval in
     * 6-pair windows right on 3 of 4 and 5 of 8 examples for seed 42, 1 of 4 and 2 of 8 for the others.
     */
    private static NeedleSeeds.Report report(String seed, String models, NeedleReport.Row... rows) {
        double[] noise = seed.equals("42") ? new double[] {0.2, 0.4} : new double[] {-0.3, 0.1};
        List<NeedleReport.AttentionRow> attention = List.of(rows).stream().flatMap(r -> List.of(
                new NeedleReport.AttentionRow(r.model(), 4096, 0, 0.01, noise[0], 3, null),
                new NeedleReport.AttentionRow(r.model(), 4096, 50, 0.01, noise[1], 3, null)).stream()).toList();
        List<NeedleReport.OutlierRow> outliers = List.of(rows).stream()
                .map(r -> new NeedleReport.OutlierRow(r.model(), 1024, 6, 40.0, 2.0, 30.0, 1.5)).toList();
        int[] kvCorrect = seed.equals("42") ? new int[] {3, 5} : new int[] {1, 2};
        List<NeedleReport.KvRow> kv = List.of(rows).stream().flatMap(r -> List.of(
                new NeedleReport.KvRow(r.model(), 6, 0, 4, kvCorrect[0] / 4.0, kvCorrect[0] / 4.0),
                new NeedleReport.KvRow(r.model(), 6, 3, 8, kvCorrect[1] / 8.0, kvCorrect[1] / 8.0)).stream()).toList();
        return new NeedleSeeds.Report(seed, new NeedleReportWriter.Document(
                String.format(COMMAND, "docs/results/seed-" + seed, "target/seed-" + seed, models), "pointer",
                List.of(rows), attention, outliers, kv, Map.of()));
    }
}
