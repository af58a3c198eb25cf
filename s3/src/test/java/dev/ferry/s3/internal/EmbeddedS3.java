package dev.ferry.s3.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real S3 server for the tests: S3Proxy in this JVM, on 127.0.0.1 and a free port, storing objects as files under a
 * directory, with signatures checked against one access key.
 */
final class EmbeddedS3 implements AutoCloseable {
    static final String ACCESS_KEY = "AKIAFERRYTEST0000001";
    static final String SECRET = "ferry-s3-secret/never+shown=42";
    static final String BUCKET = "ferry-test";

    private final Path base;
    private final S3Proxy proxy;

    private EmbeddedS3(Path base, S3Proxy proxy) {
        this.base = base;
        this.proxy = proxy;
    }

    static EmbeddedS3 start(Path dir) throws Exception {
        Path base = Files.createDirectories(dir.resolve("s3"));
        Files.createDirectories(base.resolve(BUCKET));
        S3Proxy proxy = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(base.toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET)
                .build();
        proxy.start();
        for (int i = 0; i < 200 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(25); // bounded: S3Proxy starts Jetty on its own thread
        }
        if (!"STARTED".equals(proxy.getState())) {
            proxy.stop();
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        return new EmbeddedS3(base, proxy);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** The file S3Proxy stores an object's bytes in. */
    Path objectFile(String key) {
        return base.resolve(BUCKET).resolve(key);
    }

    /** A target on this server, with the given key and secret, extra SDK interceptors and settings changes. */
    S3StorageTarget target(String prefix, String accessKey, String secret, RetryPolicy retry, List<software.amazon.awssdk.core
            .interceptor.ExecutionInterceptor> interceptors, UnaryOperator<TargetConfig.Builder> more) throws TransferException {
        TargetConfig.Builder b = TargetConfig.builder("s3://" + BUCKET + "/" + prefix + "?path-style=true")
                .credentials(Credentials.password(accessKey, secret.toCharArray())).retryPolicy(retry)
                .timeouts(Duration.ofSeconds(20));
        TargetConfig config = more.apply(b).build();
        S3Settings settings = S3Settings.from(config).withPlainHttpEndpoint(endpoint()).withInterceptors(interceptors);
        return new S3StorageTarget(config, settings);
    }

    S3StorageTarget target(String prefix, List<software.amazon.awssdk.core.interceptor.ExecutionInterceptor> interceptors)
            throws TransferException {
        return target(prefix, interceptors, b -> b);
    }

    /** A target whose files above 5 MiB go in parts of 5 MiB (S3's smallest), so small test files make several parts. */
    S3StorageTarget multipartTarget(String prefix, List<software.amazon.awssdk.core.interceptor.ExecutionInterceptor> interceptors)
            throws TransferException {
        return target(prefix, interceptors, b -> b.property("multipart-threshold", Long.toString(S3Settings.MIN_PART))
                .property("part-size", Long.toString(S3Settings.MIN_PART)));
    }

    S3StorageTarget target(String prefix, List<software.amazon.awssdk.core.interceptor.ExecutionInterceptor> interceptors,
                           UnaryOperator<TargetConfig.Builder> more) throws TransferException {
        return target(prefix, ACCESS_KEY, SECRET, RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10))
                .build(), interceptors, more);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (var s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s::iterator) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
