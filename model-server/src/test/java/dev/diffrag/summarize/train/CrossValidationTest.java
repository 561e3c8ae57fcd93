package dev.diffrag.summarize.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.text.SentenceSplitter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CrossValidationTest {

    @Test
    void foldsAreBalancedSeededAndCoverEveryArticle() {
        int[] folds = CrossValidation.folds(175, 5, 7);
        assertThat(IntStream.range(0, 5).map(f -> (int) Arrays.stream(folds).filter(x -> x == f).count()).toArray())
                .containsOnly(35);
        assertThat(CrossValidation.folds(175, 5, 7)).isEqualTo(folds);
        assertThat(CrossValidation.folds(175, 5, 8)).isNotEqualTo(folds);
        assertThatThrownBy(() -> CrossValidation.folds(3, 5, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEnsembleAveragesTheSalienceOfItsSeedsModels() throws Exception {
        List<SalienceTraining.Article> articles = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            String text = "First news of day " + a + ". A detail. Another detail. The end.";
            float[][] embeddings = new float[4][];
            for (int i = 0; i < 4; i++) {
                embeddings[i] = new float[] {a + i, i == 0 ? 1 : 0, (a * i) % 3};
            }
            articles.add(new SalienceTraining.Article(new EmbeddedDocument(text, SentenceSplitter.split(text),
                    embeddings), "first news of day " + a, null));
        }
        int[] fold = CrossValidation.folds(4, 2, 7);
        SalienceConfig model = SalienceConfig.of(AttentionKind.DIFF_V1, 16, 1, 8, 8, 3, new SelectionRule(1, 0), false);
        TrainingConfig training = TrainingConfig.of(1e-2, 1, 4, 2, 42);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        TreeMap<Long, List<double[]>> pair = CrossValidation.outOfFold(articles, fold, 2,
                new CrossValidation.Recipe(model, training, 0, 0, 2, 2), quiet);
        TreeMap<Long, List<double[]>> first = CrossValidation.outOfFold(articles, fold, 2,
                new CrossValidation.Recipe(model, training, 0, 0, 2, 1), quiet);
        TreeMap<Long, List<double[]>> second = CrossValidation.outOfFold(articles, fold, 2,
                new CrossValidation.Recipe(model, training.withSeed(43), 0, 0, 2, 1), quiet);

        assertThat(pair.keySet()).containsExactly(2L, 4L);
        for (long step : pair.keySet()) {
            for (int d = 0; d < 4; d++) {
                double[] a = first.get(step).get(d);
                double[] b = second.get(step).get(d);
                assertThat(a).isNotEqualTo(b); // the seeds give different models
                double[] mean = IntStream.range(0, a.length).mapToDouble(i -> (a[i] + b[i]) / 2).toArray();
                assertThat(pair.get(step).get(d)).containsExactly(mean, offset(1e-6));
            }
        }
        assertThatThrownBy(() -> new CrossValidation.Recipe(model, training, 0, 0, 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
