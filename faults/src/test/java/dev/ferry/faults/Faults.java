package dev.ferry.faults;

import dev.ferry.core.Upload;
import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProgressListener;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.ftp.FtpTarget;
import dev.ferry.ftp.PassiveAddressPolicy;
import dev.ferry.sftp.SftpTarget;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every fault case shares: targets on the real servers of {@code interop/servers.sh} (through a
 * {@link FaultProxy} when the case needs one), the check that nothing but a whole, correct file is at the
 * final name, the leak check (threads, file descriptors, local temporary files), and the evidence files
 * (every transcript, exception and report) that {@code faults/report.sh} searches for secrets.
 */
final class Faults {
    /** The loopback address the proxies listen on (the servers listen on 127.0.0.1 only). */
    static final String PROXY_HOST = "127.0.0.2";
    /** The FTP base directory (the FTP servers chroot the user into its home) and its place on disk. */
    static final String FTP_BASE = "/faults";
    /** The data timeout of the fault cases: a stall longer than this must end the attempt. */
    static final Duration DATA_TIMEOUT = Duration.ofSeconds(3);
    /** The SFTP cases' connect, reply and data timeout. */
    static final Duration SFTP_TIMEOUT = Duration.ofSeconds(10);

    private Faults() {
    }

    private static boolean warm;

    /**
     * One clean FTPS and one SFTP upload before the first case, so that what the JVM opens once and keeps (the debug log
     * file, the SecureRandom devices, loaded providers) is open before any case counts its file descriptors.
     */
    static synchronized void warmUp() throws Exception {
        if (warm) {
            return;
        }
        // A new run: the table and the evidence of an earlier run (mvn verify does not clean) must not count again.
        Files.deleteIfExists(FaultTable.cases());
        clean(evidenceDir());
        Path src = source("warm-up.bin", 1 << 20);
        try (StorageTarget t = ftpsDirect("vsftpd", retries(1))) {
            t.upload(dev.ferry.core.Upload.builder().source(src).remotePath("warm-up.bin").build());
        }
        try (StorageTarget t = sftp("127.0.0.1", Interop.requireServer("sshd"), HostKeys.pinned(Interop.get("sshd.fingerprint")),
                retries(1))) {
            t.upload(dev.ferry.core.Upload.builder().source(src).remotePath("warm-up.bin").build());
        }
        warm = true;
    }

