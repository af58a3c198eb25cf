package dev.ferry.ftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.ContentSource;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FTP settings in a target URI: the harmless ones work; the one that weakens a check is only for code. */
class UriSettingsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static ScriptedFtpServer server;
    static final byte[] CONTENT = "settings\n".repeat(100).getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir);
        server = new ScriptedFtpServer(certs);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static TargetConfig config(String query) throws Exception {
        return TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in?" + query))
                .credentials(Credentials.password("bob", "Uri-Secret-77".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).build();
    }

    @Test
    void passiveNatServerInAUriIsBadInputNamingTheBuilderMethod() throws Exception {
        int before = server.commands().size();
        for (String value : new String[] {"server", "SERVER", " server "}) {
            TargetConfig cfg = config("passive-nat=" + value.replace(" ", "%20"));
            TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(cfg).close());
            assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("passive-nat=server"), e.getMessage());
            assertTrue(e.hint().contains("FtpTarget.builder().passiveAddresses(PassiveAddressPolicy.SERVER)"), e.hint());
        }
        assertEquals(before, server.commands().size(), "nothing was sent: " + server.commands());
    }

    @Test
    void theHarmlessPassiveValuesStillWorkInAUri() throws Exception {
        for (String value : new String[] {"private", "control-host"}) {
            String name = "rec-" + value + ".mp4";
            try (StorageTarget t = StorageTargets.open(config("passive-nat=" + value + "&keepalive=5&buffer=65536"))) {
                t.upload(Upload.builder().source(ContentSource.ofBytes(CONTENT)).remotePath(name).build());
            }
            assertArrayEquals(CONTENT, server.files().get(name));
        }
        TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(config("passive-nat=elsewhere")));
        assertEquals(Reason.BAD_INPUT, e.reason());
        assertFalse(e.hint().contains("|server"), e.hint());
    }

    @Test
    void aBadValueIsBadInputNamingTheParameter() throws Exception {
        int before = server.commands().size();
        String[][] cases = {
                {"keepalive=soon", "keepalive=soon: not a whole number of seconds"},
                {"keepalive=-1", "keepalive must not be negative"},
                {"buffer=1m", "buffer=1m: not a whole number"},
                {"buffer=4096", "buffer must be from 8192 to 67108864 bytes"},
                {"passive-nat=elsewhere", "passive-nat=elsewhere: unknown passive-nat value"}};
        for (String[] c : cases) {
            TargetConfig cfg = config(c[0]);
            TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(cfg).close(), c[0]);
            assertEquals(Reason.BAD_INPUT, e.reason(), c[0]);
            assertTrue(e.getMessage().startsWith("invalid FTP parameter in ftps://bob@127.0.0.1:" + server.port() + "/in: ")
                    && e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.hint().startsWith("valid parameters: passive-nat="), e.hint());
        }
        assertEquals(before, server.commands().size(), "nothing was sent: " + server.commands());
    }

    @Test
    void codeMayStillTrustTheAnnouncedAddress() throws Exception {
        try (StorageTarget t = FtpTarget.builder().host("127.0.0.1").port(server.port())
                .credentials(Credentials.password("bob", "Uri-Secret-77".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .passiveAddresses(PassiveAddressPolicy.SERVER).build()) {
            t.upload(Upload.builder().source(ContentSource.ofBytes(CONTENT)).remotePath("rec-code.mp4").build());
        }
        assertArrayEquals(CONTENT, server.files().get("rec-code.mp4"));
    }
}
