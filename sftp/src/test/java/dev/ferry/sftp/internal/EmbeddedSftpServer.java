package dev.ferry.sftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.sftp.SftpTarget;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The SFTP tests' server: embedded MINA SSHD on 127.0.0.1, port 0, with a virtual file system on a temp dir, the user
 * {@code alice} (password, an encrypted ed25519 key and an encrypted PKCS#8 RSA key), and faults chosen by file and
 * directory names (see the listener in {@link #start}). One per test class; {@link #close()} stops it.
 */
final class EmbeddedSftpServer implements AutoCloseable {
    static final String PW = "Embedded-Sftp-Pw-91c2";
    static final String PASSPHRASE = "Embedded-Passphrase-7d1e";

    final SshServer server;
    /** The server's file system root. */
    final Path root;
    /** The SHA-256 fingerprint of the server's host key. */
    final String fingerprint;
    /** An ed25519 user key, encrypted with {@link #PASSPHRASE}. */
    final Path ed25519Key;
    /** The SHA-256 fingerprint of {@link #ed25519Key}. */
    final String ed25519Fingerprint;
    /** An RSA key in an encrypted PKCS#8 PEM file ("BEGIN ENCRYPTED PRIVATE KEY", as ssh-keygen -m PKCS8 writes). */
    final Path pkcs8Key;
    /** STAT and LSTAT requests the server received. */
    final AtomicInteger stats;
    /** How often the server checked each password (password and keyboard-interactive logins). */
    final Map<String, AtomicInteger> passwordChecks;

    private EmbeddedSftpServer(SshServer server, Path root, String fingerprint, Path ed25519Key, String ed25519Fingerprint,
                               Path pkcs8Key, AtomicInteger stats, Map<String, AtomicInteger> passwordChecks) {
        this.server = server;
        this.root = root;
        this.fingerprint = fingerprint;
        this.ed25519Key = ed25519Key;
        this.ed25519Fingerprint = ed25519Fingerprint;
        this.pkcs8Key = pkcs8Key;
        this.stats = stats;
        this.passwordChecks = passwordChecks;
    }

    /** Starts a server with its keys and files under {@code dir}. */
    static EmbeddedSftpServer start(Path dir) throws Exception {
        // As a target does before MINA picks its security providers: Bouncy Castle is used, never registered.
        SshClients.configureProvidersOnce();
        Path root = Files.createDirectories(dir.resolve("root"));
        KeyPairGenerator eg = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        eg.initialize(new org.bouncycastle.jcajce.spec.EdDSAParameterSpec("Ed25519"));
        KeyPair ed = eg.generateKeyPair();
        String edFingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ed.getPublic());
        Path edKey = dir.resolve("id_ed25519");
        try (OutputStream out = Files.newOutputStream(edKey)) {
            OpenSSHKeyEncryptionContext enc = new OpenSSHKeyEncryptionContext();
            enc.setPassword(PASSPHRASE);
            enc.setCipherName("AES");
            enc.setCipherMode("CTR");
            enc.setCipherType("256");
            new OpenSSHKeyPairResourceWriter().writePrivateKey(ed, "test", enc, out);
        }
        Path pkcs8Key = dir.resolve("id_rsa_pkcs8");
        KeyPair rsa = pkcs8(pkcs8Key);
        AtomicInteger stats = new AtomicInteger();
        Map<String, AtomicInteger> passwordChecks = new ConcurrentHashMap<>();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((u, p, s) -> {
            passwordChecks.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
            if (u.equals("slow")) { // a server slow to check credentials
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
            return u.equals("alice") && p.equals(PW);
        });
        server.setPublickeyAuthenticator((u, k, s) -> u.equals("alice") && (KeyUtils.compareKeys(k, ed.getPublic()) || KeyUtils.compareKeys(k, rsa.getPublic())));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().withFileSystemAccessor(new SftpFileSystemAccessor() {
            @Override
            public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
                                                Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
                if (file.toString().contains("denied")) {
                    throw new AccessDeniedException(file.toString());
                }
                return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
            }
        }).build()));
        ((SftpSubsystemFactory) server.getSubsystemFactories().get(0)).addSftpEventListener(new SftpEventListener() {
            @Override
            public void received(ServerSession session, int type, int id) {
                if (type == SftpConstants.SSH_FXP_STAT || type == SftpConstants.SSH_FXP_LSTAT) {
                    stats.incrementAndGet();
                }
            }

            /** A server that cannot rename an upload's temporary file to "cannot-rename-*". */
            @Override
            public void moving(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts)
                    throws IOException {
                if (dstPath.getFileName().toString().startsWith("cannot-rename-") && srcPath.toString().endsWith(Upload.TEMP_SUFFIX)) {
                    throw new AccessDeniedException(dstPath.toString());
                }
            }

            /** Writing a connection test's file in "/probe-write" fails; in "/probe-broken" the session ends. */
            @Override
            public void writing(ServerSession session, String remoteHandle, FileHandle localHandle,
                                long offset, byte[] data, int dataOffset, int dataLen) throws IOException {
                if (localHandle.getFile().getFileName().toString().startsWith(".ferry-probe-")) {
                    if (probeFault(localHandle.getFile(), "probe-broken")) {
                        session.close(true);
                        throw new IOException("the session ended");
                    }
                    if (probeFault(localHandle.getFile(), "probe-write")) {
                        throw new IOException("disk failure");
                    }
                }
            }

            /** A connection test's file in "/probe-nodelete" cannot be removed. */
            @Override
            public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
                if (path.getFileName().toString().startsWith(".ferry-probe-") && probeFault(path, "probe-nodelete")) {
                    throw new AccessDeniedException(path.toString());
                }
            }

            /** Another writer's file appears at the final name of an "appears-*" upload once its bytes are written. */
            @Override
            public void closed(ServerSession session, String remoteHandle, Handle localHandle,
                               Throwable thrown) throws IOException {
                String name = localHandle.getFile().getFileName().toString();
                if (name.startsWith(".ferry-probe-") && probeFault(localHandle.getFile(), "probe-verify", "probe-nodelete")
                        && Files.size(localHandle.getFile()) > 1) {
                    Files.write(localHandle.getFile(), new byte[] {'F'}); // a server that changes uploaded files
                }
                if (name.startsWith("appears-") && name.endsWith(Upload.TEMP_SUFFIX)) {
                    String base = name.substring(0, name.length() - Upload.TEMP_SUFFIX.length());
                    Files.writeString(localHandle.getFile().resolveSibling(base.substring(0, base.lastIndexOf('.'))), "another writer's");
                }
            }
        });
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        KeyPair host = server.getKeyPairProvider().loadKeys(null).iterator().next();
        return new EmbeddedSftpServer(server, root, KeyUtils.getFingerPrint(BuiltinDigests.sha256, host.getPublic()), edKey,
                edFingerprint, pkcs8Key, stats, passwordChecks);
    }

    /** Whether a file is in one of the given base directories (each probe fault test has its own). */
    private static boolean probeFault(Path file, String... dirs) {
        Path parent = file.getParent();
        return parent != null && parent.getFileName() != null && List.of(dirs).contains(parent.getFileName().toString());
    }

    /** Writes a new RSA key to {@code file} as encrypted PKCS#8 (PBES2: PBKDF2 with HMAC-SHA256, AES-256-CBC). */
    private static KeyPair pkcs8(Path file) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        org.bouncycastle.operator.OutputEncryptor enc = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                .setPRF(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_hmacWithSHA256, org.bouncycastle.asn1.DERNull.INSTANCE))
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword(PASSPHRASE.toCharArray()).build();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(Files.newBufferedWriter(file))) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), enc));
        }
        return pair;
    }

    /** A target for {@code alice} with her password, the host key pinned, base directory {@code /in}, no retries. */
    SftpTarget.Builder builder() {
        return SftpTarget.builder().host("127.0.0.1").port(server.getPort()).baseDirectory("/in")
                .credentials(Credentials.password("alice", PW.toCharArray())).hostKeys(HostKeys.pinned(fingerprint))
                .retryPolicy(RetryPolicy.none()).timeouts(Duration.ofSeconds(10));
    }

    /** A second embedded server on 127.0.0.1, port 0, with the same users and files, set up further by {@code setup}. */
    SshServer otherServer(Consumer<SshServer> setup) throws IOException {
        SshServer other = SshServer.setUpDefaultServer();
        other.setHost("127.0.0.1");
        other.setPort(0);
        other.setKeyPairProvider(server.getKeyPairProvider());
        other.setPasswordAuthenticator(server.getPasswordAuthenticator());
        other.setPublickeyAuthenticator(server.getPublickeyAuthenticator());
        other.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        other.setFileSystemFactory(new VirtualFileSystemFactory(root));
        setup.accept(other);
        other.start();
        return other;
    }

    static String transcript(UploadResult r) {
        return String.join("\n", r.transcript());
    }

    /** The SSH client threads alive in this JVM. */
    static long sshClientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.isAlive() && th.getName().contains("SshClient")).count();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
