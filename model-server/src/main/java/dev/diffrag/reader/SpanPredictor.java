package dev.diffrag.reader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.Autograd;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs a reader over encoded inputs in batches of similar length and decodes each input's best span. Scoring and
 * decoding are apart so that calibration can decode one set of scores under several answer-type weights.
 */
final class SpanPredictor {

    /** The model's start and end scores for one input's positions. */
    record Scores(float[] start, float[] end) {}

    /** Inputs per forward pass. */
    private static final int BATCH = 8;

    private final ReaderModel model;
    private final ReaderFeaturizer featurizer;
    private final NDManager manager;
    private final ParameterStore parameters;

    SpanPredictor(ReaderModel model, ReaderFeaturizer featurizer, NDManager manager) {
        this.model = model;
        this.featurizer = featurizer;
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
    }

    /** The decoded spans, in input order, choosing with the answer-type weight {@code answerTypeWeight}. */
    List<SpanDecoder.Span> spans(List<ReaderFeaturizer.Encoded> encoded, double answerTypeWeight) {
        return decode(encoded, scores(encoded), answerTypeWeight);
    }

    /** The model's scores, in input order. */
    List<Scores> scores(List<ReaderFeaturizer.Encoded> encoded) {
        return Autograd.off(() -> score(encoded));
    }

    List<SpanDecoder.Span> decode(List<ReaderFeaturizer.Encoded> encoded, List<Scores> scores,
            double answerTypeWeight) {
        SpanDecoder decoder = new SpanDecoder(model.config().maxAnswerTokens(), answerTypeWeight);
        List<SpanDecoder.Span> spans = new ArrayList<>(encoded.size());
        for (int i = 0; i < encoded.size(); i++) {
            ReaderFeaturizer.Encoded input = encoded.get(i);
            spans.add(decoder.decode(input.sequence(), scores.get(i).start(), scores.get(i).end(), input.askedType()));
        }
        return spans;
    }

    private List<Scores> score(List<ReaderFeaturizer.Encoded> encoded) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> encoded.get(i).sequence().length()));
        Scores[] scores = new Scores[encoded.size()];
        for (int from = 0; from < order.size(); from += BATCH) {
            List<Integer> slice = order.subList(from, Math.min(order.size(), from + BATCH));
            List<ReaderFeaturizer.Encoded> batch = slice.stream().map(encoded::get).toList();
            try (NDManager scope = manager.newSubManager()) {
                NDList outputs = model.forward(parameters, featurizer.inputs(batch, model.config().input(), scope),
                        false);
                float[][] start = rows(outputs.get(0));
                float[][] end = rows(outputs.get(1));
                for (int b = 0; b < slice.size(); b++) {
                    scores[slice.get(b)] = new Scores(start[b], end[b]);
                }
            }
        }
        return List.of(scores);
    }

    private static float[][] rows(NDArray scores) {
        int rows = Math.toIntExact(scores.getShape().get(0));
        int length = Math.toIntExact(scores.getShape().get(1));
        float[] flat = scores.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] result = new float[rows][length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * length, result[r], 0, length);
        }
        return result;
    }
}
