package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.serving.AnswerApi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Answers by calling a model server's {@code POST /v1/answer} (see model-server's {@code ModelServer}), one HTTP request
 * per question, all of a batch concurrently: the server batches them again for its model, across every client.
 *
 * <p>Timeouts, retries and the in-flight limit are {@link ModelServerClient}'s. A question that still fails fails alone
 * ({@link ModelServerClient#joinAll}): {@link AnswerQuestions} answers it with an abstention naming the error and
 * keeps the answers of the rest of its batch.
 */
public final class RemoteAnswerer implements Answerer {

    private final ModelServerClient client;
    /** The served model's name, as the server last reported it. */
    private volatile String name = "remote";

    /** @param budgetMs longest a question may take, retries included: the caller's timeout for its answer */
    public RemoteAnswerer(RemoteAnswererConfig config, long budgetMs) {
        this.client = new ModelServerClient(config, budgetMs, AnswerApi.PATH, RemoteAnswerException::new);
    }

    @Override
    public String name() {
        return name;
    }

    /** Each request with the full budget from now. */
    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
        return answer(batch, Collections.nCopies(batch.size(), client.deadlineFromNow()));
    }

    /**
     * Each request with its own deadline (a {@link System#nanoTime}): a question that waited for its batch has only
     * what is left of its timeout, and is not sent once that has passed.
     */
    public List<GroundedAnswer> answer(List<AnswerRequest> batch, List<Long> deadlines) {
        List<CompletableFuture<GroundedAnswer>> answers = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            AnswerRequest request = batch.get(i);
            List<AnswerApi.Context> contexts =
                    request.contexts().stream().map(p -> new AnswerApi.Context(p.id(), p.text())).toList();
            var body = new AnswerApi.Request(request.question(), contexts, null);
            answers.add(client.post(body, AnswerApi.Response.class, deadlines.get(i))
                    .thenApply(response -> {
                        name = response.model();
                        return response.toGroundedAnswer();
                    }));
        }
        return ModelServerClient.joinAll(answers);
    }

    /** The model server could not answer a question, after any retries. */
    public static final class RemoteAnswerException extends RuntimeException {
        RemoteAnswerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
