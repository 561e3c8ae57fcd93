package dev.diffrag.text;

/** Similarity of embedding vectors. */
public final class Vectors {

    private Vectors() {}

    /** Cosine similarity; 0 when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
    }
}
