package dev.ferry.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a {@link StorageTarget} by URI scheme through the providers on the class path.
 *
 * <pre>{@code
 * StorageTarget t = StorageTargets.open(URI.create("sftp://alice@host/srv/in"),
 *         Credentials.privateKey("alice", Path.of("id_ed25519"), null));
 * }</pre>
 */
public final class StorageTargets {
    private StorageTargets() {
    }

    /**
     * Opens a target for a URI (without a password in it) and credentials, with default settings
     * (host keys for SFTP from {@code ~/.ssh/known_hosts}).
     *
     * @throws TransferException {@code BAD_INPUT} for a URI with a password, an invalid URI, or a scheme no
     *         installed module provides
     */
    public static StorageTarget open(URI uri, Credentials credentials) throws TransferException {
        return open(TargetConfig.builder(uri).credentials(credentials).build());
    }

    /** Opens a target for a full configuration. */
    public static StorageTarget open(TargetConfig config) throws TransferException {
        String scheme = config.scheme();
        for (StorageTargetProvider p : providers()) {
            if (p.schemes().contains(scheme)) {
                return p.open(config);
            }
        }
        throw unknownScheme(scheme);
    }

    /** The host of a URI without one, for a scheme whose installed provider has a fixed endpoint. */
    static Optional<String> defaultHost(String scheme) {
        for (StorageTargetProvider p : providers()) {
            if (p.schemes().contains(scheme)) {
                return p.defaultHost();
            }
        }
        return Optional.empty();
    }

    /** The schemes of every installed provider, sorted. */
    public static Set<String> installedSchemes() {
        Set<String> s = new TreeSet<>();
        for (StorageTargetProvider p : providers()) {
            for (String x : p.schemes()) {
                s.add(x.toLowerCase(Locale.ROOT));
            }
        }
        return s;
    }

    /** The installed providers. */
    public static List<StorageTargetProvider> providers() {
        List<StorageTargetProvider> out = new ArrayList<>();
        ServiceLoader.load(StorageTargetProvider.class, StorageTargets.class.getClassLoader()).forEach(out::add);
        if (out.isEmpty() && Thread.currentThread().getContextClassLoader() != null) {
            ServiceLoader.load(StorageTargetProvider.class, Thread.currentThread().getContextClassLoader()).forEach(out::add);
        }
        return out;
    }

    static TransferException unknownScheme(String scheme) {
        Set<String> installed = installedSchemes();
        return TransferException.builder(TransferException.Reason.BAD_INPUT,
                        "no installed Ferry module handles the URI scheme '" + scheme + "'; installed schemes: "
                                + (installed.isEmpty() ? "none" : String.join(", ", installed)))
                .hint("add the module for it to the class path: ferry-ftp for ftp and ftps, ferry-sftp for sftp")
                .build();
    }
}
