package dev.ferry.s3.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A session of the target's pool. S3 has no login and no connection to keep: HTTP connections are the SDK's to reuse,
 * so a session is the shared client plus the rule that one thread uses it at a time.
 */
final class S3Session implements AbstractStorageTarget.Session {
    private final S3StorageTarget target;
    private final S3Client s3;
    private volatile boolean open = true;

    S3Session(S3StorageTarget target, S3Client s3) {
        this.target = target;
        this.s3 = s3;
    }

    @Override
    public UploadResult upload(PreparedUpload upload, Transcript transcript) throws TransferException {
        return new S3Uploader(target, s3, transcript).upload(upload);
    }

    @Override
    public boolean isUsable(Transcript transcript) {
        return open;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public ConnectionInfo connectionInfo() {
        S3Settings s = target.settings();
        String server = "S3 " + s.serviceHost() + ":" + s.servicePort() + " (region " + s.region() + ")";
        // The JDK's HTTPS client does not show its handshake; the connection test reports the TLS version and certificate.
        return s.isPlainHttp() ? ConnectionInfo.plain(server) : new ConnectionInfo("TLS", null, null, server);
    }

    @Override
    public void close() {
        open = false;
    }
}
