package dev.ferry.core.spi;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.TargetInfo;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The connection test, the same in every provider: DNS, CONNECT, SECURE, LOGIN, DIRECTORY, UPLOAD of a small test file,
 * VERIFY, DELETE and QUIT, in that order. A provider supplies the protocol's part of each step as {@link Steps}; this
 * class runs them, stops at the first failure, deletes the test file whenever it may exist (also after a failed
 * VERIFY or an upload that broke off) and always runs QUIT.
 */
public final class ProbeRun {
    /** One provider's part of each step; each returns what it saw, for the report, or throws. Not thread-safe. */
    public interface Steps {
        /** Opens the connection. */
        String connect() throws Exception;

        /** Secures it (TLS, SSH key exchange and host key). */
        String secure() throws Exception;

        /** What is known of the connection's security so far, also after a failed {@link #secure()}; or {@code null}. */
        ConnectionInfo connectionInfo();

        /** Logs in. */
        String login() throws Exception;

        /** Enters the base directory, creating it if missing. */
        String directory() throws Exception;

        /** Writes the test file {@code name} with {@code content} in the base directory. */
        String upload(String name, byte[] content) throws Exception;

        /** Checks the test file on the server against the {@code expectedSize} bytes sent. */
        String verify(String name, long expectedSize) throws Exception;

        /**
         * After a failed {@link #upload}: whether the test file may be on the server anyway (the server accepted the
         * write, or the connection broke before its answer was read).
         */
        boolean testFileMayExist(String name);

        /**
         * Deletes the test file; a failure's hint names the file that may be left.
         *
         * @param uploaded whether the upload was confirmed (otherwise there may be part of the file, or nothing)
         */
        String delete(String name, boolean uploaded) throws Exception;

        /** Logs out and closes; never called twice. */
        String quit() throws Exception;
    }

    private ProbeRun() {
    }

    /** Runs the connection test of {@code target} with {@code steps}; its lines go to {@code transcript}. */
    public static ProbeReport run(TargetInfo target, Transcript transcript, Steps steps) {
        return run(target, transcript, steps, new ProbeRecorder(target, transcript));
    }

    /** {@link #run(TargetInfo, Transcript, Steps)} with a recorder that classifies unexpected exceptions. */
    public static ProbeReport run(TargetInfo target, Transcript transcript, Steps steps, ProbeRecorder r) {
        String name = testFileName();
        byte[] content = ("Ferry connection test " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            r.step(Step.DNS, () -> {
                InetAddress[] all = InetAddress.getAllByName(target.host());
                return target.host() + " is " + all[0].getHostAddress() + (all.length > 1 ? " (+" + (all.length - 1) + " more)" : "");
            });
            r.step(Step.CONNECT, steps::connect);
            r.step(Step.SECURE, () -> {
                try {
                    return steps.secure();
                } finally {
                    // Also after a failure: a dashboard can offer "trust this key" or show the certificate it saw.
                    r.connection(steps.connectionInfo());
                }
            });
            r.step(Step.LOGIN, steps::login);
            r.step(Step.DIRECTORY, steps::directory);
            boolean tried = !r.failed();
            boolean uploaded = r.step(Step.UPLOAD, () -> steps.upload(name, content));
            r.step(Step.VERIFY, () -> steps.verify(name, content.length));
            if (uploaded || tried && steps.testFileMayExist(name)) {
                // Once the server may have the file (whole or in part), it is deleted whatever failed after.
                r.cleanUp(Step.DELETE, () -> steps.delete(name, uploaded));
            } else if (tried) {
                r.skip(Step.DELETE, "skipped: the upload created no test file, so there is nothing to delete");
            } else {
                r.skip(Step.DELETE, "skipped because an earlier step failed");
            }
        } finally {
            r.step(Step.QUIT, steps::quit);
        }
        return r.report();
    }

    /** A name no other file has: hidden on Unix servers, recognisable, short. */
    static String testFileName() {
        return ".ferry-probe-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
    }
}
