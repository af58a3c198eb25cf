package dev.ferry.ftp.internal;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.ProbeRun;
import dev.ferry.ftp.FtpSecurity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An FTP or FTPS {@link dev.ferry.core.StorageTarget}. Besides the pool of the SPI, it remembers what it
 * learned about the server: that it speaks only TLS 1.2 (then every connection uses the engine that
 * can resume 1.2 sessions), and how many data connections one TLS 1.3 control connection may resume.
 * The JDK spends one session ticket per resumption, so with a server that sends no new ticket on data
 * connections (ProFTPD) a control connection resumes only the first one or two. When that happens and
 * the options allow TLS 1.2, later connections use TLS 1.2, which resumes by session ID without that
 * limit (else each file would need a new connection and login); if the server does not resume that
 * either, the target goes back to TLS 1.3 and reconnects before the learned limit instead of failing at it.
 */
public final class FtpStorageTarget extends AbstractStorageTarget {
    private final FtpSettings settings;
    private final AtomicBoolean bouncyCastleForTls12 = new AtomicBoolean();
    private final AtomicInteger transfersPerConnection = new AtomicInteger();
    private final AtomicReference<Tls12ForReuse> tls12ForReuse = new AtomicReference<>(Tls12ForReuse.NOT_TRIED);
    /**
     * Temporary files a server session of ours still holds (an attempt stalled and the server kept its
     * session and the file's lock; vsftpd does), by their absolute path: how many were given up for that
     * upload. Later attempts write a fresh temporary file instead of waiting for that lock.
     */
    private final ConcurrentHashMap<String, Integer> blockedTemporaries = new ConcurrentHashMap<>();
    /** Temporary files that failed verification, by their absolute path: the next attempt must not resume them. */
    private final Set<String> unresumable = ConcurrentHashMap.newKeySet();
    private final Object schedulerLock = new Object();
    private ScheduledThreadPoolExecutor scheduler;

    /** @throws TransferException {@code BAD_INPUT} for a password FTP cannot send */
    public FtpStorageTarget(TargetConfig config, FtpSettings settings) throws TransferException {
        super(config, settings.security() == FtpSecurity.NONE ? "ftp" : "ftps", 21);
        this.settings = settings;
        checkPassword(config);
    }

