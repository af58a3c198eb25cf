package dev.ferry.dropbox;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.dropbox.internal.DropboxSettings;
import dev.ferry.dropbox.internal.DropboxStorageTarget;

import java.util.Optional;
import java.util.Set;

/**
 * The provider of the {@code dropbox} URI scheme, found by {@link java.util.ServiceLoader}: {@code dropbox:/PATH} (or
 * {@code dropbox:///PATH}), the folder in the account or in the app's folder. Credentials:
 * {@code Credentials.password(appKey, refreshToken)} for an app without a secret (PKCE), or
 * {@code Credentials.password(DropboxTarget.ACCESS_TOKEN, accessToken)} for a short-lived token; a confidential app's
 * secret is given to {@link DropboxTarget.Builder#appSecret}. Options in the query: {@code chunk-size},
 * {@code single-upload-limit}.
 */
public final class DropboxProvider implements StorageTargetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public DropboxProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("dropbox");
    }

    /** Dropbox's API host: a {@code dropbox:} URI names none. */
    @Override
    public Optional<String> defaultHost() {
        return Optional.of(DropboxSettings.API_HOST);
    }

    /**
     * @throws TransferException {@code BAD_INPUT} naming the option that is wrong, or for a URI naming a host
     */
    @Override
    public StorageTarget open(TargetConfig config) throws TransferException {
        return new DropboxStorageTarget(config, DropboxSettings.from(config));
    }
}
