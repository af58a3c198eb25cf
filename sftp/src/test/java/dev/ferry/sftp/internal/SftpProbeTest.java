package dev.ferry.sftp.internal;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.ferry.sftp.internal.EmbeddedSftpServer.PW;
import static dev.ferry.sftp.internal.EmbeddedSftpServer.sshClientThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection test: its steps, and the clean-up of its test file after a failure.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpProbeTest {
    @TempDir
    static Path dir;
    static EmbeddedSftpServer sftp;

    @BeforeAll
    static void start() throws Exception {
        sftp = EmbeddedSftpServer.start(dir);
    }

    @AfterAll
    static void stop() throws IOException {
        sftp.close();
    }

    @Test
    void theConnectionTestPasses() throws Exception {
        try (StorageTarget t = sftp.builder().build()) {
            ProbeReport r = t.probe();
            assertTrue(r.ok(), r.steps().toString());
        }
    }

    static List<String> probeFilesIn(String base) throws IOException {
        try (java.util.stream.Stream<Path> names = Files.list(sftp.root.resolve(base))) {
            return names.map(n -> n.getFileName().toString()).filter(n -> n.startsWith(".ferry-probe-")).toList();
        }
    }

    static ProbeReport probeIn(String base) throws Exception {
        try (StorageTarget t = sftp.builder().baseDirectory("/" + base).build()) {
            ProbeReport r = t.probe();
            assertFalse(r.toString().contains(PW), r.toString());
            return r;
        }
    }

    @Test
    void aFailedVerifyStillDeletesTheTestFile() throws Exception {
        ProbeReport r = probeIn("probe-verify");
        ProbeStep first = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.VERIFY, first.step(), r.steps().toString());
        assertEquals(Reason.VERIFY_FAILED, first.reason());
        assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.DELETE).status(), r.step(ProbeStep.Step.DELETE).toString());
        assertEquals(List.of(), probeFilesIn("probe-verify"));
    }

    @Test
    void aFailedWriteStillDeletesTheFileItsOpenCreated() throws Exception {
        ProbeReport r = probeIn("probe-write");
        assertEquals(ProbeStep.Step.UPLOAD, r.firstFailure().orElseThrow().step(), r.steps().toString());
        assertEquals(ProbeStep.Status.SKIPPED, r.step(ProbeStep.Step.VERIFY).status());
        assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.DELETE).status(), r.step(ProbeStep.Step.DELETE).toString());
        assertEquals(List.of(), probeFilesIn("probe-write"));
    }

    @Test
    void aRefusedDeleteAfterAFailedVerifyNamesTheFileLeftBehind() throws Exception {
        ProbeReport r = probeIn("probe-nodelete");
        assertEquals(ProbeStep.Step.VERIFY, r.firstFailure().orElseThrow().step(), r.steps().toString());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.FAILED, delete.status());
        assertEquals(Reason.PERMISSION, delete.reason());
        List<String> left = probeFilesIn("probe-nodelete");
        assertEquals(1, left.size());
        assertTrue(delete.hint().contains(left.get(0)) && delete.hint().contains("left"), delete.hint());
    }

    @Test
    void aBrokenConnectionDuringTheUploadSaysWhichFileMayBeLeft() throws Exception {
        ProbeReport r = probeIn("probe-broken");
        assertEquals(ProbeStep.Step.UPLOAD, r.firstFailure().orElseThrow().step(), r.steps().toString());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.FAILED, delete.status(), delete.toString());
        List<String> left = probeFilesIn("probe-broken");
        assertEquals(1, left.size());
        assertTrue(delete.hint().contains(left.get(0)) && delete.hint().contains("may be left"), delete.hint());
    }

    @Test
    void anUploadRefusedAtOpenLeavesNothingToDelete() throws Exception {
        ProbeReport r = probeIn("probe-denied");
        ProbeStep first = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.UPLOAD, first.step(), r.steps().toString());
        assertEquals(Reason.PERMISSION, first.reason());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.SKIPPED, delete.status());
        assertTrue(delete.message().contains("created no test file"), delete.message());
        assertEquals(List.of(), probeFilesIn("probe-denied"));
    }

    @Test
    void aClosedTargetRefusesTheConnectionTestAndStartsNoClient() throws Exception {
        StorageTarget t = sftp.builder().build();
        t.upload(Upload.of(TestFiles.random(dir, "closed.bin", 10), "closed.bin"));
        t.close();
        long before = sshClientThreads();
        ProbeReport r = t.probe();
        ProbeStep failed = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.CONNECT, failed.step());
        assertEquals(Reason.CANCELLED, failed.reason());
        assertTrue(failed.message().contains("is closed"), failed.message());
        assertEquals(Reason.CANCELLED, assertThrows(TransferException.class,
                () -> t.upload(Upload.of(TestFiles.random(dir, "closed2.bin", 10), "closed2.bin"))).reason());
        // No SSH client was started for the closed target (one would run until the JVM exits).
        assertTrue(sshClientThreads() <= before, before + " -> " + sshClientThreads());
    }
}
