package dev.ferry.dropbox.internal;

import com.dropbox.core.v2.DbxClientV2;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;

/**
 * A session of the target's pool: an SDK client with its own credential and requestor. Dropbox's API is stateless
 * HTTPS, so there is no login to keep; connections are the JDK's to reuse. Used by one thread at a time.
 */
final class DropboxSession implements AbstractStorageTarget.Session {
    private final DropboxStorageTarget target;
    private final DropboxHttp http;
    private final DbxClientV2 client;
    private volatile boolean open = true;

    DropboxSession(DropboxStorageTarget target) {
        this.target = target;
        this.http = target.newHttp();
        this.client = target.newClient(http);
    }

    @Override
    public UploadResult upload(PreparedUpload upload, Transcript transcript) throws TransferException {
        http.transcript(transcript);
        return new DropboxUploader(target, client, transcript, connectionInfo()).upload(upload);
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
        // HttpURLConnection does not show its handshake; the connection test reports the TLS version.
        return new ConnectionInfo("TLS", null, null, "Dropbox API " + target.settings().apiUrl().getHost());
    }

    @Override
    public void close() {
        open = false;
    }
}
