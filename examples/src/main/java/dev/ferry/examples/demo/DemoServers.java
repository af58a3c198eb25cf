package dev.ferry.examples.demo;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.examples.usage.WebhookReceiver;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookVerifier;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's servers, in this JVM, on loopback ports chosen at run time: an explicit-FTPS server (Apache
 * FtpServer, TLS required on control and data), an FTPS server whose passive port is unreachable (the
 * firewall case), an SFTP server (MINA SSHD), and a webhook receiver that verifies signatures.
 */
final class DemoServers implements AutoCloseable {
    static final String USER = "demo";

    final String password;
    final Path ftpHome;
    final Path sftpHome;
    final X509Certificate certificate;
    final String certificateSha256;
    final String hostKeyFingerprint;
    final String webhookSecret;
    final List<WebhookPayload> accepted = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    private final FtpServer ftps;
    private final FtpServer firewalled;
    private final SshServer sftp;
    private final HttpServer hooks;
    final int ftpsPort;
    final int firewalledPort;
    final int sftpPort;
    final String webhookUrl;

    DemoServers(Path dir, String password, String webhookSecret) throws Exception {
        this.password = password;
        this.webhookSecret = webhookSecret;
        ftpHome = Files.createDirectories(dir.resolve("ftps-home"));
        sftpHome = Files.createDirectories(dir.resolve("sftp-home"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(1))), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        certificate = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        certificateSha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        Path ks = dir.resolve("demo-server.p12");
        char[] ksPassword = "demo-keystore".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", kp.getPrivate(), ksPassword, new Certificate[] {certificate});
        try (OutputStream out = Files.newOutputStream(ks)) {
            store.store(out, ksPassword);
        }
        ftps = ftpServer(ks, ksPassword, ftpHome, "127.0.0.1", "127.0.0.1");
        ftpsPort = port(ftps);
        // The firewall case: the passive socket listens on 127.0.0.2, the reply announces 127.0.0.1, where nothing listens.
        firewalled = ftpServer(ks, ksPassword, ftpHome, "127.0.0.2", "127.0.0.1");
        firewalledPort = port(firewalled);

        sftp = SshServer.setUpDefaultServer();
        sftp.setHost("127.0.0.1");
        sftp.setPort(0);
        sftp.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("sftp-hostkey.ser")));
        sftp.setPasswordAuthenticator((u, p, s) -> USER.equals(u) && password.equals(p));
        sftp.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        sftp.setFileSystemFactory(new VirtualFileSystemFactory(sftpHome));
        sftp.start();
        sftpPort = sftp.getPort();
        KeyPair host = sftp.getKeyPairProvider().loadKeys(null).iterator().next();
        hostKeyFingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, host.getPublic());

        hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhookUrl = "http://127.0.0.1:" + hooks.getAddress().getPort() + "/hooks/ferry";
        WebhookVerifier verifier = WebhookVerifier.standard(webhookSecret);
        hooks.createContext("/hooks/ferry", exchange -> {
            byte[] body = WebhookReceiver.readBody(exchange, WebhookReceiver.MAX_BODY);
            if (body == null) {
                rejected.add("a body over " + WebhookReceiver.MAX_BODY + " bytes");
                exchange.sendResponseHeaders(413, -1);
                exchange.close();
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            WebhookVerifier.Result r = verifier.verify(webhookUrl, headers, body);
            int code = 401;
            if (r.valid()) {
                try {
                    if (r.payload() == null) {
                        throw new IOException("a signed body without one JSON 'payload'");
                    }
                    accepted.add(WebhookPayload.parse(r.payload()));
                    code = 200;
                } catch (IOException e) {
                    rejected.add(e.getMessage());
                    code = 400;
                }
            } else {
                rejected.add(r.rejection() + ": " + r.message());
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        hooks.start();
    }

    private static int port(FtpServer s) {
        return ((org.apache.ftpserver.impl.DefaultFtpServer) s).getListener("default").getPort();
    }

    private FtpServer ftpServer(Path ks, char[] ksPassword, Path home, String passiveBind, String passiveAnnounced) throws Exception {
        FtpServerFactory sf = new FtpServerFactory();
        ListenerFactory lf = new ListenerFactory();
        lf.setServerAddress("127.0.0.1");
        lf.setPort(0);
        SslConfigurationFactory ssl = new SslConfigurationFactory();
        ssl.setKeystoreFile(ks.toFile());
        ssl.setKeystorePassword(new String(ksPassword));
        ssl.setKeystoreType("PKCS12");
        ssl.setSslProtocol("TLSv1.3");
        lf.setSslConfiguration(ssl.createSslConfiguration());
        lf.setImplicitSsl(false);
        DataConnectionConfigurationFactory dc = new DataConnectionConfigurationFactory();
        dc.setPassiveAddress(passiveBind);
        dc.setPassiveExternalAddress(passiveAnnounced);
        lf.setDataConnectionConfiguration(dc.createDataConnectionConfiguration());
        Listener listener = lf.createListener();
        sf.addListener("default", listener);
        // TLS required: no login before AUTH TLS, no upload over a clear data channel.
        sf.setFtplets(new HashMap<>(Map.of("require-tls", new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
                String cmd = request.getCommand().toUpperCase(java.util.Locale.ROOT);
                if ((cmd.equals("USER") || cmd.equals("PASS")) && !session.isSecure()) {
                    session.write(new org.apache.ftpserver.ftplet.DefaultFtpReply(530, "TLS required: send AUTH TLS first."));
                    return FtpletResult.SKIP;
                }
                if ((cmd.equals("STOR") || cmd.equals("APPE")) && !session.getDataConnection().isSecure()) {
                    session.write(new org.apache.ftpserver.ftplet.DefaultFtpReply(521, "Data connections must be encrypted (PROT P)."));
                    return FtpletResult.SKIP;
                }
                return FtpletResult.DEFAULT;
            }
        })));
        PropertiesUserManagerFactory umf = new PropertiesUserManagerFactory();
        UserManager um = umf.createUserManager();
        BaseUser u = new BaseUser();
        u.setName(USER);
        u.setPassword(password);
        u.setHomeDirectory(home.toString());
        u.setAuthorities(List.<Authority>of(new WritePermission()));
        um.save(u);
        sf.setUserManager(um);
        FtpServer server = sf.createServer();
        server.start();
        return server;
    }

    @Override
    public void close() {
        hooks.stop(0);
        ftps.stop();
        firewalled.stop();
        try {
            sftp.stop(true);
        } catch (IOException e) {
            // closing anyway
        }
    }
}
