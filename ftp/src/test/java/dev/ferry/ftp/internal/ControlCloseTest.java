package dev.ferry.ftp.internal;

import dev.ferry.core.TlsOptions;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing the control connection reads nothing more from the server, whatever it keeps sending. */
class ControlCloseTest {
    static final long FLOOD_CAP = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void closingATlsControlConnectionDoesNotReadWhatAFloodingServerSends() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        AtomicLong written = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        byte[] chunk = "A".repeat(16 << 10).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs).raw("NOOP", out -> {
            try {
                while (written.get() < FLOOD_CAP) {
                    out.write(chunk);
                    out.flush();
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the client closed the connection
            } finally {
                done.countDown();
            }
        })) {
            FerryTrustManager trust = new FerryTrustManager(TlsOptions.builder().pinSha256(certs.sha256()).build(), "127.0.0.1");
            // The JDK's TLS 1.2 close of a socket layered without autoClose waits for the server's close_notify.
            javax.net.ssl.SSLContext context = TlsEngine.JDK.newContext(trust);
            FerryFtpClient client = new FerryFtpClient(context);
            client.tls(context, TlsEngine.JDK, new String[] {TlsOptions.TLS_1_2});
            client.setDefaultTimeout(5_000);
            client.setConnectTimeout(5_000);
            client.connect("127.0.0.1", server.port());
            assertEquals(234, client.sendCommand("AUTH", "TLS"));
            client.startTls();
            assertEquals(TlsOptions.TLS_1_2, client.controlTlsSocket().getSession().getProtocol());
            assertThrows(ReplyReader.ReplyTooLargeException.class, () -> client.sendCommand("NOOP"));
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), client::disconnect);
            assertTrue(done.await(20, TimeUnit.SECONDS), "the connection was never closed");
            assertTrue(written.get() < FLOOD_CAP / 4, "closing read " + written.get() + " bytes of the flood");
        }
    }
}
