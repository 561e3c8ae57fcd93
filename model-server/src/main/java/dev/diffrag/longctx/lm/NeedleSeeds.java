package dev.diffrag.longctx.lm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pools needle reports of models trained with different seeds. One training run cannot tell a 0.04 gap between two
 * models from seed noise; reports written with the same settings ask the same questions (the report's own seed draws
 * them), so the seeds compare paired, cell by cell. Pooled accuracy is correct / asked over all seeds.
 */
final class NeedleSeeds {

    /** The models every Diff model is compared with. */
    static final String BASELINE = "vanilla";

    /** Options that may differ between the pooled reports: where they read models from and wrote to. */
    private static final Pattern PER_RUN_OPTIONS = Pattern.compile(" --(out|checkpoints|models) \\S+");

    /** A report and the seed its models were trained with. */
    record Report(String seed, NeedleReportWriter.Document document) {}

    record CellRow(String model, int contextTokens, int needles, int asked, Map<String, Double> accuracyBySeed,
                   int questions, int correct, double pooledAccuracy) {}

    /** Diff model minus {@link #BASELINE} in one cell, for each seed that trained both, and pooled over those seeds. */
    record Gap(String model, int contextTokens, int needles, int asked, Map<String, Double> bySeed, double pooled) {}

    /**
     * Attention noise at the predicting position, per seed the mean over the report's needle depths. A Diff model's
     * map is a difference of softmaxes whose rows sum to 1 − λ, so its masses can be negative: their size is the
     * noise, and {@code meanMagnitude} averages |mass| over the seeds.
     */
    record NoiseRow(String model, int contextTokens, Map<String, Double> noiseBySeed, double meanMagnitude) {}

    record OutlierRow(String model, int contextTokens, Map<String, Double> logitTop1BySeed,
                      Map<String, Double> hiddenTop1BySeed) {}

    /** kv-retrieval over all gold positions of a window size: accuracy per seed, and correct / asked pooled. */
    record KvRow(String model, int pairs, Map<String, Double> accuracyBySeed, int examples, int correct,
                 double pooledAccuracy) {}

    record Summary(String command, String settings, List<String> seeds, List<CellRow> rows, List<Gap> gaps,
                   List<NoiseRow> noise, List<OutlierRow> outliers, List<KvRow> kv) {}

    private NeedleSeeds() {}

    static Summary pool(List<Report> reports, String command) {
        if (reports.size() < 2) {
            throw new IllegalArgumentException("pooling needs at least two reports, got " + reports.size());
        }
        String settings = settings(reports.get(0));
        for (Report report : reports) {
            if (!settings(report).equals(settings)) {
                throw new IllegalArgumentException("seed " + report.seed() + " was evaluated with other settings: '"
                        + settings(report) + "' vs '" + settings + "'");
            }
        }
        List<CellRow> rows = cells(reports);
        return new Summary(command, settings, reports.stream().map(Report::seed).toList(), rows, gaps(rows, reports),
                noise(reports), outliers(reports), kv(reports));
    }

    /** The report command without the per-run options: equal settings mean equal questions. */
    static String settings(Report report) {
        return PER_RUN_OPTIONS.matcher(report.document().command()).replaceAll("") + " (head "
                + report.document().head() + ")";
    }

    private static List<CellRow> cells(List<Report> reports) {
        Map<String, List<NeedleReport.Row>> byCell = new LinkedHashMap<>();
        Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
        for (Report report : reports) {
            for (NeedleReport.Row row : report.document().rows()) {
                String key = row.model() + "|" + row.contextTokens() + "|" + row.needles() + "|" + row.asked();
                byCell.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
                accuracy.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(report.seed(), row.accuracy());
            }
        }
        List<CellRow> rows = new ArrayList<>();
        byCell.forEach((key, cell) -> {
            NeedleReport.Row first = cell.get(0);
            int questions = cell.stream().mapToInt(NeedleReport.Row::questions).sum();
            int correct = cell.stream().mapToInt(NeedleReport.Row::correct).sum();
            rows.add(new CellRow(first.model(), first.contextTokens(), first.needles(), first.asked(),
                    accuracy.get(key), questions, correct, (double) correct / questions));
        });
        return rows;
    }

