package dev.ferry.dropbox;

import dev.ferry.core.Credentials;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetBuilder;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.dropbox.internal.DropboxSettings;
import dev.ferry.dropbox.internal.DropboxStorageTarget;

import java.net.URI;
import java.util.Objects;

/**
 * Builds a Dropbox {@link StorageTarget} without a URI.
 *
 * <pre>{@code
 * try (StorageTarget target = DropboxTarget.builder()
 *         .refreshToken("APP_KEY", System.getenv("DROPBOX_REFRESH_TOKEN").toCharArray())
 *         .baseDirectory("/recordings")
 *         .build()) {
 *     UploadResult r = target.upload(Upload.of(Path.of("rec-42.mp4")));
 *     r.remotePath();  // /recordings/rec-42.mp4, or /recordings/rec-42 (1).mp4 after Dropbox's autorename
 * }
 * }</pre>
 *
 * <p>Files up to the single-upload limit (16 MiB) go in one request; larger ones by upload session, in chunks of a
 * multiple of 4 MiB (64 MiB by default) streamed from the source, so memory stays constant. After the upload Dropbox's
 * {@code content_hash} of the file must equal the source's, or the upload fails with {@code VERIFY_FAILED}; the result's
 * verification is {@code CHECKSUM}. A retried upload continues its upload session where Dropbox has it. The app needs
 * the scopes {@code files.content.write} and {@code files.metadata.read} (and {@code account_info.read} for the
 * connection test). The built target is thread-safe; see {@link StorageTarget}.
 */
public final class DropboxTarget {
    /** The user name of {@link Credentials} whose password is a short-lived access token. */
    public static final String ACCESS_TOKEN = DropboxSettings.ACCESS_TOKEN_USER;

    private DropboxTarget() {
    }

    /** A new builder: Dropbox's endpoints, the JDK's trust store, the whole Dropbox (or app folder) as base directory. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a Dropbox target; reusable. The options every target has (credentials, base directory, timeouts, retries,
     * sessions) are those of {@link TargetBuilder}; this adds Dropbox's tokens and upload sizes.
     */
    public static final class Builder extends TargetBuilder<Builder> {
        private char[] appSecret;
        private URI api = DropboxSettings.DROPBOX_API;
        private URI content = DropboxSettings.DROPBOX_CONTENT;
        private long chunkSize = DropboxSettings.DEFAULT_CHUNK;
        private long singleUploadLimit = DropboxSettings.DEFAULT_SINGLE_LIMIT;

        private Builder() {
        }

        /** A long-lived login: the app's key and a refresh token; the SDK gets short-lived access tokens from them. */
        public Builder refreshToken(String appKey, char[] refreshToken) {
            Objects.requireNonNull(appKey, "appKey");
            if (ACCESS_TOKEN.equals(appKey)) {
                throw new IllegalArgumentException("appKey must be the app's key from the App Console");
            }
            return credentials(Credentials.password(appKey, Objects.requireNonNull(refreshToken, "refreshToken")));
        }

        /** A confidential app's secret, used with {@link #refreshToken}; none for an app that uses PKCE. */
        public Builder appSecret(char[] secret) {
            this.appSecret = Objects.requireNonNull(secret, "appSecret").clone();
            return this;
        }

        /** A short-lived access token, for a one-off: it cannot be refreshed. */
        public Builder accessToken(char[] token) {
            this.appSecret = null;
            return credentials(Credentials.password(ACCESS_TOKEN, Objects.requireNonNull(token, "accessToken")));
        }

        /** Bytes per upload-session request: a multiple of 4 MiB up to 140 MiB (default 64 MiB). */
        public Builder chunkSize(long bytes) {
            this.chunkSize = bytes;
            return this;
        }

        /** Files up to this size go in one request (default 16 MiB; at most 150 MB). */
        public Builder singleUploadLimit(long bytes) {
            this.singleUploadLimit = bytes;
            return this;
        }

        /**
         * A Dropbox-compatible server instead of Dropbox (a test stand-in): where {@code https://api.dropboxapi.com} and
         * {@code https://content.dropboxapi.com} calls go. https only; its certificate is checked with {@link #tls}.
         */
        public Builder apiEndpoints(URI apiUrl, URI contentUrl) {
            this.api = Objects.requireNonNull(apiUrl, "apiUrl");
            this.content = Objects.requireNonNull(contentUrl, "contentUrl");
            return this;
        }

        /** How the server's certificate is trusted (the JDK trust store by default; a private CA for a test server). */
        @Override
        public Builder tls(TlsOptions options) {
            return super.tls(options);
        }

        /**
         * Validates everything and builds the target (no request yet).
         *
         * @throws IllegalStateException if no token was given, or an app secret with an access token
         * @throws IllegalArgumentException naming the Dropbox setting that is out of range
         * @throws TransferException {@code BAD_INPUT} for an invalid base directory
         */
        public StorageTarget build() throws TransferException {
            host(DropboxSettings.API_HOST);
            TargetConfig config = toConfig("dropbox");
            DropboxSettings s = new DropboxSettings(chunkSize, singleUploadLimit, api, content, null).withAppSecret(appSecret);
            return new DropboxStorageTarget(config, s);
        }
    }
}
