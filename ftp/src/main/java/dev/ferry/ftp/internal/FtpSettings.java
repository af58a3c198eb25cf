package dev.ferry.ftp.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.spi.ProviderParameters;
import dev.ferry.ftp.FtpSecurity;
import dev.ferry.ftp.PassiveAddressPolicy;

import java.time.Duration;
import java.util.Objects;

/**
 * The FTP-specific settings of a target, from {@code FtpTarget.Builder} or, by {@link #from}, from the URI query. The
 * ranges are checked here, once for both.
 *
 * @param security FTPS or plain FTP
 * @param passivePolicy which address passive data connections go to
 * @param keepAlive how often a {@code NOOP} is sent on the control connection during a transfer (zero: never)
 * @param bufferSize the size of the buffer a file is streamed through
 */
public record FtpSettings(FtpSecurity security, PassiveAddressPolicy passivePolicy, Duration keepAlive, int bufferSize) {
    /** The default keepalive interval. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);
    /** The default streaming buffer: large writes keep TLS records full and system calls few. */
    public static final int DEFAULT_BUFFER = 1 << 20;
    private static final int MIN_BUFFER = 8192;
    private static final int MAX_BUFFER = 64 << 20;

    public FtpSettings {
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(passivePolicy, "passivePolicy");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keepalive must not be negative, got " + keepAlive);
        }
        if (bufferSize < MIN_BUFFER || bufferSize > MAX_BUFFER) {
            throw new IllegalArgumentException("buffer must be from " + MIN_BUFFER + " to " + MAX_BUFFER + " bytes (8 KiB to 64 MiB), "
                    + "got " + bufferSize);
        }
    }

    /**
     * Settings from a target configuration: the scheme and the URI's query parameters (or the configuration's properties).
     *
     * @throws TransferException {@code BAD_INPUT} naming the parameter for a value that does not parse or fit, and for
     *         {@code passive-nat=server}, which only code may choose
     *         ({@code FtpTarget.builder().passiveAddresses(PassiveAddressPolicy.SERVER)})
     */
    public static FtpSettings from(TargetConfig config) throws TransferException {
        FtpSecurity security = switch (config.scheme()) {
            case "ftps" -> FtpSecurity.EXPLICIT_TLS;
            case "ftp" -> FtpSecurity.NONE;
            default -> throw new TransferException(TransferException.Reason.BAD_INPUT, "the FTP provider does not handle "
                    + config.scheme() + "://");
        };
        ProviderParameters p = ProviderParameters.of(config, "FTP", "passive-nat=control-host|private, keepalive=SECONDS, "
                + "buffer=BYTES");
        PassiveAddressPolicy policy = p.get("passive-nat", PassiveAddressPolicy::fromKey, PassiveAddressPolicy.CONTROL_HOST);
        if (policy == PassiveAddressPolicy.SERVER) {
            // A URI is text that whoever typed the customer's target controls; a setting that lets the server send data
            // connections to another host belongs to the host application's code.
            throw TransferException.builder(TransferException.Reason.BAD_INPUT, "passive-nat=server is not accepted in a target "
                    + "URI (" + config.redactedUri() + "): it lets the server point data connections at another host")
                    .hint("if the server's data host really differs from its control host, enable it in code: "
                            + "FtpTarget.builder().passiveAddresses(PassiveAddressPolicy.SERVER); in a URI use "
                            + "passive-nat=control-host (the default)").build();
        }
        Duration keepAlive = p.seconds("keepalive", DEFAULT_KEEPALIVE);
        int buffer = p.integer("buffer", DEFAULT_BUFFER);
        try {
            return new FtpSettings(security, policy, keepAlive, buffer);
        } catch (IllegalArgumentException e) {
            throw p.invalid(e.getMessage());
        }
    }
}
