package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TransferException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ferry probe [options] URI}: the connection test. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Test a target step by step: connect, secure, log in, directory, upload a small file, verify, delete, quit.")
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", paramLabel = "URI", description = "ftps://, ftp:// or sftp://user@host[:port]/base/dir, or s3://BUCKET/prefix")
    String uri;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProbeReport report;
        try (StorageTarget t = StorageTargets.open(target.toConfig(uri))) {
            report = t.probe();
        } catch (TransferException e) {
            return Output.fail(e, target.json, target.transcript, out, err);
        }
        print(report, target.json, target.transcript, out);
        return report.ok() ? FerryCli.EXIT_OK : FerryCli.EXIT_FAILURE;
    }

    /** Prints a report as JSON or as a table of steps. */
    static void print(ProbeReport report, boolean json, boolean transcript, PrintWriter out) {
        if (json) {
            ObjectNode n = Output.object();
            n.put("ok", report.ok());
            n.put("target", report.target().redactedUri());
            if (report.connection() != null) {
                n.put("tls", report.connection().securityProtocol());
                n.put("cipher", report.connection().cipher());
                n.put("fingerprint", report.connection().peerFingerprint());
            }
            ArrayNode steps = n.putArray("steps");
            for (ProbeStep s : report.steps()) {
                ObjectNode o = steps.addObject();
                o.put("step", s.step().name());
                o.put("status", s.status().name());
                o.put("millis", s.elapsed().toMillis());
                o.put("reply", s.reply());
                o.put("hint", s.hint());
                if (s.reason() != null) {
                    o.put("reason", s.reason().name());
                }
                o.put("message", s.message());
            }
            n.set("transcript", Output.strings(report.transcript()));
            Output.print(out, n);
            return;
        }
        if (transcript) {
            report.transcript().forEach(out::println);
        }
        out.println("probe " + report.target().redactedUri());
        for (ProbeStep s : report.steps()) {
            out.printf(Locale.ROOT, "  %-9s %-7s %6d ms  %s%n", s.step(), s.status(), s.elapsed().toMillis(),
                    s.status() == ProbeStep.Status.FAILED ? s.reason() + ": " + s.message()
                            : s.reply() == null ? "" : s.reply());
            if (s.hint() != null) {
                out.println("            hint: " + s.hint());
            }
        }
        if (report.connection() != null && report.connection().peerFingerprint() != null) {
            out.println("  server fingerprint: " + report.connection().peerFingerprint());
        }
        out.println(report.ok() ? "OK" : "FAILED");
        out.flush();
    }
}
