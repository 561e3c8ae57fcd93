package dev.diffrag.connectors.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --tenant} option of the commands that write records. Checked here because the job dead-letters a
 * record whose tenant is blank or has a '/' (keys are {@code tenant/id}): the command would report success, or wait
 * for an answer that never comes.
 */
final class TenantOption {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    private String tenant;

    @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "default",
            description = "Tenant of the records (default: ${DEFAULT-VALUE}).")
    void set(String value) {
        if (value.isBlank() || value.contains("/")) {
            throw new ParameterException(command.commandLine(),
                    "--tenant must not be blank or contain '/' (records are keyed tenant/id), got '" + value + "'");
        }
        tenant = value;
    }

    String get() {
        return tenant;
    }
}