    private static List<Gap> gaps(List<CellRow> rows, List<Report> reports) {
        List<Gap> gaps = new ArrayList<>();
        for (CellRow row : rows) {
            if (row.model().equals(BASELINE)) {
                continue;
            }
            CellRow baseline = rows.stream().filter(b -> b.model().equals(BASELINE)
                    && b.contextTokens() == row.contextTokens() && b.needles() == row.needles()
                    && b.asked() == row.asked()).findFirst().orElse(null);
            if (baseline == null) {
                continue;
            }
            Map<String, Double> bySeed = new LinkedHashMap<>();
            int correct = 0;
            int baselineCorrect = 0;
            int questions = 0;
            for (Report report : reports) {
                NeedleReport.Row own = row(report, row);
                NeedleReport.Row base = row(report, baseline);
                if (own != null && base != null) {
                    bySeed.put(report.seed(), own.accuracy() - base.accuracy());
                    correct += own.correct();
                    baselineCorrect += base.correct();
                    questions += own.questions();
                }
            }
            if (!bySeed.isEmpty()) {
                gaps.add(new Gap(row.model(), row.contextTokens(), row.needles(), row.asked(), bySeed,
                        (double) (correct - baselineCorrect) / questions));
            }
        }
        return gaps;
    }

    private static NeedleReport.Row row(Report report, CellRow cell) {
        return report.document().rows().stream().filter(r -> r.model().equals(cell.model())
                && r.contextTokens() == cell.contextTokens() && r.needles() == cell.needles()
                && r.asked() == cell.asked()).findFirst().orElse(null);
    }

    private static List<NoiseRow> noise(List<Report> reports) {
        Map<String, Map<String, Double>> bySeed = new LinkedHashMap<>();
        for (Report report : reports) {
            Map<String, double[]> sums = new LinkedHashMap<>(); // model|tokens -> {sum, count}
            for (NeedleReport.AttentionRow row : report.document().attention()) {
                double[] sum = sums.computeIfAbsent(row.model() + "|" + row.contextTokens(), k -> new double[2]);
                sum[0] += row.noiseMass();
                sum[1]++;
            }
            sums.forEach((key, sum) -> bySeed.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .put(report.seed(), sum[0] / sum[1]));
        }
        List<NoiseRow> rows = new ArrayList<>();
        bySeed.forEach((key, values) -> {
            String[] parts = key.split("\\|");
            rows.add(new NoiseRow(parts[0], Integer.parseInt(parts[1]), values,
                    values.values().stream().mapToDouble(Math::abs).average().orElseThrow()));
        });
        return rows;
    }

    private static List<KvRow> kv(List<Report> reports) {
        Map<String, Map<String, int[]>> bySeed = new LinkedHashMap<>(); // model|pairs -> seed -> {correct, examples}
        for (Report report : reports) {
            for (NeedleReport.KvRow row : report.document().kvRetrieval()) {
                int[] counts = bySeed.computeIfAbsent(row.model() + "|" + row.pairs(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(report.seed(), k -> new int[2]);
                counts[0] += (int) Math.round(row.accuracy() * row.examples());
                counts[1] += row.examples();
            }
        }
        List<KvRow> rows = new ArrayList<>();
        bySeed.forEach((key, seeds) -> {
            String[] parts = key.split("\\|");
            Map<String, Double> accuracy = new LinkedHashMap<>();
            seeds.forEach((seed, counts) -> accuracy.put(seed, (double) counts[0] / counts[1]));
            int correct = seeds.values().stream().mapToInt(c -> c[0]).sum();
            int examples = seeds.values().stream().mapToInt(c -> c[1]).sum();
            rows.add(new KvRow(parts[0], Integer.parseInt(parts[1]), accuracy, examples, correct,
                    (double) correct / examples));
        });
        return rows;
    }

    private static List<OutlierRow> outliers(List<Report> reports) {
        Map<String, OutlierRow> rows = new LinkedHashMap<>();
        for (Report report : reports) {
            for (NeedleReport.OutlierRow row : report.document().outliers()) {
                OutlierRow pooled = rows.computeIfAbsent(row.model() + "|" + row.contextTokens(),
                        k -> new OutlierRow(row.model(), row.contextTokens(), new LinkedHashMap<>(),
                                new LinkedHashMap<>()));
                pooled.logitTop1BySeed().put(report.seed(), row.logitTop1());
                pooled.hiddenTop1BySeed().put(report.seed(), row.hiddenTop1());
            }
        }
        return List.copyOf(rows.values());
    }
}
