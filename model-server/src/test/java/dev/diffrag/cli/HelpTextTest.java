package dev.diffrag.cli;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.diffrag.longctx.lm.NeedleCli;
import dev.diffrag.reader.ReaderCli;
import dev.diffrag.summarize.cli.SummarizeCli;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Picocli renders every description line as a format string: an unescaped {@code %} ("95% interval") fails, and the
 * help of that command prints a warning before the usage, once per rendering.
 */
class HelpTextTest {

    static Stream<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        for (Object root : List.of(new ReaderCli(), new SummarizeCli(), new NeedleCli())) {
            collect(new CommandLine(root), all);
        }
        return all.stream();
    }

    private static void collect(CommandLine command, List<CommandSpec> into) {
        into.add(command.getCommandSpec());
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyDescriptionLineIsAValidFormatString(CommandSpec command) {
        // As written in the annotations: the model's description() has already been through the formatter.
        List<String> lines = new ArrayList<>(
                List.of(command.userObject().getClass().getAnnotation(Command.class).description()));
        for (ArgSpec arg : command.args()) {
            if (arg.userObject() instanceof AnnotatedElement element) {
                Option option = element.getAnnotation(Option.class);
                Parameters parameters = element.getAnnotation(Parameters.class);
                lines.addAll(List.of(option != null ? option.description()
                        : parameters != null ? parameters.description() : new String[0]));
            }
        }
        for (String line : lines) {
            assertThatCode(() -> String.format(line)).as(command.qualifiedName() + ": " + line)
                    .doesNotThrowAnyException();
        }
    }
}
