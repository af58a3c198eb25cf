package dev.ferry.s3.testing;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real S3 server for tests: S3Proxy in this JVM, on 127.0.0.1 and a free port (plain HTTP, or HTTPS with a given key
 * store), storing objects as files under a directory, with signatures checked against one access key. One bucket,
 * {@link #BUCKET}, exists from the start.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The access key id the server accepts. */
    public static final String ACCESS_KEY = "AKIAFERRYTEST0000001";
    /** Its secret, which no output may show. */
    public static final String SECRET = "ferry-s3-secret/never+shown=42";
    /** The bucket that exists. */
    public static final String BUCKET = "ferry-test";

    private final Path base;
    private final S3Proxy proxy;
    private final boolean secure;

    private S3ProxyServer(Path base, S3Proxy proxy, boolean secure) {
        this.base = base;
        this.proxy = proxy;
        this.secure = secure;
    }

    /** A plain-HTTP server storing under {@code dir/s3}. */
    public static S3ProxyServer start(Path dir) throws Exception {
        return start(dir, null, null);
    }

    /**
     * A server storing under {@code dir/s3}: HTTPS with the key store's certificate when {@code keyStore} is given (its
     * password being {@code password}), else plain HTTP.
     */
    public static S3ProxyServer start(Path dir, Path keyStore, String password) throws Exception {
        Path base = Files.createDirectories(dir.resolve("s3"));
        Files.createDirectories(base.resolve(BUCKET));
        S3Proxy.Builder b = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(base.toString()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET);
        if (keyStore != null) {
            b.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(keyStore.toString(), password);
        } else {
            b.endpoint(URI.create("http://127.0.0.1:0"));
        }
        S3Proxy proxy = b.build();
        proxy.start();
        for (int i = 0; i < 200 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(25); // bounded: S3Proxy starts Jetty on its own thread
        }
        if (!"STARTED".equals(proxy.getState())) {
            proxy.stop();
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        return new S3ProxyServer(base, proxy, keyStore != null);
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}. */
    public URI endpoint() {
        return secure ? URI.create("https://127.0.0.1:" + proxy.getSecurePort()) : URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** The file S3Proxy stores an object of {@link #BUCKET} in. */
    public Path objectFile(String key) {
        return base.resolve(BUCKET).resolve(key);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
