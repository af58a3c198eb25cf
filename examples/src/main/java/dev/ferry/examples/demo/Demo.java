package dev.ferry.examples.demo;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.ftp.FtpTarget;
import dev.ferry.sftp.SftpTarget;
import dev.ferry.webhook.Delivery;
import dev.ferry.webhook.VideoCopiedFtp;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookSender;
import dev.ferry.webhook.WebhookSigner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ferry demo}: the whole mission on servers inside this JVM. Delivers a recording (video, thumbnail,
 * metadata) over FTPS and SFTP with the {@link Delivery} flow, runs the connection test against both, shows
 * the evidence (TLS facts, pinned fingerprints, the transcript lines that prove {@code AUTH TLS}, {@code PBSZ 0},
 * {@code PROT P}, the SHA-256 of each file as sent and as stored, the webhooks received), then diagnoses a
 * blocked passive port on purpose. Exits 0 only if every check passed.
 */
public final class Demo {
    private final PrintWriter out;
    private int checks;
    private int failed;

    private Demo(PrintWriter out) {
        this.out = out;
    }

    /** Runs the demo; returns the exit status (0 if every check passed). */
    public static int run(PrintWriter out) throws Exception {
        return new Demo(out).run();
    }

    private void check(boolean ok, String what) {
        checks++;
        if (!ok) {
            failed++;
        }
        out.println("  [" + (ok ? "ok" : "FAILED") + "] " + what);
        out.flush();
    }

    private int run() throws Exception {
        Path dir = Files.createTempDirectory("ferry-demo");
        SecureRandom random = new SecureRandom();
        String password = "demo-" + HexFormat.of().formatHex(random.generateSeed(8));
        byte[] secretBytes = new byte[24];
        random.nextBytes(secretBytes);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(secretBytes);
        long start = System.nanoTime();
        try (DemoServers servers = new DemoServers(dir, password, secret)) {
            out.printf(Locale.ROOT, "Ferry demo: FTPS on 127.0.0.1:%d, SFTP on 127.0.0.1:%d, webhook receiver %s%n", servers.ftpsPort,
                    servers.sftpPort, servers.webhookUrl);
            out.println("  server certificate sha256:" + servers.certificateSha256 + " (pinned)");
            out.println("  SFTP host key " + servers.hostKeyFingerprint + " (pinned)");
            List<Path> recording = makeRecording(dir.resolve("recording"), random);
            Credentials who = Credentials.password(DemoServers.USER, password.toCharArray());
            try (WebhookSender sender = WebhookSender.builder().allowLoopback().build(); // the demo's receiver is on 127.0.0.1
                 StorageTarget ftps = FtpTarget.builder().host("127.0.0.1").port(servers.ftpsPort).credentials(who)
                         .baseDirectory("/recordings").tls(TlsOptions.builder().pinSha256(servers.certificateSha256).build()).build();
                 StorageTarget sftp = SftpTarget.builder().host("127.0.0.1").port(servers.sftpPort).credentials(who)
                         .hostKeys(HostKeys.pinned(servers.hostKeyFingerprint)).baseDirectory("/recordings").build()) {
                deliver("FTPS", ftps, sender, servers, recording, servers.ftpHome);
                deliver("SFTP", sftp, sender, servers, recording, servers.sftpHome);
                probe("FTPS", ftps);
                probe("SFTP", sftp);
            }
            out.println();
            out.println("Webhooks the receiver accepted (signatures verified with WebhookVerifier):");
            for (WebhookPayload p : servers.accepted) {
                VideoCopiedFtp d = p.data(VideoCopiedFtp.class);
                out.println("  " + p.event().wireName() + " protocol=" + d.protocol() + " videoName=" + d.videoName() + " size=" + d.size()
                        + " status=" + d.ftpUploadStatus());
            }
            check(servers.accepted.size() == 2 && servers.accepted.stream().map(p -> p.data(VideoCopiedFtp.class).protocol()).toList()
                    .equals(List.of("ftp", "sftp")), "two video_copied_ftp webhooks, protocol ftp then sftp");
            check(servers.rejected.isEmpty(), "no webhook was rejected by the receiver");
            firewall(servers, who);
        } finally {
            deleteTree(dir);
        }
        out.println();
        out.printf(Locale.ROOT, "%d checks, %d failed, %.1f s%n", checks, failed, (System.nanoTime() - start) / 1e9);
        out.flush();
        return failed == 0 ? 0 : 3;
    }

