package dev.ferry.examples.cli;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.Redaction;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.s3.S3Target;
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
            description = "PEM certificate or CA to trust for FTPS or an https S3 endpoint (instead of the JDK trust store).")
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

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "S3: an https endpoint of S3-compatible storage (MinIO, Wasabi, R2...); AWS by default.")
    String s3Endpoint;

    @Option(names = "--region", paramLabel = "R", description = "S3: the bucket's region (default us-east-1).")
    String s3Region;

    @Option(names = "--path-style", description = "S3: path-style addressing (endpoint/bucket/key), which most S3-compatible servers need.")
    boolean s3PathStyle;

    @Option(names = "--access-key-env", paramLabel = "NAME",
            description = "S3: read the access key id from this environment variable (else the AWS default credential chain).")
    String accessKeyEnv;

    @Option(names = "--secret-key-env", paramLabel = "NAME",
            description = "S3: read the secret access key from this environment variable (never from an argument).")
    String secretKeyEnv;

    @Option(names = "--storage-class", paramLabel = "C", description = "S3: storage class (STANDARD_IA, INTELLIGENT_TIERING...).")
    String s3StorageClass;

    @Option(names = "--acl", paramLabel = "A", description = "S3: canned ACL, e.g. bucket-owner-full-control for another account's bucket.")
    String s3Acl;

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
        if ("s3".equalsIgnoreCase(uri.getScheme())) {
            return s3Config(b, uriText, uri);
        }
        for (Object[] o : new Object[][] {{"--endpoint", s3Endpoint}, {"--region", s3Region}, {"--access-key-env", accessKeyEnv},
                {"--secret-key-env", secretKeyEnv}, {"--storage-class", s3StorageClass}, {"--acl", s3Acl},
                {"--path-style", s3PathStyle ? "" : null}}) {
            if (o[1] != null) {
                throw bad(o[0] + " is an option of s3:// targets", "use it with s3://BUCKET/prefix");
            }
        }
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
            b.tls(tls());
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
            timeouts(b);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage(), null);
        }
        return b.build();
    }

    /**
     * An {@code s3://BUCKET/prefix} target: the options become the provider's parameters, which it checks; the keys
     * come from the environment, else the AWS SDK's default chain. Nothing here touches the SDK, so that FTP and SFTP
     * runs never load it.
     */
    private TargetConfig s3Config(TargetConfig.Builder b, String uriText, URI uri) throws TransferException {
        if (uri.getRawUserInfo() != null) {
            throw bad("an s3:// URI names no user: " + Redaction.url(uriText), "give the keys with --access-key-env and "
                    + "--secret-key-env, or leave them to the AWS default chain (environment, profile, role)");
        }
        for (Object[] o : new Object[][] {{"--password-env", passwordEnv}, {"--key", key}, {"--passphrase-env", passphraseEnv},
                {"--known-hosts", knownHosts}, {"--host-key-pin", hostKeyPins.isEmpty() ? null : ""},
                {"--cert-pin", certPins.isEmpty() ? null : ""}}) {
            if (o[1] != null) {
                throw bad(o[0] + " is not an option of s3:// targets", "see ferry upload --help for the S3 options");
            }
        }
        try {
            if ((accessKeyEnv == null) != (secretKeyEnv == null)) {
                throw bad("--access-key-env and --secret-key-env go together", "give both, or neither for the AWS default chain");
            }
            b.credentials(accessKeyEnv == null ? Credentials.username(S3Target.DEFAULT_CHAIN)
                    : Credentials.password(new String(secretFromEnv(accessKeyEnv, "--access-key-env")),
                    secretFromEnv(secretKeyEnv, "--secret-key-env")));
            putIfSet(b, "endpoint", s3Endpoint);
            putIfSet(b, "region", s3Region);
            putIfSet(b, "path-style", s3PathStyle ? "true" : null);
            putIfSet(b, "storage-class", s3StorageClass);
            putIfSet(b, "acl", s3Acl);
            b.tls(tls());
            timeouts(b);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage(), null);
        }
        return b.build();
    }

    private static void putIfSet(TargetConfig.Builder b, String name, String value) {
        if (value != null) {
            b.property(name, value);
        }
    }

    private TlsOptions tls() throws TransferException {
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
        return tls.build();
    }

    private void timeouts(TargetConfig.Builder b) throws TransferException {
        if (timeoutSeconds != null) {
            if (timeoutSeconds <= 0) {
                throw bad("--timeout must be a positive number of seconds", null);
            }
            b.timeouts(Duration.ofSeconds(timeoutSeconds));
        }
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
