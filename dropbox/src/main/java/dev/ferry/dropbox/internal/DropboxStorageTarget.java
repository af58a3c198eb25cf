package dev.ferry.dropbox.internal;

import com.dropbox.core.DbxRequestConfig;
import com.dropbox.core.oauth.DbxCredential;
import com.dropbox.core.v2.DbxClientV2;
import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
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

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLSocketFactory;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Dropbox {@link dev.ferry.core.StorageTarget} on the Dropbox Java SDK. Each pooled {@link DropboxSession} has its own
 * SDK client and requestor; they share one credential, which the SDK refreshes when its short-lived access token ends.
 * Upload sessions that a failed attempt left are remembered here, by upload, for the next attempt to continue; Dropbox
 * drops an unfinished one after 7 days, and there is no call to cancel one.
 *
 * <p>Credentials: {@code Credentials.password(appKey, refreshToken)} (plus {@link DropboxSettings#appSecret()} for a
 * confidential app), or {@code Credentials.password("access-token", token)}.
 */
public final class DropboxStorageTarget extends AbstractStorageTarget {
    /** An upload session an attempt left, and the offset Dropbox last confirmed. */
    record Pending(String sessionId, long confirmed) {
    }

    private final DropboxSettings settings;
    private final SSLSocketFactory sockets;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private DbxCredential credential;

    /**
     * @throws TransferException {@code BAD_INPUT} without a token, or for trust options Dropbox's client cannot use
     */
    public DropboxStorageTarget(TargetConfig config, DropboxSettings settings) throws TransferException {
        super(config, "dropbox", settings.apiPort());
        this.settings = settings;
        Credentials c = config.credentials();
        if (c.password().isEmpty()) {
            throw TransferException.builder(Reason.BAD_INPUT, "no Dropbox token: the credentials for " + c.username() + " have no secret")
                    .hint("give Credentials.password(appKey, refreshToken) or Credentials.password(\"access-token\", token); "
                            + "never put a token in the URI").build();
        }
        if (settings.appSecret() != null && DropboxSettings.isAccessToken(c)) {
            throw new IllegalStateException("appSecret goes with a refresh token, not with an access token");
        }
        this.sockets = sockets(config.tls());
    }

    DropboxSettings settings() {
        return settings;
    }

    SSLSocketFactory socketsForProbe() {
        return sockets;
    }

    /** Whether the credential can get a new access token (a refresh token, not a bare access token). */
    boolean canRefresh() {
        return !DropboxSettings.isAccessToken(config().credentials());
    }

    DropboxHttp newHttp() {
        return new DropboxHttp(config(), settings, sockets);
    }

    /** A new SDK client on {@code http}, with the target's credential. */
    DbxClientV2 newClient(DropboxHttp http) {
        // The SDK's own retries are off: 429, 503 and 5xx are retried by DropboxUploader, which honours the deadline.
        DbxRequestConfig rc = DbxRequestConfig.newBuilder("ferry").withHttpRequestor(http).withAutoRetryDisabled().build();
        return new DbxClientV2(rc, credential());
    }

    /**
     * The credential every session's client shares, so that a new session (after a failed attempt, say) reuses the
     * access token instead of getting another. Two sessions refreshing at once both get a valid token.
     */
    private DbxCredential credential() {
        synchronized (this) {
            if (credential == null) {
                credential = newCredential();
            }
            return credential;
        }
    }

    private DbxCredential newCredential() {
        Credentials c = config().credentials();
        String secret = new String(c.password().orElseThrow());
        DbxCredential credential;
        if (DropboxSettings.isAccessToken(c)) {
            credential = new DbxCredential(secret);
        } else {
            // No access token yet, and "expired": the SDK gets one from the refresh token before the first call.
            credential = new DbxCredential("", 0L, secret, c.username(),
                    settings.appSecret() == null ? null : settings.appSecret().value());
        }
        return credential;
    }

    private static SSLSocketFactory sockets(TlsOptions tls) throws TransferException {
        TrustManager[] trust = HttpsTrust.trustManagers(tls, "Dropbox");
        if (trust == null) {
            return null;
        }
        try {
            // A context of this target only: the JVM's default SSLContext stays as it is.
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust, null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new TransferException(Reason.BAD_INPUT, "cannot use the given trust store: " + e.getMessage(), e);
        }
    }

    @Override
    protected PreparedUpload prepare(Upload u) throws TransferException {
        PreparedUpload p = super.prepare(u);
        if (p.sourceLength() < 0) {
            throw TransferException.builder(Reason.BAD_INPUT, "Dropbox needs the length of " + u.source().describe()
                    + " before the upload").hint("give a ContentSource whose length() is known, e.g. a file").build();
        }
        if (p.sourceLength() > DropboxSettings.MAX_FILE) {
            throw TransferException.builder(Reason.BAD_INPUT, u.source().describe() + " has " + p.sourceLength()
                    + " bytes; a Dropbox file has at most 350 GB").build();
        }
        return p;
    }

    @Override
    protected Transcript newTranscript() {
        Transcript t = super.newTranscript();
        if (settings.appSecret() != null) {
            t.addSecret(settings.appSecret().value());
        }
        return t;
    }

    @Override
    public TargetInfo info() {
        String base = config().baseDirectory().toString();
        return new TargetInfo("dropbox", settings.apiUrl().getHost(), settings.apiPort(), base, "dropbox:" + base);
    }

    /** {@code dropbox:/folder/file.mp4}: the path in the account (or app folder), without any secret. */
    @Override
    public String location(String path) {
        return "dropbox:" + path;
    }

    @Override
    protected Session connect(Transcript transcript) throws TransferException {
        if (isClosed()) {
            throw TransferException.builder(Reason.CANCELLED, "the target " + info().redactedUri() + " is closed")
                    .hint("a closed target cannot connect again: make a new one").build();
        }
        return new DropboxSession(this);
    }

    @Override
    public ProbeReport probe() {
        return new DropboxProbe(this, newTranscript()).run();
    }

    Pending pending(String upload) {
        return pending.get(upload);
    }

    void remember(String upload, Pending p) {
        pending.put(upload, p);
    }

    void forget(String upload) {
        pending.remove(upload);
    }

    @Override
    public void close() {
        super.close();
        pending.clear();
    }
}
