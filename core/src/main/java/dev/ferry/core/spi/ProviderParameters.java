package dev.ferry.core.spi;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A target's provider parameters (its URI query, {@link TargetConfig#properties()}) read as typed values, for a
 * provider's {@code XSettings.from(config)}: a value that does not parse is {@code BAD_INPUT} naming the parameter,
 * with a hint listing the provider's parameters. Ranges belong to the settings record, which checks them for URI and
 * builder alike; {@link #invalid(String)} turns its refusal into the same kind of error.
 *
 * <pre>{@code
 * ProviderParameters p = ProviderParameters.of(config, "SFTP", "keepalive=SECONDS, write-size=BYTES");
 * Duration keepAlive = p.seconds("keepalive", DEFAULT_KEEPALIVE);
 * }</pre>
 */
public final class ProviderParameters {
    private final TargetConfig config;
    private final String protocol;
    private final String valid;

    private ProviderParameters(TargetConfig config, String protocol, String valid) {
        this.config = Objects.requireNonNull(config, "config");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.valid = Objects.requireNonNull(valid, "valid");
    }

    /**
     * @param protocol the protocol's name in messages ({@code FTP}, {@code SFTP})
     * @param valid the parameters the provider reads, for the hint ({@code keepalive=SECONDS, write-size=BYTES})
     */
    public static ProviderParameters of(TargetConfig config, String protocol, String valid) {
        return new ProviderParameters(config, protocol, valid);
    }

    /**
     * The parameter {@code name} (without surrounding white space) as {@code parse} reads it, or {@code fallback} if
     * absent.
     *
     * @throws TransferException {@code BAD_INPUT} naming the parameter and its value if {@code parse} throws an
     *         {@link IllegalArgumentException}
     */
    public <T> T get(String name, Function<String, T> parse, T fallback) throws TransferException {
        Optional<String> raw = config.property(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            return parse.apply(raw.get().strip());
        } catch (IllegalArgumentException e) {
            throw invalid(name + "=" + raw.get() + ": " + e.getMessage());
        }
    }

    /** A whole number of seconds, or {@code fallback}; {@code BAD_INPUT} naming the parameter if it is not one. */
    public Duration seconds(String name, Duration fallback) throws TransferException {
        return get(name, v -> Duration.ofSeconds(whole(Long::parseLong, v, "not a whole number of seconds")), fallback);
    }

    /** A whole number (of bytes, say), or {@code fallback}; {@code BAD_INPUT} naming the parameter if it is not one. */
    public int integer(String name, int fallback) throws TransferException {
        return get(name, v -> whole(Integer::parseInt, v, "not a whole number"), fallback);
    }

    /** {@code BAD_INPUT}: "invalid PROTOCOL parameter in URI: problem", with the list of valid parameters as hint. */
    public TransferException invalid(String problem) {
        return TransferException.builder(Reason.BAD_INPUT, "invalid " + protocol + " parameter in " + config.redactedUri() + ": "
                + problem).hint("valid parameters: " + valid).build();
    }

    /** Says what was wanted instead of {@link NumberFormatException}'s "For input string". */
    private static <N extends Number> N whole(Function<String, N> parse, String v, String problem) {
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem);
        }
    }
}