    /**
     * The password goes on the PASS command line: CR or LF would end that line early (the rest would be read as further
     * commands, and every later reply would answer the wrong command), NUL ends it on some servers. Core checks the user
     * name only.
     */
    private static void checkPassword(TargetConfig config) throws TransferException {
        char[] password = config.credentials().password().orElse(null);
        if (password == null) {
            return;
        }
        try {
            for (char c : password) {
                if (c == '\r' || c == '\n' || c == '\0') {
                    throw TransferException.builder(TransferException.Reason.BAD_INPUT, "the password for "
                                    + config.credentials().username() + " contains a line break (CR or LF) or NUL, which FTP cannot send")
                            .hint("remove it; a password read from a file or a pipe often ends with a newline").build();
                }
            }
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    FtpSettings settings() {
        return settings;
    }

    /** The TLS engine for the next control connection. */
    TlsEngine engineFor() {
        TlsOptions tls = config().tls();
        boolean only12 = !tls.enabledProtocols().contains(TlsOptions.TLS_1_3);
        return only12 || bouncyCastleForTls12.get() || tls12ForReuse.get() == Tls12ForReuse.IN_USE ? TlsEngine.BOUNCY_CASTLE : TlsEngine.JDK;
    }

    void useBouncyCastleForTls12() {
        bouncyCastleForTls12.set(true);
    }

    /**
     * The learned number of data connections a control connection like {@code c} resumes, or 0 if no limit was
     * seen. Learned on the JDK engine (TLS 1.3 tickets); Bouncy Castle's TLS 1.2 resumes by session ID.
     */
    int transfersPerConnection(FtpConnection c) {
        return transfersPerConnection(c.engine());
    }

    int transfersPerConnection(TlsEngine engine) {
        return engine == TlsEngine.JDK ? transfersPerConnection.get() : 0;
    }

    /**
     * A data connection of {@code c} was refused for lack of session reuse after {@code c.transfers()} that worked.
     * Returns what the target changed: {@link ReuseChange#TO_TLS_1_2}, {@link ReuseChange#BACK_TO_TLS_1_3} or
     * {@link ReuseChange#NONE}.
     */
    ReuseChange noteReuseRefusal(FtpConnection c) {
        return noteReuseRefusal(c.engine(), c.info() == null ? null : c.info().securityProtocol(), c.transfers());
    }

    /** {@link #noteReuseRefusal(FtpConnection)} for a connection of that engine and protocol, after that many transfers. */
    ReuseChange noteReuseRefusal(TlsEngine engine, String protocol, int transfers) {
        if (engine == TlsEngine.JDK) {
            if (transfers >= 1) {
                transfersPerConnection.accumulateAndGet(transfers, (old, now) -> old == 0 ? now : Math.min(old, now));
                if (TlsOptions.TLS_1_3.equals(protocol) && config().tls().enabledProtocols().contains(TlsOptions.TLS_1_2)
                        && tls12ForReuse.compareAndSet(Tls12ForReuse.NOT_TRIED, Tls12ForReuse.IN_USE)) {
                    return ReuseChange.TO_TLS_1_2;
                }
            }
        } else if (transfers == 0 && tls12ForReuse.compareAndSet(Tls12ForReuse.IN_USE, Tls12ForReuse.DID_NOT_RESUME)) {
            return ReuseChange.BACK_TO_TLS_1_3;
        }
        return ReuseChange.NONE;
    }

    /** What a reuse refusal made the target change. */
    enum ReuseChange { NONE, TO_TLS_1_2, BACK_TO_TLS_1_3 }

    /** Whether the target uses TLS 1.2 because TLS 1.3 control connections resumed too few data connections. */
    private enum Tls12ForReuse {
        /** TLS 1.3 as usual. */
        NOT_TRIED,
        /** TLS 1.2, which resumes by session ID without the limit of TLS 1.3's tickets. */
        IN_USE,
        /** TLS 1.2 did not resume either: TLS 1.3 again, for good, reconnecting before the learned limit. */
        DID_NOT_RESUME
    }

    /**
     * Runs a transfer's stall watchdog every {@code periodMillis} until its future is cancelled.
     *
     * @throws TransferException {@code CANCELLED} once the target is closed: a closed target starts no transfer (and no
     *         watchdog thread again)
     */
    ScheduledFuture<?> watch(Runnable watchdog, long periodMillis) throws TransferException {
        synchronized (schedulerLock) {
            if (isClosed()) {
                throw TransferException.builder(TransferException.Reason.CANCELLED, "the target " + config().redactedUri()
                        + " was closed").hint("close the target only after its uploads have ended").retryable(false).build();
            }
            if (scheduler == null) {
                ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "ferry-ftp-watchdog");
                    t.setDaemon(true);
                    return t;
                });
                // A cancelled watchdog leaves the queue at once, so the thread ends after close() as soon as the last
                // transfer does; until then, the watchdogs of transfers still running keep running (their stall protection).
                s.setRemoveOnCancelPolicy(true);
                s.setContinueExistingPeriodicTasksAfterShutdownPolicy(true);
                scheduler = s;
            }
            return scheduler.scheduleAtFixedRate(watchdog, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
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
        return ProbeRun.run(info(), t, new FtpProbe(this, new FtpConnection(this, t), t));
    }

    @Override
    public void close() {
        super.close();
        synchronized (schedulerLock) {
            if (scheduler != null) {
                // Not shutdownNow(): a transfer still running would lose its stall watchdog and could block for good.
                scheduler.shutdown();
            }
        }
    }

    /**
     * The temporary name for an atomic upload: {@code <name>.<token>.ferry-part}, or {@code <name>.<token>.retryN.ferry-part}
     * after N temporary files of this upload were found held by a stalled session of the server.
     */
    String temporaryName(PreparedUpload p) {
        return temporaryName(p, blockedTemporaries.getOrDefault(p.temporaryPath().toString(), 0));
    }

    /** The upload's temporary name after {@code given} held ones. */
    private static String temporaryName(PreparedUpload p, int given) {
        String name = p.temporaryName();
        return given == 0 ? name : name.substring(0, name.length() - Upload.TEMP_SUFFIX.length()) + ".retry" + given + Upload.TEMP_SUFFIX;
    }

    /** The upload's temporary file failed verification: the next attempt writes it from the start. */
    void unresumable(PreparedUpload p) {
        unresumable.add(p.temporaryPath().toString());
    }

    /** Whether the upload's temporary file failed verification in the last attempt (asking forgets it). */
    boolean takeUnresumable(PreparedUpload p) {
        return unresumable.remove(p.temporaryPath().toString());
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
