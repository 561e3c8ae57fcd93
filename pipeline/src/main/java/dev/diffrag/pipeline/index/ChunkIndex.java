package dev.diffrag.pipeline.index;

import dev.diffrag.pipeline.ingest.Chunk;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * An in-memory Lucene index of chunks, grouped by document key ({@code tenant/docId}): BM25 over the chunk text and
 * HNSW (cosine) over the embeddings. It is a cache rebuilt from Flink state, never the source of truth. Not
 * thread-safe: one per index subtask, used from the task thread.
 */
public final class ChunkIndex implements Closeable {

    private static final String KEY = "key";
    private static final String TENANT = "tenant";
    private static final String CHUNK_ID = "chunkId";
    private static final String DOC_ID = "docId";
    private static final String DOC_VERSION = "docVersion";
    private static final String START = "start";
    private static final String END = "end";
    private static final String TEXT = "text";
    private static final String EMBEDDING = "embedding";

    /** Search results of both rankings, best first. */
    public record Hits(List<ScoredChunk> bm25, List<ScoredChunk> vector) {}

    private final Analyzer analyzer = new EnglishAnalyzer();
    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<String, Integer> chunksByKey = new HashMap<>();
    /** The sum of {@link #chunksByKey}, kept apart because the metrics thread reads it while the task changes the map. */
    private volatile int chunkCount;
    private boolean changedSinceRefresh;

    public ChunkIndex() {
        try {
            writer = new IndexWriter(directory, new IndexWriterConfig(analyzer));
            searchers = new SearcherManager(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code chunks} the only chunks of {@code key}: removes every earlier chunk of it, however many. */
    public void replace(String key, String tenant, List<Chunk> chunks) {
        List<Document> documents = new ArrayList<>(chunks.size());
        for (Chunk chunk : chunks) {
            documents.add(toDocument(key, tenant, chunk));
        }
        try {
            writer.updateDocuments(new Term(KEY, key), documents);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Integer before = chunksByKey.put(key, chunks.size());
        chunkCount += chunks.size() - (before == null ? 0 : before);
        changedSinceRefresh = true;
    }

    public void delete(String key) {
        try {
            writer.deleteDocuments(new Term(KEY, key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Integer before = chunksByKey.remove(key);
        chunkCount -= before == null ? 0 : before;
        changedSinceRefresh = true;
    }

    /** How many chunks are indexed; safe to read from any thread. */
    public int chunkCount() {
        return chunkCount;
    }

    /**
     * The best {@code k} chunks of {@code tenant} by BM25 on {@code text} and by cosine similarity to {@code vector}.
     * Sees every change made before the call.
     */
    public Hits search(String tenant, String text, float[] vector, int k) {
        try {
            if (changedSinceRefresh) {
                searchers.maybeRefreshBlocking();
                changedSinceRefresh = false;
            }
            IndexSearcher searcher = searchers.acquire();
            try {
                Query tenantOnly = new TermQuery(new Term(TENANT, tenant));
                return new Hits(
                        collect(searcher, bm25Query(tenantOnly, text), k),
                        collect(searcher, new KnnFloatVectorQuery(EMBEDDING, vector, k, tenantOnly), k));
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any of the analysed terms of {@code text}, scored by BM25, within the tenant; null when no term remains. */
    private Query bm25Query(Query tenantOnly, String text) throws IOException {
        BooleanQuery.Builder terms = new BooleanQuery.Builder();
        int count = 0;
        try (TokenStream tokens = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken() && count < IndexSearcher.getMaxClauseCount()) {
                terms.add(new TermQuery(new Term(TEXT, term.toString())), Occur.SHOULD);
                count++;
            }
            tokens.end();
        }
        if (count == 0) {
            return null;
        }
        return new BooleanQuery.Builder()
                .add(terms.build(), Occur.MUST)
                .add(tenantOnly, Occur.FILTER)
                .build();
    }

    private static List<ScoredChunk> collect(IndexSearcher searcher, Query query, int k) throws IOException {
        if (query == null) {
            return List.of();
        }
        List<ScoredChunk> hits = new ArrayList<>();
        for (ScoreDoc hit : searcher.search(query, k).scoreDocs) {
            Document doc = searcher.storedFields().document(hit.doc);
            hits.add(new ScoredChunk(
                    doc.get(CHUNK_ID),
                    doc.get(DOC_ID),
                    doc.getField(DOC_VERSION).numericValue().longValue(),
                    doc.getField(START).numericValue().intValue(),
                    doc.getField(END).numericValue().intValue(),
                    doc.get(TEXT),
                    hit.score));
        }
        return hits;
    }

    private static Document toDocument(String key, String tenant, Chunk chunk) {
        Document doc = new Document();
        doc.add(new StringField(KEY, key, Field.Store.NO));
        doc.add(new StringField(TENANT, tenant, Field.Store.NO));
        doc.add(new StoredField(CHUNK_ID, chunk.chunkId()));
        doc.add(new StoredField(DOC_ID, chunk.docId()));
        doc.add(new StoredField(DOC_VERSION, chunk.docVersion()));
        doc.add(new StoredField(START, chunk.start()));
        doc.add(new StoredField(END, chunk.end()));
        doc.add(new TextField(TEXT, chunk.text(), Field.Store.YES));
        doc.add(new KnnFloatVectorField(EMBEDDING, chunk.embedding(), VectorSimilarityFunction.COSINE));
        return doc;
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
        analyzer.close();
    }
}
