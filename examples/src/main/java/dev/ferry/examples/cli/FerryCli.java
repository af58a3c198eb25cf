package dev.ferry.examples.cli;

import dev.ferry.core.Redaction;
import dev.ferry.core.TransferException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The {@code ferry} command line: {@code upload}, {@code probe}, {@code webhook} and {@code demo}.
 *
 * <p>Exit status: 0 success, 2 bad usage or {@code BAD_INPUT}, 3 any other failure. With
 * {@code --json}, one JSON object is printed on standard output, for a usage error too
 * ({@code {"ok":false,"reason":"BAD_INPUT",...}}).
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = FerryCli.Version.class,
        description = "Delivers files to FTPS, FTP and SFTP servers and announces them by webhook.")
public final class FerryCli implements Runnable {
    // A strong reference: java.util.logging keeps loggers weakly.
    private static java.util.logging.Logger bcJsseLog;

    /** Success. */
    public static final int EXIT_OK = 0;
    /** Bad usage or bad input. */
    public static final int EXIT_USAGE = 2;
    /** Any other failure. */
    public static final int EXIT_FAILURE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: upload, probe, webhook or demo");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        String training = System.getProperty(ClassDataTraining.PROPERTY);
        if (training != null && code == EXIT_OK) {
            ClassDataTraining.load(training);
        }
        System.exit(code);
    }

    /** The subcommands, by name, in the order {@code ferry --help} lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("upload", UploadCommand::new);
        COMMANDS.put("probe", ProbeCommand::new);
        COMMANDS.put("webhook", WebhookCommand::new);
        COMMANDS.put("demo", DemoCommand::new);
    }

    /** Runs the command line with the given output streams and returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new FerryCli());
        // picocli reads each subcommand's annotations when it is added. A command line that starts with a
        // subcommand's name gets only that one (the others would cost a cold start ~40 ms of CPU); any other
        // (ferry --help, a misspelt command) gets them all.
        Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named.get());
        } else {
            COMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> EXIT_FAILURE);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            // picocli repeats arguments as typed ("Unmatched argument: ..."): a URL among them loses its password and query.
            String message = Redaction.urlsIn(ex.getMessage());
            c.getErr().println("ferry: " + message);
            if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
                CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, c.getErr()); // "Did you mean: ..."
            }
            c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            if (jsonRequested(a)) {
                // A script that asked for --json reads standard output: it gets its one JSON object here too,
                // in the shape of the other failures.
                Output.print(c.getOut(), Output.failure(TransferException.builder(TransferException.Reason.BAD_INPUT, message)
                        .hint("run '" + c.getCommandSpec().qualifiedName() + " --help' for usage").build()));
            }
            return EXIT_USAGE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code == 1 ? EXIT_FAILURE : code;
    }

    /** Whether {@code --json} is among the options (before a {@code --} that ends them). */
    private static boolean jsonRequested(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /**
     * This is an application, so it may set its own logging: Bouncy Castle's TLS engine (used for TLS 1.2
     * FTPS) reports its reading of java.security at INFO/WARNING through java.util.logging, on standard
     * error. Called before an FTPS target is made, not at start-up: setting up java.util.logging costs a cold
     * start ~20 ms, which SFTP and plain FTP need not pay.
     */
    static synchronized void quietTlsEngineLogging() {
        if (bcJsseLog == null) {
            bcJsseLog = java.util.logging.Logger.getLogger("org.bouncycastle.jsse");
            bcJsseLog.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    /** Reads the version from the jar. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ferry " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }

        /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
        public static String version() {
            Properties p = new Properties();
            try (InputStream in = FerryCli.class.getResourceAsStream("/dev/ferry/examples/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown";
            }
            return p.getProperty("version", "unknown");
        }
    }
}
