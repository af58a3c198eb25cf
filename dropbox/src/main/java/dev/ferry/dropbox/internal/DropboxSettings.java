package dev.ferry.dropbox.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProviderParameters;

import java.net.URI;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Dropbox target's own options, read once: from the URI query ({@code chunk-size}, {@code single-upload-limit}) or the
 * builder, ranges checked here for both. The endpoints are Dropbox's unless the builder names a Dropbox-compatible
 * server; a URI can never send the tokens elsewhere.
 *
 * @param chunkSize bytes per upload-session request: a multiple of 4 MiB, at most 140 MiB (Dropbox takes 150 MB a request)
 * @param singleUploadLimit files up to this size go in one request; larger ones by upload session
 * @param apiUrl where {@code https://api.dropboxapi.com} calls go
 * @param contentUrl where {@code https://content.dropboxapi.com} calls go
 * @param appSecret a confidential app's secret, or {@code null} (PKCE app, or an access token)
 */
public record DropboxSettings(long chunkSize, long singleUploadLimit, URI apiUrl, URI contentUrl, Secret appSecret) {
    public static final String API_HOST = "api.dropboxapi.com";
    public static final URI DROPBOX_API = URI.create("https://" + API_HOST);
    public static final URI DROPBOX_CONTENT = URI.create("https://content.dropboxapi.com");
    /** The user name of {@link Credentials} that means "the password is a short-lived access token". */
    public static final String ACCESS_TOKEN_USER = "access-token";
    public static final long MIB = 1024 * 1024;
    public static final long DEFAULT_CHUNK = 64 * MIB;
    public static final long DEFAULT_SINGLE_LIMIT = 16 * MIB;
    /** Dropbox refuses a request body over 150 MB (10^6 bytes each); 35 blocks of 4 MiB is the most below it. */
    public static final long MAX_REQUEST = 150_000_000L;
    public static final long MAX_CHUNK = MAX_REQUEST / ContentHash.BLOCK * ContentHash.BLOCK;
    /** Dropbox's largest file by upload session. */
    public static final long MAX_FILE = 350L * 1024 * 1024 * 1024;

    /** A secret that never shows in {@code toString()}. */
    public static final class Secret {
        private final char[] value;

        public Secret(char[] value) {
            this.value = Objects.requireNonNull(value, "secret").clone();
        }

        String value() {
            return new String(value);
        }

        @Override
        public String toString() {
            return "****";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && Arrays.equals(value, s.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }
    }

    public DropboxSettings {
        if (chunkSize < ContentHash.BLOCK || chunkSize > MAX_CHUNK || chunkSize % ContentHash.BLOCK != 0) {
            throw new IllegalArgumentException("chunk-size must be a multiple of 4 MiB (4194304) from 4 MiB to "
                    + MAX_CHUNK + " bytes, got " + chunkSize);
        }
        if (singleUploadLimit < 0 || singleUploadLimit > MAX_REQUEST) {
            throw new IllegalArgumentException("single-upload-limit must be from 0 to " + MAX_REQUEST + " bytes, got "
                    + singleUploadLimit);
        }
        Objects.requireNonNull(apiUrl, "apiUrl");
        Objects.requireNonNull(contentUrl, "contentUrl");
        for (URI u : new URI[] {apiUrl, contentUrl}) {
            if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException("a Dropbox endpoint must be https://host[:port][/path], got " + u);
            }
        }
    }

    /**
     * The settings of {@code config}: its query, and Dropbox's endpoints.
     *
     * @throws TransferException {@code BAD_INPUT} naming the parameter, or for a host other than Dropbox's
     */
    public static DropboxSettings from(TargetConfig config) throws TransferException {
        ProviderParameters p = ProviderParameters.of(config, "Dropbox", "chunk-size=BYTES (multiple of 4 MiB), "
                + "single-upload-limit=BYTES");
        if (!API_HOST.equals(config.host())) {
            // The tokens go to the host of the URI: only Dropbox's own, whatever a URI says.
            throw TransferException.builder(Reason.BAD_INPUT, "a Dropbox URI names no host (dropbox:/folder), got "
                    + config.redactedUri()).hint("write dropbox:/folder; a Dropbox-compatible test server is set in code "
                    + "(DropboxTarget.Builder.apiEndpoints)").build();
        }
        long chunk = p.get("chunk-size", Long::parseLong, DEFAULT_CHUNK);
        long single = p.get("single-upload-limit", Long::parseLong, DEFAULT_SINGLE_LIMIT);
        try {
            return new DropboxSettings(chunk, single, DROPBOX_API, DROPBOX_CONTENT, null);
        } catch (IllegalArgumentException e) {
            throw p.invalid(e.getMessage());
        }
    }

    /** These settings with a confidential app's secret (builder only: a secret never comes from a URI). */
    public DropboxSettings withAppSecret(char[] secret) {
        return new DropboxSettings(chunkSize, singleUploadLimit, apiUrl, contentUrl, secret == null ? null : new Secret(secret));
    }

    /** These settings with a Dropbox-compatible server's endpoints (builder only). */
    public DropboxSettings withEndpoints(URI api, URI content) {
        return new DropboxSettings(chunkSize, singleUploadLimit, api, content, appSecret);
    }

    /** The API's port. */
    int apiPort() {
        return apiUrl.getPort() < 0 ? 443 : apiUrl.getPort();
    }

    /** Whether the credentials are a short-lived access token rather than a refresh token. */
    static boolean isAccessToken(Credentials c) {
        return ACCESS_TOKEN_USER.equals(c.username());
    }
}
