package dev.ferry.faults;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.Upload;
import dev.ferry.faults.Faults.Outcome;
import dev.ferry.faults.Faults.Resources;
import dev.ferry.testing.FaultProxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network faults between Ferry and the real servers, made by a {@link FaultProxy} on 127.0.0.2: FTPS to vsftpd
 * ({@code require_ssl_reuse=YES}) and ProFTPD (reuse required) with the control connection and the passive port range
 * proxied, SFTP to OpenSSH. Each case must end with the upload completed after retry and resume, the SHA-256 at the
 * final name equal to the source's, and nothing leaked in this JVM.
 */
@ExtendWith(FaultTable.class)
class NetworkFaultsIT {
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        Faults.warmUp();
    }

    static final long SIZE = 32L << 20;
    static final long BIG = 128L << 20;

    private static Path prepare(String protocol, String name) throws Exception {
        Path dir = Faults.diskDir(protocol);
        Files.deleteIfExists(dir.resolve(name));
        Files.deleteIfExists(dir.resolve(name + ".ferry-part"));
        return dir.resolve(name);
    }

    private static void finish(String caseName, Outcome o, Path disk, Path src, Resources before, String fault) throws Exception {
        finish(caseName, o, disk, src, before, fault, false);
    }

    /**
     * @param typedFailureAllowed a stall may end with a typed, retryable TIMEOUT or DATA_CHANNEL failure: vsftpd keeps the
     *        stalled session (and its lock on the temporary file) until its own idle timeout, so every retry within the
     *        attempts is refused
     */
    private static void finish(String caseName, Outcome o, Path disk, Path src, Resources before, String fault,
                               boolean typedFailureAllowed) throws Exception {
        String intact = Faults.assertFinalIntact(o, disk, src);
        String leaks = Resources.assertNoLeak(before);
        FaultTable.detail(fault + " -> " + o.describe() + "; " + intact + "; " + leaks);
        if (o.failure() != null && typedFailureAllowed) {
            assertTrue(o.failure().retryable() && (o.failure().reason() == dev.ferry.core.TransferException.Reason.TIMEOUT
                    || o.failure().reason() == dev.ferry.core.TransferException.Reason.DATA_CHANNEL), o.failure().toString());
            return;
        }
        if (o.failure() != null) {
            throw new AssertionError(caseName + ": expected the upload to complete after retry, got " + o.failure().reason() + ": "
                    + o.failure().getMessage(), o.failure());
        }
        assertNotNull(o.result());
        assertTrue(o.result().attempts() >= 2, "the fault should have cost an attempt: " + o.result().attempts());
    }

    @ParameterizedTest(name = "{0}|data connection cut at 30%")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsDataCut(String server) throws Exception {
        String name = "data-cut-" + server + ".bin";
        Path src = Faults.source(name, SIZE);
        Path disk = prepare("ftp", name);
        Resources before = Resources.now();
        Outcome o;
        boolean fired;
        FaultProxy[] p = Faults.ftpProxies(server);
        try (FaultProxy control = p[0]; FaultProxy data = p[1]) {
            data.cutUpstreamAfter(SIZE * 3 / 10);
            try (StorageTarget t = Faults.ftps(server, control, Faults.retries(4))) {
                o = Faults.outcome(server + "-data-cut", () -> t.upload(Upload.builder().source(src).remotePath(name).build()));
            }
            fired = data.awaitFault(Duration.ZERO);
        }
        assertTrue(fired, "the data connection was not cut");
        finish(server + " data cut", o, disk, src, before, "data connection reset after 30 %");
    }

    @ParameterizedTest(name = "{0}|control connection cut during the transfer")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsControlCut(String server) throws Exception {
        String name = "control-cut-" + server + ".bin";
        Path src = Faults.source(name, BIG);
        Path disk = prepare("ftp", name);
        Resources before = Resources.now();
        Outcome o;
        AtomicBoolean fired = new AtomicBoolean();
        FaultProxy[] p = Faults.ftpProxies(server);
        try (FaultProxy control = p[0]; FaultProxy data = p[1]) {
            try (StorageTarget t = Faults.ftps(server, control, Faults.retries(4))) {
                o = Faults.outcome(server + "-control-cut", () -> t.upload(Upload.builder().source(src).remotePath(name)
                        .progress(Faults.once(0.25, fired, control::cutAll)).build()));
            }
        }
        assertTrue(fired.get(), "the control connection was not cut during the transfer");
        finish(server + " control cut", o, disk, src, before, "control connection reset at >= 25 % of the data");
    }

    @ParameterizedTest(name = "{0}|data connection stalled longer than the idle timeout")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void ftpsStall(String server) throws Exception {
        String name = "stall-" + server + ".bin";
        Path src = Faults.source(name, SIZE);
        Path disk = prepare("ftp", name);
        Resources before = Resources.now();
        Outcome o;
        boolean fired;
        FaultProxy[] p = Faults.ftpProxies(server);
        try (FaultProxy control = p[0]; FaultProxy data = p[1]) {
            data.stallUpstreamAfter(SIZE * 3 / 10);
            try (StorageTarget t = Faults.ftps(server, control, Faults.retries(3))) {
                o = Faults.outcome(server + "-stall", () -> t.upload(Upload.builder().source(src).remotePath(name).build()));
            }
            fired = data.awaitFault(Duration.ZERO);
        }
        assertTrue(fired, "the data connection did not stall");
        finish(server + " stall", o, disk, src, before, "data stalled at 30 % (idle timeout " + Faults.DATA_TIMEOUT.toSeconds() + " s)",
                true);
    }

    @Test
    @DisplayName("sshd|SSH connection cut at 30%")
    void sftpCut() throws Exception {
        String name = "cut-sftp.bin";
        Path src = Faults.source(name, SIZE);
        Path disk = prepare("sftp", name);
        Resources before = Resources.now();
        Outcome o;
        boolean fired;
        try (FaultProxy proxy = Faults.sshProxy()) {
            proxy.cutUpstreamAfter(SIZE * 3 / 10);
            try (StorageTarget t = Faults.sftp(proxy, Faults.retries(4))) {
                o = Faults.outcome("sshd-cut", () -> t.upload(Upload.builder().source(src).remotePath(name).build()));
            }
            fired = proxy.awaitFault(Duration.ZERO);
        }
        assertTrue(fired, "the SSH connection was not cut");
        finish("sshd cut", o, disk, src, before, "SSH connection reset after 30 %");
    }

    @Test
    @DisplayName("sshd|SSH connection cut by the server side during the transfer")
    void sftpCutDownstream() throws Exception {
        String name = "cut-down-sftp.bin";
        Path src = Faults.source(name, BIG);
        Path disk = prepare("sftp", name);
        Resources before = Resources.now();
        Outcome o;
        AtomicBoolean fired = new AtomicBoolean();
        try (FaultProxy proxy = Faults.sshProxy()) {
            try (StorageTarget t = Faults.sftp(proxy, Faults.retries(4))) {
                o = Faults.outcome("sshd-cut-down", () -> t.upload(Upload.builder().source(src).remotePath(name)
                        .progress(Faults.once(0.25, fired, proxy::cutAll)).build()));
            }
        }
        assertTrue(fired.get(), "the connection was not cut during the transfer");
        finish("sshd cut down", o, disk, src, before, "all connections reset at >= 25 %");
    }

    @Test
    @DisplayName("sshd|SSH connection stalled longer than the idle timeout")
    void sftpStall() throws Exception {
        String name = "stall-sftp.bin";
        Path src = Faults.source(name, SIZE);
        Path disk = prepare("sftp", name);
        Resources before = Resources.now();
        Outcome o;
        boolean fired;
        try (FaultProxy proxy = Faults.sshProxy()) {
            proxy.stallUpstreamAfter(SIZE * 3 / 10);
            try (StorageTarget t = Faults.sftp(proxy, Faults.retries(4))) {
                o = Faults.outcome("sshd-stall", () -> t.upload(Upload.builder().source(src).remotePath(name).build()));
            }
            fired = proxy.awaitFault(Duration.ZERO);
        }
        assertTrue(fired, "the SSH connection did not stall");
        finish("sshd stall", o, disk, src, before, "SSH stalled at 30 % (timeout 10 s)", true);
    }
}
