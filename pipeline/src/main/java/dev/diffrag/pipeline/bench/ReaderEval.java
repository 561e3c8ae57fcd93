package dev.diffrag.pipeline.bench;

import dev.diffrag.answer.Passage;
import dev.diffrag.cli.CommandLines;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import dev.diffrag.reader.EvalCommand;
import dev.diffrag.reader.eval.PassageRetriever;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;

/**
 * The reader evaluation ({@code reader eval}, see {@link EvalCommand}) with its {@code open} setting: every XQuAD
 * paragraph is indexed by the job's own retriever ({@link PassageIndex}, default chunking) and each question is read
 * over the default top-k chunks, as the streaming job would hand them to the answerer.
 */
public final class ReaderEval {

    private ReaderEval() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The evaluation's command line, whose errors print as one line and exit 1, as the {@code reader} tool's do. */
    static CommandLine commandLine() {
        return CommandLines.withOneLineErrors(new EvalCommand(JobRetriever::new, "java " + ReaderEval.class.getName()));
    }

    /** The job's hybrid retriever as the evaluation's {@link PassageRetriever}: one passage per retrieved chunk. */
    static final class JobRetriever implements PassageRetriever {

        private final IndexConfig config = IndexConfig.defaults();
        private final PassageIndex index;

        JobRetriever(List<Passage> paragraphs) {
            this.index = new PassageIndex(paragraphs, config);
        }

        @Override
        public List<Passage> retrieve(String question) {
            return index.search(question, config.defaultTopK()).fused().stream().map(JobRetriever::passage).toList();
        }

        private static Passage passage(RetrievedPassage chunk) {
            return new Passage(chunk.chunkId(), chunk.text());
        }

        @Override
        public String description() {
            return String.format("the top %d chunks (%d characters, overlap %d) that the pipeline's hybrid retriever "
                    + "(BM25 + MiniLM vectors, reciprocal rank fusion) finds among all XQuAD paragraphs",
                    config.defaultTopK(), config.chunkSize(), config.chunkOverlap());
        }

        @Override
        public void close() {
            try {
                index.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
