package dev.diffrag.pipeline.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FaultToleranceReportTest {

    @Test
    void theReportsCommandBuildsTheRuntimeClasspath() {
        // maven-dependency-plugin reads its includeScope parameter from -DincludeScope; -Dmdep.includeScope is ignored,
        // and the classpath then holds the test dependencies too (Flink's test PipelineExecutorFactory among them).
        assertThat(FaultToleranceReport.COMMAND).contains("-DincludeScope=runtime")
                .doesNotContain("mdep.includeScope");
    }
}
