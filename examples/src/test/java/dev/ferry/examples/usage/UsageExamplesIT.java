package dev.ferry.examples.usage;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.Credentials;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import dev.ferry.webhook.VideoCopiedFtp;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookRequest;
import dev.ferry.webhook.WebhookSender;
import dev.ferry.webhook.WebhookSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The copyable usage examples, run against the real servers (and a local webhook receiver). */
class UsageExamplesIT {
    @TempDir
    Path dir;

    @Test
    void uploadOverFtpsWithAPinnedCertificate() throws Exception {
        Interop.requireServer("vsftpd");
        Path f = TestFiles.random(dir, "pinned-" + UUID.randomUUID() + ".bin", 100_000);
        UploadResult r = UploadOverFtps.upload("127.0.0.1", Interop.port("vsftpd"), Interop.get("user"),
                Interop.get("password").toCharArray(), Interop.get("cert.sha256"), f);
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(Path.of(Interop.get("home"), r.remotePath())));
    }

    @Test
    void uploadOverSftpWithAnEd25519KeyAndKnownHosts() throws Exception {
        Interop.requireServer("sshd");
        Path f = TestFiles.random(dir, "sftp-example.bin", 100_000);
        UploadResult r = UploadOverSftp.upload("127.0.0.1", Interop.port("sshd"), Interop.get("user"), Path.of(Interop.get("ssh.key")),
                Interop.get("ssh.key.passphrase").toCharArray(), Path.of(Interop.get("sshd.known_hosts")),
                Interop.get("home") + "/examples-" + UUID.randomUUID().toString().substring(0, 8), f);
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(Path.of(r.remotePath())));
    }

    @Test
    void theConnectionTestAndManyUploadsFromAThreadPool() throws Exception {
        Interop.requireServer("vsftpd");
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://" + Interop.get("user") + "@127.0.0.1:" + Interop.port("vsftpd")
                        + "/examples-" + UUID.randomUUID().toString().substring(0, 8)))
                .credentials(Credentials.password(Interop.get("user"), Interop.get("password").toCharArray()))
                .tls(TlsOptions.builder().pinSha256(Interop.get("cert.sha256")).build()).maxSessions(3).build();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(TestFiles.random(dir, "many-" + i + ".bin", 50_000 + i));
        }
        try (StorageTarget t = StorageTargets.open(cfg)) {
            assertTrue(ConnectionTest.show(t));
            List<UploadResult> results = ManyUploads.uploadAll(t, files, 8);
            for (int i = 0; i < files.size(); i++) {
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(Path.of(Interop.get("home"), results.get(i).remotePath())));
            }
        }
    }

    @Test
    void receiveAndVerifyAWebhookInAJdkHttpServer() throws Exception {
        String secret = "whsec_" + Base64.getEncoder().encodeToString("example-receiver".getBytes(StandardCharsets.UTF_8));
        List<VideoCopiedFtp> got = new CopyOnWriteArrayList<>();
        HttpServer server = WebhookReceiver.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), secret, got::add);
        try (WebhookSender sender = WebhookSender.builder().allowLoopback().build()) {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
            WebhookPayload p = WebhookPayload.videoCopiedFtp(VideoCopiedFtp.builder().status(VideoCopiedFtp.SUCCESS).videoName("a.mp4")
                    .protocol("ftp").build());
            assertTrue(sender.send(WebhookRequest.builder(url, p).signer(WebhookSigner.standard(secret)).build()).delivered());
            String other = "whsec_" + Base64.getEncoder().encodeToString("wrong".getBytes(StandardCharsets.UTF_8));
            var forged = sender.send(WebhookRequest.builder(url, p).signer(WebhookSigner.standard(other)).build());
            assertFalse(forged.delivered());
            assertEquals(401, forged.lastStatus());
            assertEquals(1, got.size());
        } finally {
            server.stop(0);
        }
    }
}
