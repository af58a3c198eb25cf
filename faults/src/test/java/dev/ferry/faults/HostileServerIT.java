package dev.ferry.faults;

import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.ftp.testing.Flood;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile FTPS server on loopback (scripted, as no real server misbehaves this way): it cannot exhaust the heap, hold
 * a connection past the reply timeout, learn where to write outside the base directory, or have an echoed password
 * repeated. The interop password is used, so the suite's secret search covers what these cases leave behind.
 */
@ExtendWith(FaultTable.class)
class HostileServerIT {

    @TempDir
    static Path dir;
    static TestCertificates certs;
    ScriptedFtpServer server;

    @BeforeAll
    static void certificates() throws Exception {
        Faults.warmUp(); // starts the run's table, whichever class runs first
        certs = TestCertificates.create(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private TransferException fails(String remote, Duration timeout) throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://ferry@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("ferry", Faults.password()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(timeout)
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            Upload u = Upload.builder().source(ContentSource.ofBytes(new byte[100])).remotePath(remote).build();
            return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(TransferException.class, () -> t.upload(u)));
        }
    }

    private static void noSecret(String caseName, TransferException e) {
        String all = Faults.describe(e);
        Faults.evidence(caseName, all);
        assertFalse(all.contains(new String(Faults.password())), "the password is repeated: " + all);
    }

    @Test
    @DisplayName("hostile|an endless reply line")
    void endlessLine() throws Exception {
        Flood flood = new Flood("211-", "A");
        server = new ScriptedFtpServer(certs).raw("FEAT", flood);
        TransferException e = fails("x.bin", Duration.ofSeconds(10));
        assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
        assertTrue(flood.written.get() < Flood.CAP / 4, "the client read " + flood.written.get() + " bytes of one line");
        noSecret("hostile-endless-line", e);
        FaultTable.detail("PROTOCOL after the server wrote " + flood.written.get() / 1024 + " KiB (" + e.getMessage() + ")");
    }

    @Test
    @DisplayName("hostile|endless lines of one reply")
    void endlessLines() throws Exception {
        Flood flood = new Flood("211-Features:\r\n", " SIZE\r\n");
        server = new ScriptedFtpServer(certs).raw("FEAT", flood);
        TransferException e = fails("x.bin", Duration.ofSeconds(10));
        assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
        assertTrue(flood.written.get() < Flood.CAP / 4, "the client read " + flood.written.get() + " bytes of one reply");
        noSecret("hostile-endless-lines", e);
        FaultTable.detail("PROTOCOL (" + e.getMessage() + ")");
    }

    @Test
    @DisplayName("hostile|a reply that drips a line every 200 ms")
    void slowReply() throws Exception {
        server = new ScriptedFtpServer(certs).raw("FEAT", out -> {
            out.write("211-Features:\r\n".getBytes(StandardCharsets.US_ASCII));
            long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            try {
                while (System.nanoTime() < end) {
                    Thread.sleep(200); // the hostile server's pace, not a wait for a condition
                    out.write(" SIZE\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        TransferException e = fails("x.bin", Duration.ofSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
        noSecret("hostile-slow-reply", e);
        FaultTable.detail("TIMEOUT after " + took.toMillis() + " ms with a 1 s reply timeout");
    }

    @Test
    @DisplayName("hostile|a reply that echoes the password")
    void echoedPassword() throws Exception {
        server = new ScriptedFtpServer(certs).on("PASS", pass -> "530 Login incorrect for PASS " + pass);
        TransferException e = fails("x.bin", Duration.ofSeconds(10));
        assertEquals(Reason.AUTH, e.reason(), e.toString());
        noSecret("hostile-echoed-password", e);
        FaultTable.detail("AUTH, the password masked in message, reply and transcript (" + e.serverReply() + ")");
    }

    @Test
    @DisplayName("hostile|a server that would accept CWD ~")
    void tildeNeverSent() throws Exception {
        server = new ScriptedFtpServer(certs).reply("CWD", "250 OK");
        TransferException e = fails("~/x.bin", Duration.ofSeconds(10));
        assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
        assertTrue(server.commands().stream().noneMatch(c -> c.contains("~")), server.commands().toString());
        assertTrue(server.files().isEmpty(), "a file was stored: " + server.files().keySet());
        noSecret("hostile-tilde", e);
        FaultTable.detail("BAD_INPUT before any command; the server saw " + server.commands().size() + " commands");
    }

}
