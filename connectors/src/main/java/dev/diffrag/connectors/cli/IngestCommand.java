package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.ingest.DocumentFiles;
import dev.diffrag.connectors.ingest.DocumentFiles.Listing;
import dev.diffrag.connectors.ingest.DocumentFiles.SourceFile;
import dev.diffrag.connectors.ingest.DocumentFormat;
import dev.diffrag.connectors.ingest.UnreadableDocumentException;
import dev.diffrag.connectors.kafka.KafkaConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ingest", mixinStandardHelpOptions = true, description = {
        "Sends each file as one document upsert, keyed tenant/docId, to the documents topic.",
        "Reads plain text (.txt), Markdown (.md), HTML (.html) and PDF (.pdf); the document id is the path "
                + "relative to DIR (a single FILE's id is its name). Exits 1 when any file could not be sent."})
final class IngestCommand implements Callable<Integer> {
    /** Width of the progress bar when stderr is not a terminal (piped or in tests). */
    private static final int NON_TERMINAL_WIDTH = 100;

    @Parameters(paramLabel = "DIR|FILE", description = "A directory (read recursively) or a single file.")
    Path path;

    @Mixin
    TenantOption tenant;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(path)) {
            err.println("error: " + path + " does not exist");
            return 1;
        }
        KafkaConfig config = kafka.config();
        Listing listing = DocumentFiles.scan(path);
        for (Path file : listing.unsupported()) {
            err.println("skipped " + file + ": not a supported type (" + String.join(", ", DocumentFormat.allExtensions()) + ")");
        }
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        listing.unreadable().forEach(e -> failures.add(e.getMessage()));
        int sent = send(config, listing.documents(), failures);

        failures.forEach(failure -> err.println("cannot ingest " + failure));
        out.printf("sent %d of %d documents to topic '%s' (tenant %s)%n",
                sent, listing.documents().size(), config.documentsTopic(), tenant.get());
        return failures.isEmpty() ? 0 : 1;
    }

    /** Extracts and sends every file; returns how many the broker acknowledged, adding each failure to {@code failures}. */
    private int send(KafkaConfig config, List<SourceFile> files, Queue<String> failures) {
        try (ProgressBar progress = progressBar(files.size());
                DocumentSender sender = new DocumentSender(config, failures)) {
            for (SourceFile file : files) {
                try {
                    sender.send(DocumentFiles.toRecord(tenant.get(), file), file.path().toString(), progress::step);
                } catch (UnreadableDocumentException e) {
                    failures.add(e.getMessage());
                    progress.step();
                }
            }
            return sender.awaitAcknowledged();
        }
    }

    /** On a terminal: colours and its width; piped or in tests: plain ASCII of a fixed width. */
    private static ProgressBar progressBar(int files) {
        boolean terminal = System.console() != null;
        return new ProgressBarBuilder()
                .setTaskName("ingest")
                .setInitialMax(files)
                .setUnit(" files", 1)
                .setStyle(terminal ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, terminal ? -1 : NON_TERMINAL_WIDTH))
                .build();
    }
}
