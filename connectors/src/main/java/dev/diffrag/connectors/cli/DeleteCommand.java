package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "delete", mixinStandardHelpOptions = true, description = {
        "Sends a delete for each document id, keyed tenant/docId, to the documents topic: the job drops the "
                + "document's chunks from the index and supersedes its summary.",
        "The id is the one ingest gave the document: its path relative to the directory ingest read (a single "
                + "file's id is its name). Deleting an id the job never indexed changes nothing. Exits 1 when any "
                + "delete could not be sent."})
final class DeleteCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DOC_ID", description = "Ids of the documents to delete.")
    List<String> ids;

    @Mixin
    TenantOption tenant;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<DocumentRecord> deletes = new ArrayList<>();
        for (String id : ids) {
            // The job would dead-letter either; nothing would be deleted.
            if (id.isBlank()) {
                throw new ParameterException(spec.commandLine(), "a document id must not be blank");
            }
            DocumentRecord delete = DocumentRecord.delete(tenant.get(), id);
            if (!RecordKeys.fits(delete.key())) {
                throw new ParameterException(
                        spec.commandLine(), "document key too long: " + RecordKeys.overLimit(delete.key()));
            }
            deletes.add(delete);
        }
        KafkaConfig config = kafka.config();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        int sent;
        try (DocumentSender sender = new DocumentSender(config, failures)) {
            deletes.forEach(delete -> sender.send(delete, delete.id(), () -> {}));
            sent = sender.awaitAcknowledged();
        }
        PrintWriter err = spec.commandLine().getErr();
        failures.forEach(failure -> err.println("cannot delete " + failure));
        spec.commandLine().getOut().printf("sent %d of %d deletes to topic '%s' (tenant %s)%n",
                sent, ids.size(), config.documentsTopic(), tenant.get());
        return failures.isEmpty() ? 0 : 1;
    }
}
