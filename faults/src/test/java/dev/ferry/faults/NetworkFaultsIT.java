package dev.ferry.faults;

import dev.ferry.core.ProgressListener;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.Upload;
import dev.ferry.faults.Faults.FileCase;
import dev.ferry.faults.Faults.Outcome;
import dev.ferry.testing.FaultProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network faults between Ferry and the real servers, made by a {@link FaultProxy} on 127.0.0.2: FTPS to vsftpd
 * ({@code require_ssl_reuse=YES}) and ProFTPD (reuse required) with the control connection and the passive port range
 * proxied, SFTP to OpenSSH. Each case must end with the upload completed after retry and resume, the SHA-256 at the
 * final name equal to the source's, and nothing leaked in this JVM.
 */
@ExtendWith(FaultTable.class)
class NetworkFaultsIT {
    static final long SIZE = 32L << 20;
    static final long BIG = 128L << 20;

    @BeforeAll
    static void warmUp() throws Exception {
        Faults.warmUp();
    }

    /** An armed fault: the progress listener that injects it (if the proxy does not), and whether it was injected. */
    private record Armed(ProgressListener progress, BooleanSupplier fired) {
        /** A one-shot fault armed on the proxy itself. */
        static Armed byProxy(FaultProxy proxy) {
            return new Armed(ProgressListener.NONE, () -> {
                try {
                    return proxy.awaitFault(Duration.ZERO);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        }

        /** A fault injected once the upload has reported at least a quarter of the file. */
        static Armed atQuarter(Runnable action) {
            AtomicBoolean fired = new AtomicBoolean();
            return new Armed(Faults.once(0.25, fired, action), fired::get);
        }
    }

    /** Uploads {@code <id>-<server>.bin} to an FTPS server through its proxies with a fault armed on them, then checks it. */
    private static void ftpsCase(String server, String id, long size, int attempts, String fault, boolean typedFailureAllowed,
                                 BiFunction<FaultProxy, FaultProxy, Armed> arm) throws Exception {
        FileCase c = FileCase.start(id + "-" + server + ".bin", size);
        Outcome o;
        boolean fired;
        FaultProxy[] p = Faults.ftpProxies(server);
        try (FaultProxy control = p[0]; FaultProxy data = p[1]) {
            Armed armed = arm.apply(control, data);
            try (StorageTarget t = Faults.ftps(server, control, Faults.retries(attempts))) {
                o = Faults.outcome(server + "-" + id, () -> t.upload(Upload.builder().source(c.src()).remotePath(c.name())
                        .progress(armed.progress()).build()));
            }
            fired = armed.fired().getAsBoolean();
        }
        assertTrue(fired, "the fault was not injected: " + fault);
        c.finish(o, fault, typedFailureAllowed);
    }

    /** Uploads {@code <id>-sftp.bin} to OpenSSH through a proxy with a fault armed on it, then checks it. */
    private static void sftpCase(String id, long size, String fault, boolean typedFailureAllowed,
                                 java.util.function.Function<FaultProxy, Armed> arm) throws Exception {
        sftpCase(id, size, fault, typedFailureAllowed, arm, null);
    }

    /** @param within when not null, the case must end (completed or failed) within this time */
    private static void sftpCase(String id, long size, String fault, boolean typedFailureAllowed,
                                 java.util.function.Function<FaultProxy, Armed> arm, Duration within) throws Exception {
        FileCase c = FileCase.start(id + "-sftp.bin", size);
        Outcome o;
        boolean fired;
        try (FaultProxy proxy = Faults.sshProxy()) {
            Armed armed = arm.apply(proxy);
            long start = System.nanoTime();
            try (StorageTarget t = Faults.sftp(proxy, Faults.retries(4))) {
                o = Faults.outcome("sshd-" + id, () -> t.upload(Upload.builder().source(c.src()).remotePath(c.name())
                        .progress(armed.progress()).build()));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (within != null) {
                assertTrue(took.compareTo(within) < 0, fault + ": took " + took.toMillis() + " ms, more than " + within.toMillis()
                        + " ms (" + o.describe() + ")");
            }
            fired = armed.fired().getAsBoolean();
        }
        assertTrue(fired, "the fault was not injected: " + fault);
        c.finish(o, fault, typedFailureAllowed);
    }

    @ParameterizedTest(name = "{0}|data connection cut at 30%")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsDataCut(String server) throws Exception {
        ftpsCase(server, "data-cut", SIZE, 4, "data connection reset after 30 %", false,
                (control, data) -> Armed.byProxy(data.cutUpstreamAfter(SIZE * 3 / 10)));
    }

    @ParameterizedTest(name = "{0}|control connection cut during the transfer")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsControlCut(String server) throws Exception {
        ftpsCase(server, "control-cut", BIG, 4, "control connection reset at >= 25 % of the data", false,
                (control, data) -> Armed.atQuarter(control::cutAll));
    }

    @ParameterizedTest(name = "{0}|data connection stalled longer than the idle timeout")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsStall(String server) throws Exception {
        // vsftpd keeps the stalled session and its lock on the temporary file, so the retry's APPE gets no reply;
        // the attempt after it writes a fresh temporary file, and the held one is removed once published.
        ftpsCase(server, "stall", SIZE, 3, "data stalled at 30 % (idle timeout " + Faults.DATA_TIMEOUT.toSeconds() + " s)", false,
                (control, data) -> Armed.byProxy(data.stallUpstreamAfter(SIZE * 3 / 10)));
    }

    @Test
    @DisplayName("sshd|SSH connection cut at 30%")
    void sftpCut() throws Exception {
        sftpCase("cut", SIZE, "SSH connection reset after 30 %", false, proxy -> Armed.byProxy(proxy.cutUpstreamAfter(SIZE * 3 / 10)));
    }

    @Test
    @DisplayName("sshd|SSH connection cut by the server side during the transfer")
    void sftpCutDownstream() throws Exception {
        sftpCase("cut-down", BIG, "all connections reset at >= 25 %", false, proxy -> Armed.atQuarter(proxy::cutAll));
    }

    @Test
    @DisplayName("sshd|SSH connection stalled longer than the idle timeout")
    void sftpStall() throws Exception {
        // The stalled attempt must end after one data timeout, not three (the pending writes, then closing the
        // file handle over the stalled connection, each waited a data timeout): one stall, a retry, a resume.
        sftpCase("stall", SIZE, "SSH stalled at 30 % (data timeout " + Faults.SFTP_TIMEOUT.toSeconds() + " s)", true,
                proxy -> Armed.byProxy(proxy.stallUpstreamAfter(SIZE * 3 / 10)), Faults.SFTP_TIMEOUT.multipliedBy(2));
    }
}
