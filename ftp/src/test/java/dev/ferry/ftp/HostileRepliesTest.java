package dev.ferry.ftp;

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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile server cannot exhaust the heap nor hold a connection with its replies: a reply line, the lines of one reply
 * and the time one reply takes are bounded, on plain FTP and inside TLS (after {@code AUTH TLS} replaced the streams).
 */
class HostileRepliesTest {

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

    TransferException fails(String scheme, Duration timeout) throws Exception {
        TlsOptions.Builder tls = TlsOptions.builder().pinSha256(certs.sha256());
        if (scheme.endsWith("-1.2")) {
            tls.maxProtocol("1.2");
        }
        TargetConfig cfg = TargetConfig.builder(URI.create(scheme.replace("-1.2", "") + "://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Hostile-Secret-9".toCharArray()))
                .tls(tls.build()).timeouts(timeout)
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            Upload u = Upload.builder().source(ContentSource.ofBytes(new byte[100])).remotePath("rec.mp4").build();
            return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(TransferException.class, () -> t.upload(u)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftps", "ftp", "ftps-1.2"})
    void anEndlessReplyLineIsAProtocolErrorLongBeforeTheHeapFills(String scheme) throws Exception {
        Flood flood = new Flood("211-", "A");
        server = new ScriptedFtpServer(scheme.startsWith("ftps") ? certs : null).raw("FEAT", flood);
        TransferException e = fails(scheme, Duration.ofSeconds(10));
        assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
        assertTrue(e.getMessage().contains("FEAT") && e.getMessage().contains("8192"), e.getMessage());
        assertTrue(flood.done.await(20, TimeUnit.SECONDS), "the client never closed the connection");
        // The server's writes block once the client stops reading: what it got out is what the socket buffers hold.
        assertTrue(flood.written.get() < Flood.CAP / 4, "the client read " + flood.written.get() + " bytes of one line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftps", "ftp"})
    void endlessContinuationLinesAreAProtocolError(String scheme) throws Exception {
        Flood flood = new Flood("211-Features:\r\n", " SIZE\r\n");
        server = new ScriptedFtpServer(scheme.equals("ftps") ? certs : null).raw("FEAT", flood);
        TransferException e = fails(scheme, Duration.ofSeconds(10));
        assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
        assertTrue(e.getMessage().contains("FEAT") && e.getMessage().contains("1000 lines"), e.getMessage());
        assertTrue(flood.done.await(20, TimeUnit.SECONDS), "the client never closed the connection");
        assertTrue(flood.written.get() < Flood.CAP / 4, "the client read " + flood.written.get() + " bytes of one reply");
    }

    @org.junit.jupiter.api.Test
    void anEndlessGreetingIsAProtocolError() throws Exception {
        Flood flood = new Flood("220", "-");
        server = new ScriptedFtpServer(null).greeting(flood);
        TransferException e = fails("ftp", Duration.ofSeconds(10));
        assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
        assertTrue(flood.done.await(20, TimeUnit.SECONDS), "the client never closed the connection");
        assertTrue(flood.written.get() < Flood.CAP / 4, "the client read " + flood.written.get() + " bytes of the greeting");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftps", "ftp"})
    void aReplyThatNeverEndsIsATimeoutWithinTheReplyTimeout(String scheme) throws Exception {
        Drip drip = new Drip("211-Features:\r\n", " SIZE\r\n", Duration.ofMillis(200));
        server = new ScriptedFtpServer(scheme.equals("ftps") ? certs : null).raw("FEAT", drip);
        long start = System.nanoTime();
        TransferException e = fails(scheme, Duration.ofSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
        assertTrue(e.getMessage().contains("FEAT"), e.getMessage());
        // Connecting, TLS and login take well under a second on loopback; the reply itself at most the 1 s reply timeout.
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
        assertTrue(drip.done.await(20, TimeUnit.SECONDS), "the client never closed the connection");
        assertFalse(String.join("\n", e.transcript()).contains("Hostile-Secret-9"));
    }

    @org.junit.jupiter.api.Test
    void repliesNobodyAskedForDoNotKeepAnUploadWaiting() throws Exception {
        // The transfer's reply, then the same again and again: with keepalive NOOPs owed, each is read as one more reply.
        Drip drip = new Drip("226 Transfer complete.\r\n", "226 Transfer complete.\r\n", Duration.ofMillis(100));
        server = new ScriptedFtpServer(certs).afterData(drip);
        long start = System.nanoTime();
        try (StorageTarget t = FtpTarget.builder().host("127.0.0.1").port(server.port())
                .credentials(Credentials.password("bob", "Hostile-Secret-9".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).keepAlive(Duration.ofNanos(1)).bufferSize(8192).build()) {
            Upload u = Upload.builder().source(ContentSource.ofBytes(new byte[100_000])).remotePath("rec.mp4").build();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(TransferException.class, () -> t.upload(u)));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // One reply per command sent (the STOR and 13 NOOPs): 1.3 s of the drip, then the next commands get the stray ones
        // and fail. Reading on while they come would take the drip's whole minute.
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "took " + took);
        assertFalse(server.files().containsKey("rec.mp4"));
    }

    /** Writes {@code head}, then one {@code line} per {@code pause}, for at most a minute or until the client goes away. */
    static final class Drip implements ScriptedFtpServer.RawReply {
        final CountDownLatch done = new CountDownLatch(1);
        private final byte[] head;
        private final byte[] line;
        private final Duration pause;

        Drip(String head, String line, Duration pause) {
            this.head = head.getBytes(StandardCharsets.US_ASCII);
            this.line = line.getBytes(StandardCharsets.US_ASCII);
            this.pause = pause;
        }

        @Override
        public void write(OutputStream out) {
            try {
                out.write(head);
                out.flush();
                long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (System.nanoTime() < end) {
                    // The pace of the hostile server, not a wait for a condition.
                    Thread.sleep(pause.toMillis());
                    out.write(line);
                    out.flush();
                }
            } catch (IOException e) {
                // the client closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.countDown();
            }
        }
    }
}