    static Path evidenceDir() {
        Path d = Path.of(System.getProperty("ferry.faults.dir", "target/faults")).resolve("evidence");
        try {
            Files.createDirectories(d);
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * The directory on the server's disk that the fault cases upload to: {@link #FTP_BASE} under the FTP servers' chroot
     * (the user's home), and the SFTP base directory, which is the same directory.
     */
    static Path diskDir() {
        return Path.of(Interop.get("home")).resolve(FTP_BASE.substring(1));
    }

    /** Where {@code name} lands on the server's disk, with no file of that name or its temporary name left there. */
    static Path prepare(String name) throws IOException {
        Path disk = diskDir().resolve(name);
        Files.deleteIfExists(disk);
        // Temporary names carry a random token per upload: name.<token>.ferry-part.
        try (var left = Files.newDirectoryStream(disk.getParent(), name + ".*.ferry-part")) {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
        }
        return disk;
    }

    static RetryPolicy retries(int attempts) {
        return RetryPolicy.builder().maxAttempts(attempts).initialBackoff(Duration.ofMillis(300)).maxBackoff(Duration.ofSeconds(2))
                .build();
    }

    static char[] password() {
        return Interop.get("password").toCharArray();
    }

    static Path serverCertificateFile() {
        return Path.of(Interop.get("cert.pem"));
    }

    /** FTPS to {@code server} (vsftpd or proftpd) through the control proxy; data connections go to the proxy's host. */
    static StorageTarget ftps(String server, FaultProxy control, RetryPolicy retry) throws TransferException {
        return FtpTarget.builder().host(control.host()).port(control.port())
                .credentials(Credentials.password(Interop.get("user"), password()))
                .baseDirectory(FTP_BASE)
                // The certificate names 127.0.0.1; the proxy is 127.0.0.2: pin it (a pin replaces the name check).
                .tls(TlsOptions.builder().pinSha256(Interop.get("cert.sha256")).insecureSkipHostnameVerification().build())
                .passiveAddresses(PassiveAddressPolicy.CONTROL_HOST)
                .connectTimeout(Duration.ofSeconds(5)).replyTimeout(Duration.ofSeconds(10)).dataTimeout(DATA_TIMEOUT)
                .retryPolicy(retry).maxSessions(1).build();
    }

    /** FTPS straight to {@code server} on 127.0.0.1 (no proxy), for the cases that act on the server itself. */
    static StorageTarget ftpsDirect(String server, RetryPolicy retry) throws TransferException {
        return FtpTarget.builder().host("127.0.0.1").port(Interop.requireServer(server))
                .credentials(Credentials.password(Interop.get("user"), password()))
                .baseDirectory(FTP_BASE)
                .tls(TlsOptions.builder().pinSha256(Interop.get("cert.sha256")).build())
                .connectTimeout(Duration.ofSeconds(5)).replyTimeout(Duration.ofSeconds(10)).dataTimeout(DATA_TIMEOUT)
                .retryPolicy(retry).maxSessions(1).build();
    }

    /** SFTP through a proxy, with the passphrase-protected ed25519 key and the pinned host key. */
    static StorageTarget sftp(FaultProxy proxy, RetryPolicy retry) throws TransferException {
        return sftp(proxy.host(), proxy.port(), HostKeys.pinned(Interop.get("sshd.fingerprint")), retry);
    }

    static StorageTarget sftp(String host, int port, HostKeys keys, RetryPolicy retry) throws TransferException {
        return SftpTarget.builder().host(host).port(port)
                .credentials(Credentials.privateKey(Interop.get("user"), Path.of(Interop.get("ssh.key")),
                        Interop.get("ssh.key.passphrase").toCharArray()))
                .hostKeys(keys).baseDirectory(diskDir().toString())
                .timeouts(SFTP_TIMEOUT)
                .retryPolicy(retry).maxSessions(1).build();
    }

    /** The control proxy and the proxy of the passive port range of an FTP server. */
    static FaultProxy[] ftpProxies(String server) throws IOException {
        int port = Interop.requireServer(server);
        String[] range = Interop.get(server + ".pasv").split("[-:]");
        FaultProxy control = FaultProxy.start(PROXY_HOST, 0, "127.0.0.1", port);
        try {
            return new FaultProxy[] {control, FaultProxy.range(PROXY_HOST, "127.0.0.1", Integer.parseInt(range[0].trim()),
                    Integer.parseInt(range[1].trim()))};
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
    }

    static FaultProxy sshProxy() throws IOException {
        return FaultProxy.start(PROXY_HOST, 0, "127.0.0.1", Interop.requireServer("sshd"));
    }

    /** A random file in the test JVM's directory for sources (not its temporary directory, which is checked for leaks). */
    static Path source(String name, long size) throws IOException {
        Path dir = evidenceDir().resolveSibling("sources");
        Files.createDirectories(dir);
        return TestFiles.random(dir.resolve(name), size, name.hashCode());
    }

    /** A progress listener that runs {@code action} once, at the first report of at least {@code fraction} of the file. */
    static ProgressListener once(double fraction, AtomicBoolean fired, Runnable action) {
        return (path, sent, total) -> {
            if (total > 0 && sent >= total * fraction && sent < total && fired.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    // ---- outcomes ------------------------------------------------------------------------------------------

    /** The end of a case: a result or a typed failure; anything else (an unchecked exception, a hang) fails the test. */
    record Outcome(UploadResult result, TransferException failure) {
        String describe() {
            if (result != null) {
                return "completed after " + result.attempts() + " attempt(s)"
                        + (result.resumedFrom() > 0 ? ", resumed at byte " + result.resumedFrom() : "");
            }
            return "TransferException " + failure.reason() + (failure.retryable() ? " (retryable)" : "");
        }
    }

    static Outcome outcome(String caseName, Callable<UploadResult> upload) {
        try {
            UploadResult r = upload.call();
            evidence(caseName, String.join("\n", r.transcript()));
            return new Outcome(r, null);
        } catch (TransferException e) {
            evidence(caseName, describe(e));
            return new Outcome(null, e);
        } catch (Exception e) {
            evidence(caseName, describe(e));
            return fail("not a TransferException: " + e, e);
        }
    }

    /** Everything a user could see of a failure: message, reason, hint, reply, transcript and the causes' stack. */
    static String describe(Throwable e) {
        StringWriter w = new StringWriter();
        if (e instanceof TransferException t) {
            w.append("reason: ").append(String.valueOf(t.reason())).append('\n')
                    .append("message: ").append(t.getMessage()).append('\n')
                    .append("hint: ").append(String.valueOf(t.hint())).append('\n')
                    .append("server reply: ").append(String.valueOf(t.serverReply())).append('\n')
                    .append("toString: ").append(t.toString()).append('\n')
                    .append("transcript:\n").append(String.join("\n", t.transcript())).append('\n');
        }
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    static synchronized void evidence(String caseName, String text) {
        String file = caseName.replaceAll("[^A-Za-z0-9._-]+", "_") + ".txt";
        try {
            Files.writeString(evidenceDir().resolve(file), text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The invariant of every case: the final name holds nothing, or a whole file equal to the source; and if the upload
     * reported success, the file is there and equal.
     */
    static String assertFinalIntact(Outcome o, Path onDisk, Path source) throws IOException {
        String want = TestFiles.sha256(source);
        if (o.result() != null) {
            assertTrue(Files.isRegularFile(onDisk), "the upload reported success but " + onDisk + " is missing");
            assertEquals(Files.size(source), o.result().bytes(), "bytes reported");
        }
        if (Files.exists(onDisk)) {
            assertEquals(want, TestFiles.sha256(onDisk), "the file at the final name differs from the source");
            return "final file SHA-256 equal";
        }
        return "nothing at the final name";
    }

    /**
     * The file of one fault case: its source ({@code size} random bytes), where it lands on the server's disk (nothing of
     * that name left there), and the JVM's threads and file descriptors before the case.
     */
    record FileCase(String name, Path src, Path disk, Resources before) {
        static FileCase start(String name, long size) throws IOException {
            Path src = source(name, size);
            Path disk = prepare(name);
            return new FileCase(name, src, disk, Resources.now());
        }

        /** {@link Faults#finish} for this file. */
        void finish(Outcome o, String fault, boolean typedFailureAllowed) throws Exception {
            Faults.finish(o, disk, src, before, fault, typedFailureAllowed);
        }
    }

    /**
     * The end of a case that injected {@code fault}: the final name holds nothing or the whole file, nothing leaked, the
     * table says what happened; and the upload completed after retry, having cost at least one attempt.
     *
     * @param typedFailureAllowed a stall may end with a typed, retryable TIMEOUT or DATA_CHANNEL failure instead: vsftpd
     *        keeps the stalled session (and its lock on the temporary file) until its own idle timeout, so every retry
     *        within the attempts is refused
     */
    private static void finish(Outcome o, Path disk, Path src, Resources before, String fault, boolean typedFailureAllowed)
            throws Exception {
        String intact = assertFinalIntact(o, disk, src);
        String leaks = Resources.assertNoLeak(before);
        FaultTable.detail(fault + " -> " + o.describe() + "; " + intact + "; " + leaks);
        if (o.failure() != null && typedFailureAllowed) {
            assertTrue(o.failure().retryable() && (o.failure().reason() == TransferException.Reason.TIMEOUT
                    || o.failure().reason() == TransferException.Reason.DATA_CHANNEL), o.failure().toString());
            return;
        }
        if (o.failure() != null) {
            throw new AssertionError("expected the upload to complete after retry, got " + o.failure().reason() + ": "
                    + o.failure().getMessage(), o.failure());
        }
        assertTrue(o.result().attempts() >= 2, "the fault should have cost an attempt: " + o.result().attempts());
        try (Stream<Path> s = Files.list(disk.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(disk.getFileName().toString()) && n.endsWith(Upload.TEMP_SUFFIX)).toList();
            assertTrue(left.isEmpty(), "temporary files left after the upload completed: " + left);
        }
    }

    static void clean(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---- leaks ---------------------------------------------------------------------------------------------

    /** Threads, file descriptors and local temporary files of this JVM at one moment. */
    record Resources(Set<String> threads, int fds, Set<String> tmp) {
        static Resources now() {
            Set<String> names = new TreeSet<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && !ignored(t.getName())) {
                    names.add(t.getName() + "#" + t.getId());
                }
            }
            return new Resources(names, count(Path.of("/proc/self/fd")), list(Path.of(System.getProperty("java.io.tmpdir"))));
        }

        // The proxies are the test's own; the JDK starts its process reaper and cleaner threads on first use.
        private static boolean ignored(String name) {
            return name.startsWith("fault-proxy-") || name.equals("process reaper") || name.startsWith("Common-Cleaner")
                    || name.startsWith("Attach Listener") || name.startsWith("surefire") || name.startsWith("ForkJoinPool.commonPool");
        }

        private static int count(Path dir) {
            try (Stream<Path> s = Files.list(dir)) {
                return (int) s.count();
            } catch (IOException e) {
                return -1;
            }
        }

        private static Set<String> list(Path dir) {
            try (Stream<Path> s = Files.list(dir)) {
                return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
            } catch (IOException e) {
                return Set.of();
            }
        }

        /**
         * Waits (bounded) for the threads and descriptors of a closed target to go away, then fails with what is left.
         * Library threads end asynchronously after {@code close()}, so this polls until a deadline rather than sleeping.
         */
        static String assertNoLeak(Resources before) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            Resources now = Resources.now();
            while (System.nanoTime() < deadline && !now.within(before)) {
                Thread.sleep(50);
                now = Resources.now();
            }
            List<String> extra = new ArrayList<>(now.threads());
            extra.removeAll(before.threads());
            Set<String> newTmp = new TreeSet<>(now.tmp());
            newTmp.removeAll(before.tmp());
            assertTrue(extra.isEmpty(), "threads left running: " + extra);
            assertTrue(now.fds() <= before.fds(), "file descriptors: " + before.fds() + " before, " + now.fds() + " after: "
                    + openFiles());
            assertTrue(newTmp.isEmpty(), "local temporary files left: " + newTmp);
            return "no leak (" + now.fds() + " fds, " + now.threads().size() + " threads)";
        }

        private static String openFiles() {
            List<String> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                for (Path p : s.toList()) {
                    try {
                        out.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                return "?";
            }
            return String.join(", ", out);
        }

        private boolean within(Resources before) {
            return before.threads().containsAll(threads) && fds <= before.fds() && before.tmp().containsAll(tmp);
        }
    }
}
