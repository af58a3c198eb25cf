package dev.ferry.core;

import java.util.Optional;
import java.util.Set;

/**
 * Opens {@link StorageTarget}s for some URI schemes. Implementations are found by
 * {@link java.util.ServiceLoader} (a {@code META-INF/services/dev.ferry.core.StorageTargetProvider}
 * file), so a host application gets the schemes of the modules it has on its class path.
 */
public interface StorageTargetProvider {
    /** The URI schemes this provider opens, lower case (e.g. {@code ftp}, {@code ftps}). */
    Set<String> schemes();

    /**
     * Creates a target for the configuration. Opening does not connect; the first upload or probe does.
     *
     * @throws TransferException {@code BAD_INPUT} if the configuration cannot work for this protocol
     */
    StorageTarget open(TargetConfig config) throws TransferException;

    /**
     * The host a URI of this provider's scheme means when it names none ({@code dropbox:/dir}, {@code dropbox:///dir}):
     * a service with one fixed endpoint has one. Empty (the default) makes such a URI {@code BAD_INPUT}.
     */
    default Optional<String> defaultHost() {
        return Optional.empty();
    }
}
