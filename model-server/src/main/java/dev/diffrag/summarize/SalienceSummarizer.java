package dev.diffrag.summarize;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Autograd;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.text.SentenceSplitter;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The extractive summarizer of the project: sentence salience from a {@link SentenceSalienceModel} (a Diff
 * Transformer over the document's sentence embeddings), sentences chosen by a {@link SelectionRule} (lead prior, then MMR) within the
 * request's sentence count and an optional token budget, returned in document order as verbatim spans.
 */
public final class SalienceSummarizer implements Summarizer {

    /** The shipped checkpoints, under this classpath directory: {@code diff-v1/} and {@code vanilla/}. */
    public static final String BUNDLED = "/summarizer/";

    private final NDManager manager;
    private final SentenceSalienceModel model;
    private final ParameterStore parameterStore;
    private final EmbeddingModel embedder;
    private final SelectionRule selection;
    private final int maxTokens;

    /** Wraps a loaded model; the summarizer owns {@code manager} and closes it. */
    public SalienceSummarizer(NDManager manager, SentenceSalienceModel model, EmbeddingModel embedder, int maxTokens) {
        if (maxTokens < 0) {
            // checked here, as LeadSummarizer does, and not by the SummaryBudget of every summary, which failed them all
            throw new IllegalArgumentException("need maxTokens >= 0 (0 = no token limit), got " + maxTokens);
        }
        this.manager = manager;
        this.model = model;
        this.parameterStore = new ParameterStore(manager, false);
        this.embedder = embedder;
        this.selection = model.config().selection();
        this.maxTokens = maxTokens;
    }

    /**
     * Loads a saved model directory ({@code config.json}, {@code model.safetensors}) onto {@link Devices#pick()}, in
     * {@link Devices#dataType} (float32 unless a 16-bit type is asked for on a GPU).
     */
    public static SalienceSummarizer load(Path directory, EmbeddingModel embedder, int maxTokens) throws IOException {
        Device device = Devices.pick();
        return load(directory, embedder, maxTokens, device, Devices.dataType(device));
    }

    /** {@link #load(Path, EmbeddingModel, int)} on {@code device}, computing in {@code dataType}. */
    static SalienceSummarizer load(Path directory, EmbeddingModel embedder, int maxTokens, Device device,
            DataType dataType) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            SalienceConfig config = ModelFiles.readConfig(directory, SalienceConfig.class);
            SentenceSalienceModel model = new SentenceSalienceModel(config);
            model.initialize(manager, dataType, new Shape(1, 1, config.inputDim()));
            ModelFiles.loadWeights(directory, model.namedParameters());
            return new SalienceSummarizer(manager, model, embedder, maxTokens);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The shipped checkpoint {@code diff-v1} or {@code vanilla}, with all-MiniLM-L6-v2 from the classpath; device and
     * type as {@link #load(Path, EmbeddingModel, int)}.
     */
    public static SalienceSummarizer bundled(String name, int maxTokens) {
        Device device = Devices.pick();
        return bundled(name, maxTokens, device, Devices.dataType(device));
    }

    /** {@link #bundled(String, int)} on {@code device}, computing in {@code dataType}. */
    static SalienceSummarizer bundled(String name, int maxTokens, Device device, DataType dataType) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("summarizer-" + name);
            for (String file : List.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS)) {
                String resource = BUNDLED + name + "/" + file;
                try (InputStream in = SalienceSummarizer.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalArgumentException("no bundled summarizer " + name + " (missing " + resource
                                + ")");
                    }
                    Files.copy(in, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return load(directory, new AllMiniLmL6V2EmbeddingModel(), maxTokens, device, dataType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bundled summarizer " + name, e);
        } finally {
            if (directory != null) {
                deleteQuietly(directory);
            }
        }
    }

    /** {@code diff-v1-salience}, {@code vanilla-salience} or {@code diff-v2-salience}. */
    @Override
    public String name() {
        AttentionKind kind = model.config().encoder().attention();
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-salience";
    }

    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        List<EmbeddedDocument> documents = EmbeddedDocument.embedAll(embedder,
                batch.stream().map(SummaryRequest::text).toList());
        List<double[]> salience = salience(documents);
        List<Summary> summaries = new ArrayList<>(batch.size());
        for (int d = 0; d < batch.size(); d++) {
            EmbeddedDocument document = documents.get(d);
            if (batch.get(d).maxSentences() < 1) {
                summaries.add(new Summary(batch.get(d).id(), List.of()));
                continue;
            }
            List<Integer> chosen = select(document, salience.get(d),
                    new SummaryBudget(batch.get(d).maxSentences(), maxTokens));
            List<Summary.Sentence> sentences = chosen.stream().map(i -> {
                SentenceSplitter.Span span = document.sentences().get(i);
                return new Summary.Sentence(span.of(document.text()), span.start(), span.end());
            }).toList();
            summaries.add(new Summary(batch.get(d).id(), sentences));
        }
        return summaries;
    }

    /** The configured {@link SelectionRule} over the sentences the model scored; indices in document order. */
    public List<Integer> select(EmbeddedDocument document, double[] salience, SummaryBudget budget) {
        return selection.select(document, salience, budget);
    }

    public SentenceSalienceModel model() {
        return model;
    }

    /** Salience of each document's sentences (see {@link SentenceSalienceModel#salience}). */
    public List<double[]> salience(List<EmbeddedDocument> documents) {
        return Autograd.off(() -> model.salience(parameterStore, documents));
    }

    public EmbeddingModel embedder() {
        return embedder;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static void deleteQuietly(Path directory) {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // a leftover temporary copy is harmless
        }
    }
}
