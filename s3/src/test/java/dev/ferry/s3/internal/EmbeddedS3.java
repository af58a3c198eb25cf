package dev.ferry.s3.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.s3.testing.S3ProxyServer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The module's tests' view of {@link S3ProxyServer} (plain HTTP): targets on it, with the internal types.
 */
final class EmbeddedS3 implements AutoCloseable {
    static final String ACCESS_KEY = S3ProxyServer.ACCESS_KEY;
    static final String SECRET = S3ProxyServer.SECRET;
    static final String BUCKET = S3ProxyServer.BUCKET;

    private final S3ProxyServer server;

    private EmbeddedS3(S3ProxyServer server) {
        this.server = server;
    }

    static EmbeddedS3 start(Path dir) throws Exception {
        return new EmbeddedS3(S3ProxyServer.start(dir));
    }

    URI endpoint() {
        return server.endpoint();
    }

    /** The file S3Proxy stores an object's bytes in. */
    Path objectFile(String key) {
        return server.objectFile(key);
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
        server.close();
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
