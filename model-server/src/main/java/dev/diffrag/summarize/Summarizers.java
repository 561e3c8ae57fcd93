package dev.diffrag.summarize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Summarizers by name, as configured in commands and in the pipeline. */
public final class Summarizers {

    /** At most nine digits, so that N is an int: a longer one failed as a bare NumberFormatException. */
    private static final Pattern LEAD = Pattern.compile("lead-(\\d{1,9})");

    private Summarizers() {}

    /**
     * {@code diff-v1} or {@code vanilla}: the shipped salience checkpoints; {@code lead-N} (a number, e.g.
     * {@code lead-3}): the first N sentences within the token budget.
     *
     * @param maxTokens token budget of a summary (0 = only the sentence count limits)
     */
    public static Summarizer named(String name, int maxTokens) {
        requireKnown(name);
        Matcher lead = LEAD.matcher(name);
        return lead.matches()
                ? new LeadSummarizer(Integer.parseInt(lead.group(1)), maxTokens)
                : SalienceSummarizer.bundled(name, maxTokens);
    }

    /** Fails unless {@link #named} knows {@code name}; cheap, so configurations can be checked before models load. */
    public static void requireKnown(String name) {
        Matcher lead = name == null ? null : LEAD.matcher(name);
        boolean known = lead != null && lead.matches()
                ? Integer.parseInt(lead.group(1)) >= 1
                : "diff-v1".equals(name) || "vanilla".equals(name);
        if (!known) {
            throw new IllegalArgumentException(
                    "unknown summarizer '" + name + "': use diff-v1, vanilla or lead-N with N >= 1 (e.g. lead-3)");
        }
    }
}
