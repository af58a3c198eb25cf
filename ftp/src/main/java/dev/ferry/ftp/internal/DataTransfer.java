package dev.ferry.ftp.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.TransferLoop;
import org.apache.commons.net.MalformedServerReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;

/**
 * One {@code STOR} or {@code APPE} over a passive data connection: open it (TLS resuming the control session), stream
 * the source through core's {@link TransferLoop} with keepalive {@code NOOP}s and a stall watchdog, close it cleanly
 * (or abort it with a reset), and read the replies owed. A failure comes out as a {@link Failure} with the facts the
 * caller acts on. One instance per transfer.
 */
final class DataTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(DataTransfer.class);

    /**
     * A failed transfer: the error, and what the caller needs to know beyond it.
     */
    static final class Failure extends Exception {
        private final TransferException error;
        private final long sent;
        private final boolean blocked;
        private final boolean reuseRefused;
        private final FtpStorageTarget.ReuseChange reuseChange;

        Failure(TransferException error, long sent, boolean blocked, boolean reuseRefused, FtpStorageTarget.ReuseChange reuseChange) {
            super(error.getMessage(), error, false, false);
            this.error = error;
            this.sent = sent;
            this.blocked = blocked;
            this.reuseRefused = reuseRefused;
            this.reuseChange = reuseChange;
        }

        TransferException error() {
            return error;
        }

        /** The bytes written to the data connection before it failed. */
        long sent() {
            return sent;
        }

        /** The server did not answer the command after its data connection opened: another session holds the file. */
        boolean blocked() {
            return blocked;
        }

        /** The server refused the data connection because it did not resume the control connection's TLS session. */
        boolean reuseRefused() {
            return reuseRefused;
        }

        /** What the target changed after that refusal. */
        FtpStorageTarget.ReuseChange reuseChange() {
            return reuseChange;
        }
    }

    /** A reply read after a failed data command. */
    private record Explanation(int code, String text) {
    }

    private final FtpConnection conn;
    private final FerryFtpClient client;
    private final FtpStorageTarget target;
    private final TargetConfig config;
    private final FtpErrors errors;
    private final Transcript transcript;
    private final long keepAliveNanos;
    /** Whether the data connection resumed the control connection's TLS session ({@code null}: unknown, or plain). */
    private Boolean dataResumed;
    private boolean reuseRefused;
    private FtpStorageTarget.ReuseChange reuseChange = FtpStorageTarget.ReuseChange.NONE;
    /** Keepalive {@code NOOP}s sent during the transfer whose replies are still owed. */
    private int pendingNoops;
    private long lastNoop;

    DataTransfer(FtpConnection conn, FerryFtpClient client, FtpStorageTarget target) {
        this.conn = conn;
        this.client = client;
        this.target = target;
        this.config = target.config();
        this.errors = conn.errors();
        this.transcript = conn.transcript();
        this.keepAliveNanos = target.settings().keepAlive().toNanos();
    }

    /** Sends {@code command} for {@code name} and streams {@code in}; returns the bytes sent once the server confirmed them. */
    long store(String command, String name, InputStream in, TransferLoop loop) throws Failure {
        try {
            return transfer(command, name, in, loop);
        } catch (TransferException e) {
            throw new Failure(e, loop.sent(), client.noReplyAfterDataConnect(), reuseRefused, reuseChange);
        }
    }

    private long transfer(String command, String name, InputStream in, TransferLoop loop) throws TransferException {
        // The watchdog first: a closed target refuses it, and then no transfer is started.
        Watchdog dog = new Watchdog(config);
        ScheduledFuture<?> watch = target.watch(dog, dog.periodMillis());
        Socket data;
        try {
            data = openData(command, name);
        } catch (TransferException | RuntimeException e) {
            watch.cancel(false);
            throw e;
        }
        dog.arm(client.currentPlainDataSocket());
        dataResumed = data instanceof SSLSocket ssl ? resumed(ssl.getSession()) : null;
        lastNoop = System.nanoTime();
        try {
            OutputStream out = data.getOutputStream();
            loop.copy(in, conn.buffer(), out::write, sent -> {
                dog.progress();
                keepAlive();
            });
            out.flush();
            closeCleanly(data);
        } catch (TransferException e) {
            // The source failed, changed, or the caller stopped the transfer: the connection itself is fine.
            abortData(data, watch);
            readExplanation(pendingNoops); // the replies still owed, so the connection stays in step (or is given up)
            throw e.withTranscript(transcript); // with the server's answer to the abort
        } catch (IOException e) {
            abortData(data, watch);
            throw transferFailure(command, e, dog.fired(), loop.sent());
        } finally {
            watch.cancel(false);
            client.clearDataSocket();
        }
        loop.finished();
        return confirmed(command, name, loop.sent());
    }

    private void keepAlive() throws IOException {
        long now = System.nanoTime();
        if (keepAliveNanos > 0 && now - lastNoop > keepAliveNanos) {
            client.sendNoopNoWait();
            pendingNoops++;
            lastNoop = now;
        }
    }

    /** Reads the transfer's reply; replies to keepalive NOOPs (200) may come before or after it. */
    private long confirmed(String command, String name, long sent) throws TransferException {
        int code = -1;
        String text = "";
        try {
            // Exactly one reply per command sent: a server answering with replies nobody asked for cannot keep this going.
            for (int owed = pendingNoops + 1; owed > 0; owed--) {
                int c = client.getReply();
                if (c == 200 && pendingNoops > 0) {
                    pendingNoops--;
                    continue;
                }
                code = c;
                text = conn.reply();
            }
        } catch (ReplyReader.ReplyTooLargeException | ReplyReader.ReplyTooSlowException e) {
            throw errors.ioFailure(command, e);
        } catch (SocketTimeoutException e) {
            conn.markBroken();
            throw TransferException.builder(Reason.TIMEOUT, "no reply to " + command + " " + name + " within "
                    + config.replyTimeout().toSeconds() + " s after the data was sent").cause(e)
                    .hint("the server may still be writing the file; raise the reply timeout").transcript(transcript).build();
        } catch (IOException e) {
            throw errors.ioFailure(command, e);
        }
        if (code != 226 && code != 250) {
            if (refusedAfterAccepting(code, text)) {
                throw TransferException.builder(Reason.DATA_CHANNEL, command + " " + name + " failed: the server accepted the "
                        + "encrypted data connection, then refused it (" + FtpErrors.firstLine(text) + ")").serverReply(text)
                        .hint(FtpReplies.REUSE_HINT).retryable(true).transcript(transcript).build();
            }
            FtpReplies.Verdict v = errors.classify(command, code);
            throw errors.failReply(v.reason(), command + " " + name + " failed after the data was sent", command, v.hint());
        }
        return sent;
    }

    /**
     * Whether a refusal after {@code 150} on an encrypted data connection is the server rejecting a data connection that did
     * not resume the control session. vsftpd says "522 ... session reuse required"; ProFTPD only "425 Unable to build data
     * connection: Operation not permitted", so a 425 counts when the data connection did not resume. A data connection that
     * did resume was not refused for that (e.g. "450 file busy"): taking it for one would switch the target's TLS version
     * for good.
     */
    private boolean refusedAfterAccepting(int code, String text) {
        boolean refused = client.dataProtected() && !Boolean.TRUE.equals(dataResumed)
                && (FtpReplies.isSessionReuseRefusal(code, text) || code == 425 && Boolean.FALSE.equals(dataResumed));
        if (refused) {
            noteReuseRefusal();
        }
        return refused;
    }

    private void noteReuseRefusal() {
        reuseRefused = true;
        reuseChange = target.noteReuseRefusal(conn);
    }

    private void closeCleanly(Socket data) throws IOException {
        if (data instanceof SSLSocket ssl) {
            String protocol = ssl.getSession().getProtocol();
            transcript.note("data channel " + protocol + ", " + ssl.getSession().getCipherSuite() + ", resumed session: "
                    + resumedDescription(ssl.getSession()));
            if (conn.engine() == TlsEngine.JDK && TlsOptions.TLS_1_3.equals(protocol)) {
                // Send close_notify, then read to the end: that reads the fresh session ticket the server may
                // send on the data connection, which the next data connection needs (each resumption uses one).
                ssl.shutdownOutput();
                drain(ssl);
            }
        }
        data.close();
    }

    /** For the transcript: whether the data connection's handshake resumed the control session. */
    private String resumedDescription(SSLSession data) {
        Boolean resumed = resumed(data);
        return resumed == null ? "unknown" : resumed ? "yes" : "no (a new session: servers that require reuse will refuse this "
                + "data connection)";
    }

    /**
     * Whether the data connection's handshake resumed the control session, or {@code null} if that cannot be told. TLS 1.2
     * keeps the session (and its ID); the JDK's TLS 1.3 resumption makes a new session object that keeps the original's
     * creation time.
     */
    private Boolean resumed(SSLSession data) {
        SSLSocket control = client.controlTlsSocket();
        if (control == null) {
            return null;
        }
        SSLSession c = control.getSession();
        byte[] id = data.getId();
        return data == c || id != null && id.length > 0 && Arrays.equals(id, c.getId())
                || TlsOptions.TLS_1_3.equals(data.getProtocol()) && data.getCreationTime() == c.getCreationTime();
    }

    private void drain(SSLSocket ssl) {
        try {
            ssl.setSoTimeout((int) Math.min(10_000, config.dataTimeout().toMillis()));
            InputStream in = ssl.getInputStream();
            byte[] b = new byte[512];
            while (in.read(b) >= 0) {
                // discard: nothing is expected on an upload's data channel
            }
        } catch (IOException e) {
            LOG.debug("draining the data channel: {}", e.toString());
        }
    }

    private void abortData(Socket data, ScheduledFuture<?> watch) {
        watch.cancel(false);
        // The TCP socket first, with a reset: a normal end of stream (a FIN) makes servers take the partial data for a
        // complete file and answer 226, over TLS too (most accept a missing close_notify).
        FerryFtpClient.resetQuietly(client.currentPlainDataSocket());
        FerryFtpClient.closeQuietly(data);
    }

    private Socket openData(String command, String name) throws TransferException {
        Socket s;
        try {
            s = client.openDataConnection(command, name);
            if (s == null && isPasvRefused()) {
                transcript.note("PASV refused; trying EPSV");
                client.setUseEPSVwithIPv4(true);
                s = client.openDataConnection(command, name);
            }
        } catch (ReplyReader.ReplyTooLargeException | ReplyReader.ReplyTooSlowException e) {
            throw errors.ioFailure(command, e);
        } catch (SSLException e) {
            // The TLS handshake on the data connection failed after the server's 150: read what it says.
            throw dataHandshakeFailure(command, e);
        } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
            String host = client.getPassiveHost();
            int port = client.getPassivePort();
            if (e instanceof SocketTimeoutException && client.currentDataSocket() != null) {
                throw dataHandshakeFailure(command, e);
            }
            if (client.noReplyAfterDataConnect()) {
                // The data connection was opened; the server did not answer the command on the control connection.
                throw TransferException.builder(Reason.TIMEOUT, "no reply to " + command + " " + name + " within "
                        + config.replyTimeout().toSeconds() + " s after the passive data connection to " + host + ":" + port
                        + " was opened").cause(e)
                        .hint("the server is blocked: another of its sessions may still hold this file (vsftpd locks a file "
                                + "while it is uploaded, e.g. by an earlier attempt that stalled) until that session times out")
                        .serverReply(conn.reply()).retryable(true).transcript(transcript).build();
            }
            throw TransferException.builder(Reason.DATA_CHANNEL, "the passive data connection to " + host + ":" + port
                    + " after " + (client.isUseEPSVwithIPv4() ? "EPSV" : "PASV") + " failed: " + e.getMessage()).cause(e)
                    .hint(FtpReplies.firewallHint(host, port, conn.secureRequested())).serverReply(conn.reply())
                    .transcript(transcript).build();
        } catch (MalformedServerReplyException e) {
            throw errors.fail(Reason.PROTOCOL, "the server's passive reply cannot be parsed: " + e.getMessage(), e,
                    "the server is not a standard FTP server");
        } catch (IOException e) {
            if (client.dataHandshakeFailure() != null) {
                throw dataHandshakeFailure(command, e);
            }
            throw errors.ioFailure(command, e);
        }
        if (s == null) {
            throw errors.refused(command, "the server refused " + command + " " + name);
        }
        return s;
    }

    private boolean isPasvRefused() {
        String r = conn.rawReply();
        int code = client.getReplyCode();
        return code >= 500 && !client.isUseEPSVwithIPv4() && (r.contains("PASV") || r.toUpperCase(Locale.ROOT).contains("PASSIVE")
                || code == 500 || code == 502);
    }

    private TransferException dataHandshakeFailure(String command, IOException e) {
        // The server usually explains on the control connection (522 / 425) and may close it.
        Explanation why = readExplanation(0);
        String text = why == null ? null : why.text();
        TransferException.Builder b;
        if (text != null && FtpReplies.isSessionReuseRefusal(client.getReplyCode(), text) || client.getReplyCode() == 425) {
            b = TransferException.builder(Reason.DATA_CHANNEL, "the server refused the TLS data connection for " + command
                    + ": " + text).hint(FtpReplies.REUSE_HINT);
            noteReuseRefusal();
        } else {
            b = TransferException.builder(Reason.DATA_CHANNEL, "the TLS handshake on the data connection failed: " + e.getMessage()
                    + (text != null ? "; the server said: " + text : "")).hint("check that the server's passive ports speak TLS; "
                    + "a proxy or firewall in the path may interfere");
        }
        return b.cause(e).serverReply(text).retryable(true).transcript(transcript).build();
    }

    /**
     * Reads the reply to a failed data command with a short timeout, and the replies still owed to the keepalive
     * {@code NOOP}s sent during the transfer ({@code 200}, before or after it): else the next command would read an
     * earlier command's reply. Returns the data command's reply, or {@code null}; marks the connection broken if a reply
     * is missing, as it is then out of step.
     */
    private Explanation readExplanation(int owedNoops) {
        Explanation why = null;
        try {
            client.setSoTimeout((int) Math.min(5_000, config.replyTimeout().toMillis()));
            while (why == null || owedNoops > 0) {
                int code = client.getReply();
                if (code == 200 && owedNoops > 0) {
                    owedNoops--;
                    continue;
                }
                if (why != null) {
                    conn.markBroken(); // a reply nobody asked for: the connection is out of step
                    break;
                }
                why = new Explanation(code, conn.reply());
            }
            client.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.replyTimeout().toMillis()));
        } catch (IOException e) {
            conn.markBroken();
        }
        if (why != null && (why.code() == 522 || why.code() == 421)) {
            conn.markBroken(); // vsftpd closes the control connection after 522
        }
        return why;
    }

    private TransferException transferFailure(String command, IOException e, boolean stalled, long sent) {
        if (stalled) {
            conn.markBroken();
            readExplanation(pendingNoops);
            return TransferException.builder(Reason.TIMEOUT, "the data connection stalled: no progress for "
                    + config.dataTimeout().toSeconds() + " s after " + sent + " bytes").cause(e).serverReply(conn.reply())
                    .hint("the network or the server stopped accepting data; it is retried, resuming where it stopped")
                    .transcript(transcript).build();
        }
        Explanation why = readExplanation(pendingNoops);
        if (why != null && why.code() >= 400) {
            FtpReplies.Verdict v = FtpReplies.classify(command, why.code(), why.text());
            if (refusedAfterAccepting(why.code(), why.text())) {
                v = new FtpReplies.Verdict(Reason.DATA_CHANNEL, true, FtpReplies.REUSE_HINT);
            }
            return TransferException.builder(v.reason(), "the upload stopped after " + sent + " bytes: " + why.text()).cause(e)
                    .serverReply(why.text()).hint(v.hint()).retryable(v.retryable() || v.reason().retryableByDefault())
                    .transcript(transcript).build();
        }
        conn.markBroken();
        return TransferException.builder(Reason.DATA_CHANNEL, "the data connection broke after " + sent + " bytes: " + e.getMessage())
                .cause(e).serverReply(why == null ? null : why.text())
                .hint("a network problem or the server aborted; it is retried, resuming where it stopped")
                .transcript(transcript).build();
    }
}
