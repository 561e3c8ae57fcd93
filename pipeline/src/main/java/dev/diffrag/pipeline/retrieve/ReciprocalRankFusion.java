package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.index.ScoredChunk;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Hybrid ranking: reciprocal rank fusion (Cormack et al. 2009) of the global BM25 ranking and the global vector
 * ranking, {@code score(c) = sum over rankings of 1 / (K + rank(c))} with ranks from 1.
 *
 * <p>Each global ranking is the union of the subtasks' local rankings ordered by raw score and cut at the rank window:
 * every subtask returns its local best {@code rankWindow} chunks, so the global best {@code rankWindow} are among them.
 * BM25 statistics are per subtask, so BM25 scores of different subtasks are only approximately comparable.
 */
public final class ReciprocalRankFusion {

    public static final int K = 60;

    /** Candidates per ranking relative to top-k: fusion needs chunks ranked just below top-k by one ranking. */
    private static final int RANK_WINDOW_PER_RESULT = 4;

    private ReciprocalRankFusion() {}

    public static int rankWindow(int topK) {
        return topK * RANK_WINDOW_PER_RESULT;
    }

    /** The fused best {@code topK} passages of all partial results, best first (ties by chunk id). */
    public static List<RetrievedPassage> fuse(Collection<PartialRetrieval> partials, int topK, int rankWindow) {
        List<ScoredChunk> bm25 = globalRanking(partials, PartialRetrieval::bm25, rankWindow);
        List<ScoredChunk> vector = globalRanking(partials, PartialRetrieval::vector, rankWindow);
        Map<String, ScoredChunk> chunks = new HashMap<>();
        Map<String, Double> fused = new HashMap<>();
        for (List<ScoredChunk> ranking : List.of(bm25, vector)) {
            for (int i = 0; i < ranking.size(); i++) {
                ScoredChunk chunk = ranking.get(i);
                chunks.putIfAbsent(chunk.chunkId(), chunk);
                fused.merge(chunk.chunkId(), 1.0 / (K + i + 1), Double::sum);
            }
        }
        List<RetrievedPassage> passages = new ArrayList<>(fused.size());
        fused.forEach((id, score) -> {
            ScoredChunk c = chunks.get(id);
            passages.add(new RetrievedPassage(id, c.docId(), c.docVersion(), c.start(), c.end(), c.text(), score));
        });
        passages.sort(Comparator.comparingDouble(RetrievedPassage::score)
                .reversed()
                .thenComparing(RetrievedPassage::chunkId));
        return List.copyOf(passages.subList(0, Math.min(topK, passages.size())));
    }

    private static List<ScoredChunk> globalRanking(
            Collection<PartialRetrieval> partials, Function<PartialRetrieval, List<ScoredChunk>> ranking, int window) {
        Map<String, ScoredChunk> best = new LinkedHashMap<>();
        for (PartialRetrieval partial : partials) {
            for (ScoredChunk chunk : ranking.apply(partial)) {
                best.merge(chunk.chunkId(), chunk, (a, b) -> a.score() >= b.score() ? a : b);
            }
        }
        List<ScoredChunk> ordered = new ArrayList<>(best.values());
        ordered.sort(Comparator.comparingDouble(ScoredChunk::score).reversed().thenComparing(ScoredChunk::chunkId));
        return ordered.subList(0, Math.min(window, ordered.size()));
    }
}
