package dev.diffrag.summarize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Summarizers by name, as configured in commands and in the pipeline. */
public final class Summarizers {

    private static final Pattern LEAD = Pattern.compile("lead-(\\d+)");

    private Summarizers() {}

    /**
     * {@code diff-v1} or {@code vanilla}: the shipped salience checkpoints; {@code lead-k}: the first k sentences.
     *
     * @param maxTokens token budget of the salience summarizers (0 = only the sentence count limits)
     */
    public static Summarizer named(String name, int maxTokens) {
        Matcher lead = LEAD.matcher(name);
        if (lead.matches()) {
            return new LeadSummarizer(Integer.parseInt(lead.group(1)));
        }
        if (name.equals("diff-v1") || name.equals("vanilla")) {
            return SalienceSummarizer.bundled(name, maxTokens);
        }
        throw new IllegalArgumentException("unknown summarizer '" + name + "': use diff-v1, vanilla or lead-k");
    }
}