    private void deliver(String name, StorageTarget target, WebhookSender sender, DemoServers servers, List<Path> files, Path home)
            throws IOException {
        out.println();
        out.println(name + ": delivering " + files.size() + " files over one connection, then notifying");
        Delivery delivery = Delivery.builder(target, sender, servers.webhookUrl).signer(WebhookSigner.standard(servers.webhookSecret))
                .build();
        Delivery.Outcome o = delivery.deliver("demo-recording-" + name.toLowerCase(Locale.ROOT), files.stream()
                .map(f -> Upload.of(f, f.getFileName().toString())).toList(), d -> d.duration(42.0).videoCodec("h264").audioCodec("aac")
                .type("mp4").width(1280).height(720).orientation("landscape").payload("demo"));
        if (o.failure() != null) {
            check(false, name + " delivery: " + o.failure());
            return;
        }
        ConnectionInfo c = o.files().connection();
        out.println("  connection: " + c.securityProtocol() + ", " + c.cipher() + ", peer " + c.peerFingerprint());
        for (UploadResult r : o.files().files()) {
            Path local = files.stream().filter(f -> f.getFileName().toString().equals(r.fileName())).findFirst().orElseThrow();
            String sent = sha256(local);
            String stored = sha256(home.resolve(r.remotePath().substring(1)));
            out.printf(Locale.ROOT, "  %-22s %9d bytes  sent %s…  stored %s…  (%s, %d ms)%n", r.fileName(), r.bytes(), sent.substring(0, 16),
                    stored.substring(0, 16), r.verification(), r.elapsed().toMillis());
            check(sent.equals(stored), name + " " + r.fileName() + ": SHA-256 on the server equals the source");
        }
        if (name.equals("FTPS")) {
            List<String> proof = o.files().transcript().stream().filter(l -> l.startsWith("> AUTH TLS") || l.startsWith("> PBSZ")
                    || l.startsWith("> PROT") || l.startsWith("> USER") || l.startsWith("> PASS") || l.contains("resumed session")).limit(8).toList();
            proof.forEach(l -> out.println("  transcript: " + l));
            String t = String.join("\n", o.files().transcript());
            check(t.indexOf("> AUTH TLS") >= 0 && t.indexOf("> AUTH TLS") < t.indexOf("> PBSZ 0") && t.indexOf("> PBSZ 0") < t.indexOf("> PROT P")
                    && t.indexOf("> PROT P") < t.indexOf("> USER"), "AUTH TLS, PBSZ 0 and PROT P before USER");
            check(t.contains("> PASS ****") && !t.contains(servers.password), "the password is masked in the transcript");
        }
        check(o.webhook() != null && o.webhook().delivered(), name + " webhook delivered (id " + (o.webhook() == null ? "-" : o.webhook().id()) + ")");
    }

    private void probe(String name, StorageTarget target) {
        out.println();
        out.println(name + " connection test:");
        ProbeReport r = target.probe();
        for (ProbeStep s : r.steps()) {
            out.printf(Locale.ROOT, "  %-9s %-7s %5d ms  %s%n", s.step(), s.status(), s.elapsed().toMillis(),
                    s.reply() == null ? "" : s.reply().lines().findFirst().orElse(""));
        }
        check(r.ok(), name + " connection test passed every step");
    }

    private void firewall(DemoServers servers, Credentials who) throws TransferException {
        out.println();
        out.println("On purpose: an FTPS server whose passive data port is blocked (as by a firewall)");
        try (StorageTarget t = FtpTarget.builder().host("127.0.0.1").port(servers.firewalledPort).credentials(who)
                .tls(TlsOptions.builder().pinSha256(servers.certificateSha256).build()).retryPolicy(RetryPolicy.none())
                .timeouts(Duration.ofSeconds(5)).build()) {
            ProbeReport r = t.probe();
            ProbeStep f = r.firstFailure().orElse(null);
            for (ProbeStep s : r.steps()) {
                out.printf(Locale.ROOT, "  %-9s %-7s%s%n", s.step(), s.status(), s.reason() == null ? "" : "  " + s.reason() + ": " + s.message());
            }
            if (f != null) {
                out.println("  hint: " + f.hint());
            }
            check(f != null && f.step() == ProbeStep.Step.UPLOAD && f.reason() == TransferException.Reason.DATA_CHANNEL
                    && r.step(ProbeStep.Step.LOGIN).status() == ProbeStep.Status.PASSED && f.hint() != null && f.hint().contains("firewall"),
                    "login works, the passive data connection fails, diagnosed as a firewall with the host and port");
        }
    }

    private static List<Path> makeRecording(Path dir, SecureRandom random) throws IOException {
        Files.createDirectories(dir);
        byte[] video = new byte[6 << 20];
        random.nextBytes(video);
        byte[] thumb = new byte[48 << 10];
        random.nextBytes(thumb);
        Path v = Files.write(dir.resolve("demo-recording.mp4"), video);
        Path t = Files.write(dir.resolve("demo-recording.jpg"), thumb);
        Path m = Files.writeString(dir.resolve("demo-recording.json"), "{\"id\":\"demo-recording\",\"duration\":42.0,\"width\":1280,"
                + "\"height\":720,\"videoCodec\":\"h264\",\"audioCodec\":\"aac\"}\n", StandardCharsets.UTF_8);
        return List.of(v, t, m);
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
