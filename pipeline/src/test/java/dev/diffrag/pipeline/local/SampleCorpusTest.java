package dev.diffrag.pipeline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SampleCorpusTest {

    @Test
    void loadsEveryListedDocumentWithTitleAndTextApart() {
        List<SampleCorpus.Document> documents = SampleCorpus.documents();

        assertThat(documents).hasSizeBetween(5, 10);
        assertThat(documents).extracting(SampleCorpus.Document::id).doesNotHaveDuplicates().contains("neptune");
        SampleCorpus.Document neptune = documents.stream().filter(d -> d.id().equals("neptune")).findFirst().orElseThrow();
        assertThat(neptune.title()).isEqualTo("Neptune");
        assertThat(neptune.text()).startsWith("Like Jupiter and Saturn").doesNotContain("\n\n");
    }

    @Test
    void hasOneQuestionPerDocument() {
        assertThat(SampleCorpus.questions()).hasSameSizeAs(SampleCorpus.documents())
                .allSatisfy(question -> assertThat(question).endsWith("?"));
    }
}
