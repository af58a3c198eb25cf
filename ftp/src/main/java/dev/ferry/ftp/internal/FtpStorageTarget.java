package dev.ferry.ftp.internal;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.ProbeRecorder;
import dev.ferry.ftp.FtpSecurity;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An FTP or FTPS {@link dev.ferry.core.StorageTarget}. Besides the pool of the SPI, it remembers what it
 * learned about the server: that it speaks only TLS 1.2 (then every connection uses the engine that
 * can resume 1.2 sessions), and how many data connections one control connection may resume (a JDK
 * client gets two with servers that send no new session ticket on data connections, such as ProFTPD
 * on TLS 1.3), so later sessions reconnect before that limit instead of failing at it.
 */
public final class FtpStorageTarget extends AbstractStorageTarget {
    private final FtpSettings settings;
    private final AtomicBoolean bouncyCastleForTls12 = new AtomicBoolean();
    private final AtomicInteger transfersPerConnection = new AtomicInteger();
    /**
     * Temporary files a server session of ours still holds (an attempt stalled and the server kept its
     * session and the file's lock; vsftpd does), by their absolute path: how many were given up for that
     * upload. Later attempts write a fresh temporary file instead of waiting for that lock.
     */
    private final ConcurrentHashMap<String, Integer> blockedTemporaries = new ConcurrentHashMap<>();
    private final Object schedulerLock = new Object();
    private ScheduledExecutorService scheduler;

    public FtpStorageTarget(TargetConfig config, FtpSettings settings) {
        super(config, settings.security() == FtpSecurity.NONE ? "ftp" : "ftps");
        this.settings = settings;
    }

    FtpSettings settings() {
        return settings;
    }

    /** The TLS engine for the next control connection. */
    TlsEngine engineFor() {
        TlsOptions tls = config().tls();
        boolean only12 = !tls.enabledProtocols().contains(TlsOptions.TLS_1_3);
        return only12 || bouncyCastleForTls12.get() ? TlsEngine.BOUNCY_CASTLE : TlsEngine.JDK;
    }

    void useBouncyCastleForTls12() {
        bouncyCastleForTls12.set(true);
    }

    /** The learned number of data connections per control connection, or 0 if no limit was seen. */
    int transfersPerConnection() {
        return transfersPerConnection.get();
    }

    /** A data connection was refused for lack of session reuse after {@code c.transfers()} that worked. */
    void noteReuseRefusal(FtpConnection c) {
        int n = c.transfers();
        if (n >= 1) {
            transfersPerConnection.accumulateAndGet(n, (old, now) -> old == 0 ? now : Math.min(old, now));
        }
    }

    ScheduledExecutorService scheduler() {
        synchronized (schedulerLock) {
            if (scheduler == null) {
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "ferry-ftp-watchdog");
                    t.setDaemon(true);
                    return t;
                });
            }
            return scheduler;
        }
    }

    @Override
    protected Session connect(Transcript transcript) throws TransferException {
        return FtpSession.open(this, transcript);
    }

    /** Opens a logged-in connection at the base directory (created if missing). */
    FtpConnection openConnection(Transcript transcript) throws TransferException {
        FtpConnection c = new FtpConnection(this, transcript);
        boolean ok = false;
        try {
            c.connect();
            c.secure();
            c.login();
            c.cd(config().baseDirectory(), true);
            ok = true;
            return c;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    @Override
    public ProbeReport probe() {
        Transcript t = newTranscript();
        ProbeRecorder r = new ProbeRecorder(info(), t);
        FtpConnection c = new FtpConnection(this, t);
        String name = ".ferry-probe-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        byte[] content = ("Ferry connection test " + java.time.Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            r.step(Step.DNS, () -> {
                InetAddress[] all = InetAddress.getAllByName(config().host());
                return config().host() + " is " + all[0].getHostAddress() + (all.length > 1 ? " (+" + (all.length - 1) + " more)" : "");
            });
            r.step(Step.CONNECT, c::connect);
            r.step(Step.SECURE, () -> {
                String s = c.secure();
                r.connection(c.info());
                return s;
            });
            r.step(Step.LOGIN, c::login);
            r.step(Step.DIRECTORY, () -> {
                RemotePath base = config().baseDirectory();
                c.cd(base, true);
                return "in " + base;
            });
            r.step(Step.UPLOAD, () -> {
                long n = c.store("STOR", name, new ByteArrayInputStream(content), content.length, 0,
                        dev.ferry.core.ProgressListener.NONE, name, content.length, new long[1]);
                return "stored " + name + " (" + n + " bytes): " + c.reply();
            });
            r.step(Step.VERIFY, () -> {
                long size = c.size(name);
                if (size == -2) {
                    return "the server cannot report sizes (no SIZE); the upload was confirmed by " + c.reply();
                }
                if (size != content.length) {
                    throw TransferException.builder(TransferException.Reason.VERIFY_FAILED, "the test file has " + size
                            + " bytes on the server instead of " + content.length).serverReply(c.reply())
                            .hint("the server changes uploaded files (ASCII mode? a filter?)").build();
                }
                return "size " + size + " as sent";
            });
            r.step(Step.DELETE, () -> {
                if (!c.delete(name)) {
                    throw TransferException.builder(TransferException.Reason.PERMISSION, "cannot delete the test file " + name)
                            .serverReply(c.reply()).hint("uploads work; the user may not delete files (remove " + name + " by hand)")
                            .build();
                }
                return c.reply();
            });
        } finally {
            r.step(Step.QUIT, () -> {
                if (c.isOpen()) {
                    c.quit();
                    return "closed";
                }
                c.close();
                return "connection closed";
            });
        }
        return r.report();
    }

    @Override
    public TargetInfo info() {
        int port = config().portOr(21);
        return new TargetInfo(protocol(), config().host(), port, config().baseDirectory().toString(), config().redactedUri(port));
    }

    @Override
    public void close() {
        super.close();
        synchronized (schedulerLock) {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
    }

    /**
     * The temporary name for an atomic upload: {@code <name>.ferry-part}, or {@code <name>.retryN.ferry-part}
     * after N temporary files of this upload were found held by a stalled session of the server.
     */
    String temporaryName(PreparedUpload p) {
        return temporaryName(p, blockedTemporaries.getOrDefault(p.temporaryPath().toString(), 0));
    }

    /** The upload's temporary name after {@code given} held ones. */
    private static String temporaryName(PreparedUpload p, int given) {
        return given == 0 ? p.temporaryName() : p.absolutePath().fileName() + ".retry" + given + Upload.TEMP_SUFFIX;
    }

    /** The server did not answer a STOR or APPE of the upload's current temporary file: it is held. */
    void temporaryBlocked(PreparedUpload p) {
        blockedTemporaries.merge(p.temporaryPath().toString(), 1, Integer::sum);
    }

    /** The upload was published; returns the held temporary names to remove (oldest first) and forgets them. */
    List<String> publishedAfterBlocked(PreparedUpload p) {
        Integer given = blockedTemporaries.remove(p.temporaryPath().toString());
        List<String> names = new ArrayList<>();
        for (int i = 0; given != null && i < given; i++) {
            names.add(temporaryName(p, i));
        }
        return names;
    }
}
