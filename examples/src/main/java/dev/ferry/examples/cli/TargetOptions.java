package dev.ferry.examples.cli;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.Redaction;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The options that say how to reach and trust a target; shared by {@code upload} and {@code probe}. */
public final class TargetOptions {
    @Option(names = "--password-env", paramLabel = "NAME",
            description = "Read the password from this environment variable (never from an argument).")
    String passwordEnv;

    @Option(names = "--key", paramLabel = "FILE", description = "SFTP private key (OpenSSH or PEM).")
    Path key;

    @Option(names = "--passphrase-env", paramLabel = "NAME", description = "Read the key's passphrase from this environment variable.")
    String passphraseEnv;

    @Option(names = "--ca-cert", paramLabel = "FILE",
            description = "PEM certificate or CA to trust for FTPS (instead of the JDK trust store).")
    List<Path> caCerts = new ArrayList<>();

    @Option(names = "--cert-pin", paramLabel = "sha256:HEX",
            description = "SHA-256 of the server's DER certificate (colons optional).")
    List<String> certPins = new ArrayList<>();

    @Option(names = "--tls-max", paramLabel = "1.2|1.3", description = "Highest TLS version to offer.")
    String tlsMax;

    @Option(names = "--tls-min", paramLabel = "1.2|1.3", description = "Lowest TLS version to accept (default 1.2). With 1.3, "
            + "a server that resumes few TLS 1.3 data connections (ProFTPD) gets a new connection instead of TLS 1.2.")
    String tlsMin;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "SFTP known_hosts file (default ~/.ssh/known_hosts); /dev/null for none, trusting only --host-key-pin.")
    Path knownHosts;

    @Option(names = "--host-key-pin", paramLabel = "SHA256:...", description = "Pinned SSH host key fingerprint.")
    List<String> hostKeyPins = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Connect, reply and data idle timeout (default 15/60/60).")
    Integer timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Option(names = "--transcript", description = "Print the masked protocol transcript.")
    boolean transcript;

    /** The environment, replaceable in tests. */
    Map<String, String> env = System.getenv();

    /** Builds the target configuration; {@code BAD_INPUT} for anything wrong with the options. */
    TargetConfig toConfig(String uriText) throws TransferException {
        TargetConfig.Builder b = TargetConfig.builder(uriText);
        URI uri = URI.create(uriText);
        if ("ftps".equalsIgnoreCase(uri.getScheme())) {
            FerryCli.quietTlsEngineLogging();
        }
        String user = uri.getUserInfo();
        if (user == null || user.isEmpty()) {
            throw bad("the URI " + Redaction.url(uriText) + " names no user", "use the form " + uri.getScheme() + "://user@host/dir");
        }
        try {
            // Inside the try: what Credentials refuses (a user name with CR, LF or NUL) is bad input, not a crash.
            Credentials c = Credentials.username(user);
            if (passwordEnv != null) {
                c = c.withPassword(secretFromEnv(passwordEnv, "--password-env"));
            }
            if (key != null) {
                if (!Files.isRegularFile(key)) {
                    throw bad("the key file " + key + " does not exist", "give the path of a private key with --key");
                }
                c = c.withPrivateKey(key, passphraseEnv == null ? null : secretFromEnv(passphraseEnv, "--passphrase-env"));
            } else if (passphraseEnv != null) {
                throw bad("--passphrase-env needs --key", null);
            }
            b.credentials(c);
            TlsOptions.Builder tls = TlsOptions.builder();
            for (Path p : caCerts) {
                for (X509Certificate cert : readCertificates(p)) {
                    tls.trustCertificate(cert);
                }
            }
            for (String pin : certPins) {
                tls.pinSha256(pin);
            }
            if (tlsMax != null) {
                tls.maxProtocol(tlsMax);
            }
            if (tlsMin != null) {
                tls.minProtocol(tlsMin);
            }
            b.tls(tls.build());
            HostKeys hk = null;
            if (knownHosts != null) {
                hk = HostKeys.knownHosts(knownHosts);
                if (hk.knownHostsMissing()) {
                    throw bad("the known_hosts file " + knownHosts + " does not exist",
                            "give an existing file, or /dev/null for none (then only --host-key-pin is trusted)");
                }
            }
            for (String pin : hostKeyPins) {
                hk = hk == null ? HostKeys.pinned(pin) : hk.withPin(pin);
            }
            if (hk == null && "sftp".equalsIgnoreCase(uri.getScheme())) {
                hk = HostKeys.userKnownHosts();
            }
            if (hk != null) {
                b.hostKeys(hk);
            }
            if (timeoutSeconds != null) {
                if (timeoutSeconds <= 0) {
                    throw bad("--timeout must be a positive number of seconds", null);
                }
                b.timeouts(Duration.ofSeconds(timeoutSeconds));
            }
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage(), null);
        }
        return b.build();
    }

    private char[] secretFromEnv(String name, String option) throws TransferException {
        String v = env.get(name);
        if (v == null) {
            throw bad("the environment variable " + name + " named by " + option + " is not set",
                    "export " + name + " before running ferry");
        }
        return v.toCharArray();
    }

    private static Collection<X509Certificate> readCertificates(Path p) throws TransferException {
        // Read whole first: the certificate parser reads a stream a byte at a time (a system call each, unbuffered).
        try (InputStream in = new java.io.ByteArrayInputStream(Files.readAllBytes(p))) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw bad("no certificate in " + p, "give a PEM file with --ca-cert");
            }
            return out;
        } catch (IOException | CertificateException e) {
            throw bad("cannot read the certificate " + p + ": " + e.getMessage(), "give a PEM file with --ca-cert");
        }
    }

    static TransferException bad(String message, String hint) {
        return TransferException.builder(Reason.BAD_INPUT, message).hint(hint).build();
    }
}
