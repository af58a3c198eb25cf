package dev.ferry.s3.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.HttpsTrust;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import javax.net.ssl.TrustManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An S3 {@link dev.ferry.core.StorageTarget} on the AWS SDK for Java v2: one {@link S3Client} per target (thread-safe,
 * with its own HTTP connection reuse), built on first use and closed by {@link #close()}; the pool's sessions are
 * {@link S3Session}s that share it. Multipart uploads that an attempt left for the next one to resume are remembered
 * here, by upload, and aborted when the target closes.
 *
 * <p>Credentials: {@link Credentials#password} gives the access key id (as the user name) and the secret access key;
 * a user name without a secret means the SDK's default chain (environment, profile, container or instance role).
 */
public final class S3StorageTarget extends AbstractStorageTarget {
    /** The SDK's own attempts per request: a failed part or a throttled request ({@code SlowDown}, 503) is retried. */
    static final int SDK_ATTEMPTS = 3;

    /** A multipart upload an attempt left, for the next attempt of the same upload. */
    record Multipart(String key, String uploadId, long partSize) {
    }

    private final S3Settings settings;
    private final TrustManager[] trustManagers;
    private final Object lock = new Object();
    private S3Client client;
    private SdkHttpClient http;
    private AwsCredentialsProvider credentialsProvider;
    private final Map<String, Multipart> pending = new ConcurrentHashMap<>();

    public S3StorageTarget(TargetConfig config, S3Settings settings) throws TransferException {
        super(config, "s3", settings.servicePort());
        this.settings = settings;
        this.trustManagers = trustManagers(config.tls());
    }

    S3Settings settings() {
        return settings;
    }

    /** The trust the probe's own TLS handshake uses: the same as the client's ({@code null}: the JDK's). */
    TrustManager[] trustManagersForProbe() {
        return trustManagers == null ? null : trustManagers.clone();
    }

    /** Whether the credentials are the SDK's default chain (no secret given). */
    boolean defaultCredentials() {
        return config().credentials().password().isEmpty();
    }

    /** The object key of an absolute path ({@code /prefix/a.mp4} is {@code prefix/a.mp4}). */
    static String key(String absolutePath) {
        return absolutePath.startsWith("/") ? absolutePath.substring(1) : absolutePath;
    }

    static String key(RemotePath absolutePath) {
        return key(absolutePath.toString());
    }

    /** The client, built on first use; never after {@link #close()}. */
    S3Client client() throws TransferException {
        synchronized (lock) {
            if (isClosed()) {
                throw TransferException.builder(Reason.CANCELLED, "the target " + info().redactedUri() + " is closed")
                        .hint("a closed target cannot connect again: make a new one").build();
            }
            if (client == null) {
                UrlConnectionHttpClient.Builder h = UrlConnectionHttpClient.builder()
                        .connectionTimeout(config().connectTimeout()).socketTimeout(config().dataTimeout());
                if (trustManagers != null) {
                    h.tlsTrustManagersProvider(() -> trustManagers);
                }
                SdkHttpClient httpClient = h.build();
                AwsCredentialsProvider creds = credentials(config().credentials());
                S3ClientBuilder b = S3Client.builder().httpClient(httpClient).region(Region.of(settings.region()))
                        .credentialsProvider(creds).forcePathStyle(settings.pathStyle())
                        // Ferry asks for CRC32C itself where it wants one, and checks what comes back.
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                        .overrideConfiguration(o -> {
                            o.addExecutionInterceptor(new TranscriptInterceptor());
                            settings.interceptors().forEach(o::addExecutionInterceptor);
                            o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(SDK_ATTEMPTS).build());
                        });
                if (settings.endpoint() != null) {
                    b.endpointOverride(settings.endpoint());
                }
                client = b.build();
                http = httpClient;
                credentialsProvider = creds;
            }
            return client;
        }
    }

    private static AwsCredentialsProvider credentials(Credentials c) {
        return c.password().<AwsCredentialsProvider>map(secret -> StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.username(), new String(secret))))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }

    /** The trust for an https endpoint with a private CA, or {@code null} for the JDK's; what S3 cannot do is refused. */
    private static TrustManager[] trustManagers(TlsOptions tls) throws TransferException {
        return HttpsTrust.trustManagers(tls, "S3");
    }

    @Override
    protected PreparedUpload prepare(Upload u) throws TransferException {
        PreparedUpload p = super.prepare(u);
        // Before any request of the batch: a key S3 would refuse fails the batch now.
        S3Settings.validKey(key(p.absolutePath()));
        if (p.sourceLength() < 0) {
            throw TransferException.builder(Reason.BAD_INPUT, "S3 needs the length of " + u.source().describe()
                    + " before the upload").hint("give a ContentSource whose length() is known, e.g. a file").build();
        }
        if (p.sourceLength() > S3Settings.MAX_OBJECT) {
            throw TransferException.builder(Reason.BAD_INPUT, u.source().describe() + " has " + p.sourceLength()
                    + " bytes; an S3 object has at most 5 TiB").build();
        }
        return p;
    }

    @Override
    public TargetInfo info() {
        return new TargetInfo("s3", settings.serviceHost(), settings.servicePort(), config().baseDirectory().toString(),
                "s3://" + settings.bucket() + "/" + settings.prefix());
    }

    /** The object's URL ({@code https://bucket.s3.region.amazonaws.com/key}), without any secret. */
    @Override
    public String location(String path) {
        return settings.objectUrl(key(path));
    }

    @Override
    protected Session connect(Transcript transcript) throws TransferException {
        return new S3Session(this, client());
    }

    @Override
    public ProbeReport probe() {
        return new S3Probe(this, newTranscript()).run();
    }

    Multipart pending(String upload) {
        return pending.get(upload);
    }

    void remember(String upload, Multipart m) {
        pending.put(upload, m);
    }

    void forget(String upload) {
        pending.remove(upload);
    }

    @Override
    public void close() {
        super.close();
        synchronized (lock) {
            if (client == null) {
                return;
            }
            try {
                // What a failed attempt left for a retry that will now never come: S3 would keep (and bill) its parts.
                for (Multipart m : pending.values()) {
                    try {
                        client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(settings.bucket())
                                .key(m.key()).uploadId(m.uploadId()).build());
                    } catch (RuntimeException ignored) {
                        // best effort: the bucket's lifecycle rule removes what is left
                    }
                }
                pending.clear();
            } finally {
                client.close();
                http.close();
                if (credentialsProvider instanceof SdkAutoCloseable c) {
                    c.close();
                }
                client = null;
            }
        }
    }
}
