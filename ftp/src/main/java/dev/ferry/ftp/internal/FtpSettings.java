package dev.ferry.ftp.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.ftp.FtpSecurity;
import dev.ferry.ftp.PassiveAddressPolicy;

import java.time.Duration;
import java.util.Objects;

/**
 * The FTP-specific settings of a target.
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

    public FtpSettings {
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(passivePolicy, "passivePolicy");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keepAlive must not be negative");
        }
        if (bufferSize < 8192 || bufferSize > 64 << 20) {
            throw new IllegalArgumentException("bufferSize must be from 8 KiB to 64 MiB, got " + bufferSize);
        }
    }

    /**
     * Settings from a target configuration: the scheme and the URI's query parameters (or the configuration's properties).
     *
     * @throws TransferException {@code BAD_INPUT} for an unknown value, and for {@code passive-nat=server}, which only code
     *         may choose ({@code FtpTarget.builder().passiveAddresses(PassiveAddressPolicy.SERVER)})
     */
    public static FtpSettings from(TargetConfig config) throws TransferException {
        FtpSecurity security = switch (config.scheme()) {
            case "ftps" -> FtpSecurity.EXPLICIT_TLS;
            case "ftp" -> FtpSecurity.NONE;
            default -> throw new TransferException(TransferException.Reason.BAD_INPUT, "the FTP provider does not handle "
                    + config.scheme() + "://");
        };
        PassiveAddressPolicy policy;
        try {
            policy = config.property("passive-nat").map(PassiveAddressPolicy::fromKey).orElse(PassiveAddressPolicy.REPLACE_PRIVATE);
        } catch (IllegalArgumentException e) {
            throw invalid(config, e);
        }
        if (policy == PassiveAddressPolicy.SERVER) {
            // A URI is text that whoever typed the customer's target controls; a setting that lets the server send data
            // connections to another host belongs to the host application's code.
            throw TransferException.builder(TransferException.Reason.BAD_INPUT, "passive-nat=server is not accepted in a target "
                    + "URI (" + config.redactedUri() + "): it lets the server point data connections at another host")
                    .hint("if the server's data host really differs from its control host, enable it in code: "
                            + "FtpTarget.builder().passiveAddresses(PassiveAddressPolicy.SERVER); in a URI use "
                            + "passive-nat=private or passive-nat=control-host").build();
        }
        try {
            Duration keepAlive = config.property("keepalive").map(v -> Duration.ofSeconds(Long.parseLong(v.strip())))
                    .orElse(DEFAULT_KEEPALIVE);
            int buffer = config.property("buffer").map(v -> Integer.parseInt(v.strip())).orElse(DEFAULT_BUFFER);
            return new FtpSettings(security, policy, keepAlive, buffer);
        } catch (IllegalArgumentException e) {
            throw invalid(config, e);
        }
    }

    private static TransferException invalid(TargetConfig config, IllegalArgumentException e) {
        return TransferException.builder(TransferException.Reason.BAD_INPUT, "invalid FTP parameter in " + config.redactedUri()
                + ": " + e.getMessage()).hint("valid parameters: passive-nat=private|control-host, keepalive=SECONDS, "
                + "buffer=BYTES").build();
    }
}
