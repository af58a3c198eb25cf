package dev.ferry.ftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.ProbeStep.Status;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection test deletes its test file once the server accepted it, whatever failed after; the first failure stays the verdict. */
class ProbeCleanUpTest {
    static final String SECRET = "Scripted-Secret-42";
    @TempDir
    static Path dir;
    static TestCertificates certs;
    ScriptedFtpServer server;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    ProbeReport probe() throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", SECRET.toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(5))
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            ProbeReport r = t.probe();
            assertFalse(r.toString().contains(SECRET), r.toString());
            return r;
        }
    }

    List<String> probeFilesLeft() {
        return server.files().keySet().stream().filter(n -> n.startsWith(".ferry-probe-")).toList();
    }

    String probeFileName() {
        return server.commands().stream().filter(c -> c.startsWith("STOR ")).findFirst().orElseThrow().substring(5);
    }

    @Test
    void aFailedVerifyStillDeletesTheTestFile() throws Exception {
        server = new ScriptedFtpServer(certs).reply("SIZE", "213 1");
        ProbeReport r = probe();
        assertFalse(r.ok());
        ProbeStep first = r.firstFailure().orElseThrow();
        assertEquals(Step.VERIFY, first.step());
        assertEquals(Reason.VERIFY_FAILED, first.reason());
        assertTrue(first.hint().contains("ASCII"), first.hint());
        assertEquals(Status.PASSED, r.step(Step.DELETE).status(), r.step(Step.DELETE).toString());
        assertEquals(Status.PASSED, r.step(Step.QUIT).status());
        assertEquals(List.of(), probeFilesLeft());
    }

    @Test
    void anUploadThatFailedMidTransferStillDeletesWhatTheServerKept() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "after-bytes:10:426 Failure writing network stream.");
        ProbeReport r = probe();
        assertEquals(Step.UPLOAD, r.firstFailure().orElseThrow().step());
        assertEquals(Status.SKIPPED, r.step(Step.VERIFY).status());
        assertEquals(Status.PASSED, r.step(Step.DELETE).status(), r.step(Step.DELETE).toString());
        assertTrue(server.commands().contains("DELE " + probeFileName()), server.commands().toString());
        assertEquals(List.of(), probeFilesLeft());
    }

    @Test
    void aRefusedDeleteAfterAFailedVerifyNamesTheFileLeftBehind() throws Exception {
        server = new ScriptedFtpServer(certs).reply("SIZE", "213 1").reply("DELE", "550 Permission denied.");
        ProbeReport r = probe();
        assertEquals(Step.VERIFY, r.firstFailure().orElseThrow().step());
        ProbeStep delete = r.step(Step.DELETE);
        assertEquals(Status.FAILED, delete.status());
        assertEquals(Reason.PERMISSION, delete.reason());
        String name = probeFileName();
        assertTrue(delete.hint().contains(name) && delete.hint().contains("left"), delete.hint());
        assertEquals(List.of(name), probeFilesLeft());
    }

    @Test
    void aBrokenConnectionAfterTheUploadSaysWhichFileMayBeLeft() throws Exception {
        server = new ScriptedFtpServer(certs).reply("SIZE", "421 Service not available, closing control connection.");
        ProbeReport r = probe();
        assertEquals(Step.VERIFY, r.firstFailure().orElseThrow().step());
        ProbeStep delete = r.step(Step.DELETE);
        assertEquals(Status.FAILED, delete.status());
        String name = probeFileName();
        assertTrue(delete.hint().contains(name) && delete.hint().contains("may be left"), delete.hint());
        assertEquals(List.of(name), probeFilesLeft());
    }

    @Test
    void aRefusedStorLeavesNothingToDelete() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "553 Could not create file.");
        ProbeReport r = probe();
        assertEquals(Step.UPLOAD, r.firstFailure().orElseThrow().step());
        ProbeStep delete = r.step(Step.DELETE);
        assertEquals(Status.SKIPPED, delete.status());
        assertTrue(delete.message().contains("the upload created no test file"), delete.message());
        assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("DELE")), server.commands().toString());
    }

    @Test
    void aFailedQuitStillClosesTheConnection() throws Exception {
        // An empty line is no reply: QUIT fails, and the connection must be closed anyway, not left open.
        server = new ScriptedFtpServer(certs).reply("QUIT", "");
        ProbeReport r = probe();
        assertEquals(Status.FAILED, r.step(Step.QUIT).status(), r.toString());
        assertTrue(server.clientClosedControl(Duration.ofSeconds(10)), "the control connection was left open");
        assertTrue(probeFilesLeft().isEmpty(), probeFilesLeft().toString());
    }
}
