package dev.diffrag.pipeline.index;

import dev.diffrag.pipeline.ingest.Chunk;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.AnalyzerWrapper;
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
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * An in-memory Lucene index of chunks, grouped by document key ({@code tenant/docId}): BM25 over the chunk text and
 * HNSW (cosine) over the embeddings. It is a cache rebuilt from Flink state, never the source of truth. Not
 * thread-safe: one per index subtask, used from the task thread.
 *
 * <p>All tenants share one Lucene index, but BM25 scores a tenant's chunks with that tenant's statistics (its chunks,
 * their lengths, how many of them hold each term), live chunks only: as if the tenant had an index of its own, freshly
 * built. Lucene's own statistics count every tenant's chunks, and replaced or deleted ones until a merge drops them,
 * so one tenant's vocabulary would reorder another's results, and a restored index would score differently.
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
    /**
     * The chunk text as UTF-16 code units, stored in place of {@link #TEXT}'s stored value for a text with an unpaired
     * surrogate: Lucene stores strings as UTF-8, which writes one as U+FFFD, so the retrieved text and every citation
     * quoted from it would differ from the document's.
     */
    private static final String TEXT_UTF16 = "textUtf16";
    private static final String EMBEDDING = "embedding";

    /** Search results of both rankings, best first. */
    public record Hits(List<ScoredChunk> bm25, List<ScoredChunk> vector) {}

    private final Analyzer analyzer = new NfcAnalyzer(new EnglishAnalyzer());
    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<String, Indexed> byKey = new HashMap<>();
    /** The text statistics of each tenant's chunks, for BM25. */
    private final Map<String, TextStatistics> byTenant = new HashMap<>();
    /** The chunks of {@link #byKey} summed, apart: the metrics thread reads it while the task changes the map. */
    private volatile int chunkCount;
    private boolean changedSinceRefresh;

    /** What is indexed under a key: its tenant, how many chunks, and their text statistics. */
    private record Indexed(String tenant, int chunks, TextStatistics text) {}

    /**
     * BM25's collection statistics of some chunks: how many hold at least one term (Lucene counts no other), how many
     * terms they hold, and the sum of their distinct terms.
     */
    private record TextStatistics(long chunks, long terms, long distinctTerms) {
        static final TextStatistics NONE = new TextStatistics(0, 0, 0);

        TextStatistics plus(TextStatistics other) {
            return new TextStatistics(
                    chunks + other.chunks, terms + other.terms, distinctTerms + other.distinctTerms);
        }

        TextStatistics minus(TextStatistics other) {
            return new TextStatistics(
                    chunks - other.chunks, terms - other.terms, distinctTerms - other.distinctTerms);
        }
    }

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
        TextStatistics text = TextStatistics.NONE;
        try {
            for (Chunk chunk : chunks) {
                documents.add(toDocument(key, tenant, chunk));
                List<String> terms = terms(chunk.text());
                if (!terms.isEmpty()) {
                    text = text.plus(new TextStatistics(1, terms.size(), new HashSet<>(terms).size()));
                }
            }
            writer.updateDocuments(new Term(KEY, key), documents);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        forget(byKey.put(key, new Indexed(tenant, chunks.size(), text)));
        byTenant.merge(tenant, text, TextStatistics::plus);
        chunkCount += chunks.size();
        changedSinceRefresh = true;
    }

    public void delete(String key) {
        try {
            writer.deleteDocuments(new Term(KEY, key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        forget(byKey.remove(key));
        changedSinceRefresh = true;
    }

    /** Takes what was indexed under a key out of the counts. */
    private void forget(Indexed before) {
        if (before == null) {
            return;
        }
        chunkCount -= before.chunks();
        // Absent when the tenant's other chunks took its statistics to zero and this key's chunks hold no term.
        TextStatistics left = byTenant.getOrDefault(before.tenant(), TextStatistics.NONE).minus(before.text());
        if (left.equals(TextStatistics.NONE)) {
            byTenant.remove(before.tenant());
        } else {
            byTenant.put(before.tenant(), left);
        }
    }

    /** Whether chunks of {@code key} are indexed: it was replaced and not deleted since. */
    public boolean contains(String key) {
        return byKey.containsKey(key);
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
            IndexSearcher acquired = searchers.acquire();
            try {
                Term tenantTerm = new Term(TENANT, tenant);
                IndexSearcher searcher = new TenantSearcher(
                        acquired.getIndexReader(), tenantTerm, byTenant.getOrDefault(tenant, TextStatistics.NONE));
                Query tenantOnly = new TermQuery(tenantTerm);
                return new Hits(
                        collect(searcher, bm25Query(tenantOnly, text), k),
                        collect(searcher, new KnnFloatVectorQuery(EMBEDDING, vector, k, tenantOnly), k));
            } finally {
                searchers.release(acquired);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any of the analysed terms of {@code text}, scored by BM25, within the tenant; null when no term remains. */
    private Query bm25Query(Query tenantOnly, String text) throws IOException {
        List<String> analysed = terms(text);
        if (analysed.isEmpty()) {
            return null;
        }
        // A repeated term is one clause boosted by its count, as BooleanQuery's rewrite would make of its repeats, so
        // the clause limit cuts distinct terms only: every Han character is a token, and the first 1,024 tokens of a
        // long Chinese question left its last sentence, the question proper, out.
        Map<String, Integer> counts = new LinkedHashMap<>();
        analysed.forEach(term -> counts.merge(term, 1, Integer::sum));
        BooleanQuery.Builder terms = new BooleanQuery.Builder();
        counts.entrySet().stream().limit(IndexSearcher.getMaxClauseCount()).forEach(term -> {
            Query query = new TermQuery(new Term(TEXT, term.getKey()));
            terms.add(term.getValue() == 1 ? query : new BoostQuery(query, term.getValue()), Occur.SHOULD);
        });
        return new BooleanQuery.Builder()
                .add(terms.build(), Occur.MUST)
                .add(tenantOnly, Occur.FILTER)
                .build();
    }

    /** The terms of {@code text} as the index analyses the chunk text, in order, repeats included. */
    private List<String> terms(String text) throws IOException {
        List<String> terms = new ArrayList<>();
        try (TokenStream tokens = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken()) {
                terms.add(term.toString());
            }
            tokens.end();
        }
        return terms;
    }

    /**
     * {@code english} on NFC text: "café" written with a combining accent (as macOS and some editors write it) is the
     * same term as "café" precomposed. Only canonical forms are unified, not compatibility ones ("½", "ﬁ"): no XQuAD
     * text changes under NFC, so the committed retrieval numbers stand; PDF text has its ligatures expanded by PDFBox.
     */
    private static final class NfcAnalyzer extends AnalyzerWrapper {
        private final Analyzer english;

        NfcAnalyzer(Analyzer english) {
            super(english.getReuseStrategy());
            this.english = english;
        }

        @Override
        protected Analyzer getWrappedAnalyzer(String fieldName) {
            return english;
        }

        @Override
        protected Reader wrapReader(String fieldName, Reader reader) {
            StringWriter text = new StringWriter();
            try {
                reader.transferTo(text); // a chunk or a question: small
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new StringReader(Normalizer.normalize(text.toString(), Normalizer.Form.NFC));
        }

        @Override
        public void close() {
            english.close();
            super.close();
        }
    }

    /** A searcher whose BM25 statistics are those of one tenant's live chunks. */
    private static final class TenantSearcher extends IndexSearcher {
        private final Term tenant;
        private final TextStatistics text;

        TenantSearcher(IndexReader reader, Term tenant, TextStatistics text) {
            super(reader);
            this.tenant = tenant;
            this.text = text;
        }

        @Override
        public CollectionStatistics collectionStatistics(String field) throws IOException {
            if (!field.equals(TEXT) || text.chunks() == 0) {
                return super.collectionStatistics(field); // no chunk of the tenant has a term: nothing to score
            }
            return new CollectionStatistics(
                    field, getIndexReader().maxDoc(), text.chunks(), text.terms(), text.distinctTerms());
        }

        @Override
        public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
            long tenantDocFreq = 0;
            long tenantTermFreq = 0;
            for (LeafReaderContext leaf : getIndexReader().leaves()) {
                PostingsEnum ofTenant = leaf.reader().postings(tenant, PostingsEnum.NONE);
                PostingsEnum withTerm = leaf.reader().postings(term, PostingsEnum.FREQS);
                if (ofTenant == null || withTerm == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                DocIdSetIterator both = ConjunctionUtils.intersectIterators(List.of(ofTenant, withTerm));
                for (int doc = both.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = both.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        tenantDocFreq++;
                        tenantTermFreq += withTerm.freq();
                    }
                }
            }
            if (tenantDocFreq == 0) {
                return super.termStatistics(term, docFreq, totalTermFreq); // matches no chunk of the tenant anyway
            }
            return new TermStatistics(term.bytes(), tenantDocFreq, tenantTermFreq);
        }
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
                    storedText(doc),
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
        boolean utf8Safe = !hasUnpairedSurrogate(chunk.text());
        doc.add(new TextField(TEXT, chunk.text(), utf8Safe ? Field.Store.YES : Field.Store.NO));
        if (!utf8Safe) {
            ByteBuffer units = ByteBuffer.allocate(2 * chunk.text().length());
            units.asCharBuffer().put(chunk.text());
            doc.add(new StoredField(TEXT_UTF16, units.array()));
        }
        doc.add(new KnnFloatVectorField(EMBEDDING, chunk.embedding(), VectorSimilarityFunction.COSINE));
        return doc;
    }

    private static String storedText(Document doc) {
        BytesRef units = doc.getBinaryValue(TEXT_UTF16);
        return units == null
                ? doc.get(TEXT)
                : ByteBuffer.wrap(units.bytes, units.offset, units.length).asCharBuffer().toString();
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            if (Character.getType(text.codePointAt(i)) == Character.SURROGATE) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
        analyzer.close();
    }
}
