package dev.ferry.ftp.testing;

import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Apache FtpServer on 127.0.0.1, port 0, with explicit TLS (or plain), one user with a home directory. */
public final class EmbeddedFtpServer implements AutoCloseable {
    public static final String USER = "alice";
    public static final String PASSWORD = "Pw-embedded-7f3c9a";

    private final FtpServer server;
    private final int port;
    private final Path home;
    private final TestCertificates certificates;

    private EmbeddedFtpServer(FtpServer server, int port, Path home, TestCertificates certificates) {
        this.server = server;
        this.port = port;
        this.home = home;
        this.certificates = certificates;
    }

    /** Starts a server with explicit TLS available (clients choose with AUTH TLS). */
    public static EmbeddedFtpServer startTls(Path dir) throws Exception {
        return start(dir, "TLSv1.3", "127.0.0.1");
    }

    /** Starts a server with explicit TLS limited to one protocol version, e.g. {@code TLSv1.2}. */
    public static EmbeddedFtpServer startTls(Path dir, String protocol) throws Exception {
        return start(dir, protocol, "127.0.0.1");
    }

    /** Starts a server with explicit TLS on a given loopback address ({@code 127.0.0.1} or {@code ::1}). */
    public static EmbeddedFtpServer startTls(Path dir, String protocol, String address) throws Exception {
        return start(dir, protocol, address);
    }

    /** Starts a plain FTP server. */
    public static EmbeddedFtpServer startPlain(Path dir) throws Exception {
        return start(dir, null, "127.0.0.1");
    }

    private static EmbeddedFtpServer start(Path dir, String tlsProtocol, String address) throws Exception {
        boolean tls = tlsProtocol != null;
        Path home = Files.createDirectories(dir.resolve("home"));
        FtpServerFactory sf = new FtpServerFactory();
        ListenerFactory lf = new ListenerFactory();
        lf.setServerAddress(address);
        lf.setPort(0);
        DataConnectionConfigurationFactory dc = new DataConnectionConfigurationFactory();
        dc.setPassiveAddress(address);
        dc.setPassiveExternalAddress(address);
        lf.setDataConnectionConfiguration(dc.createDataConnectionConfiguration());
        TestCertificates certs = null;
        if (tls) {
            certs = TestCertificates.create(dir);
            SslConfigurationFactory ssl = new SslConfigurationFactory();
            ssl.setKeystoreFile(certs.keyStore().toFile());
            ssl.setKeystorePassword(certs.keyStorePassword());
            ssl.setKeystoreType("PKCS12");
            ssl.setSslProtocol(tlsProtocol);
            lf.setSslConfiguration(ssl.createSslConfiguration());
            lf.setImplicitSsl(false);
        }
        sf.addListener("default", lf.createListener());
        PropertiesUserManagerFactory umf = new PropertiesUserManagerFactory();
        UserManager um = umf.createUserManager();
        BaseUser u = new BaseUser();
        u.setName(USER);
        u.setPassword(PASSWORD);
        u.setHomeDirectory(home.toString());
        u.setAuthorities(List.<Authority>of(new WritePermission()));
        um.save(u);
        sf.setUserManager(um);
        FtpServer server = sf.createServer();
        server.start();
        int port = ((Listener) sf.getListener("default")).getPort();
        return new EmbeddedFtpServer(server, port, home, certs);
    }

    public int port() {
        return port;
    }

    public Path home() {
        return home;
    }

    public TestCertificates certificates() {
        return certificates;
    }

    @Override
    public void close() {
        server.stop();
    }
}
