package dev.ferry.examples.cli;

import dev.ferry.examples.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ferry demo}: FTPS, SFTP and webhooks on servers inside this JVM, with a report; exit 0 if every check passed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Deliver a recording over FTPS and SFTP to servers inside this JVM, announce it by webhook, and report.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FerryCli.quietTlsEngineLogging(); // the demo uploads over FTPS
        return Demo.run(spec.commandLine().getOut());
    }
}
