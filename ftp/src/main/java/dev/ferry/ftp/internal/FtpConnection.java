package dev.ferry.ftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.TransferLoop;
import dev.ferry.ftp.FtpSecurity;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One FTP control connection: connect, secure, log in, and the commands Ferry sends on it ({@code CWD}, {@code SIZE},
 * {@code DELE}, {@code RNFR}/{@code RNTO}, {@code NOOP}, {@code QUIT}). The phases ({@link #connect()}, {@link #secure()},
 * {@link #login()}) are separate so the connection test can report each one. A file goes over a {@link DataTransfer}.
 * Failures come out as {@link TransferException}s built by {@link FtpErrors}. Not thread-safe.
 */
final class FtpConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FtpConnection.class);

    private final FtpStorageTarget target;
    private final TargetConfig config;
    private final FtpSettings settings;
    /** The target's secrets, masked in everything the server says before it is shown anywhere. */
    private final SecretMask secrets;
    private final FtpErrors errors;
    private final byte[] buffer;
    private final Set<String> features = new HashSet<>();
    private Transcript transcript;
    private FerryFtpClient client;
    private FerryTrustManager trust;
    private TlsEngine engine;
    private boolean pbszProtDeferred;
    private String banner;
    private ConnectionInfo info;
    private final WorkingDirectory cwd = new WorkingDirectory();
    private boolean broken;
    private boolean closed;
    private int transfers;

    FtpConnection(FtpStorageTarget target, Transcript transcript) {
        this.target = target;
        this.config = target.config();
        this.settings = target.settings();
        this.secrets = SecretMask.of(config.credentials());
        this.errors = new FtpErrors(this, config, secrets);
        this.transcript = transcript;
        this.buffer = new byte[settings.bufferSize()];
    }

    /** Writes the following protocol lines to another transcript (a pooled connection serves several batches). */
    void useTranscript(Transcript t) {
        this.transcript = t;
    }

    Transcript transcript() {
        return transcript;
    }

    FtpErrors errors() {
        return errors;
    }

    boolean secureRequested() {
        return settings.security() == FtpSecurity.EXPLICIT_TLS;
    }

    /** Opens the TCP connection and reads the greeting. Returns the greeting. */
    String connect() throws TransferException {
        return connect(target.engineFor());
    }

    private String connect(TlsEngine chosen) throws TransferException {
        this.engine = chosen;
        FerryFtpClient c;
        if (secureRequested()) {
            try {
                trust = new FerryTrustManager(config.tls(), config.host());
                SSLContext context = chosen.newContext(trust);
                c = new FerryFtpClient(context);
                c.tls(context, chosen, chosen.protocols(config.tls()));
            } catch (GeneralSecurityException e) {
                throw TransferException.builder(Reason.TLS_HANDSHAKE, "cannot set up TLS: " + e.getMessage()).cause(e)
                        .hint("check the trust store or certificates given").transcript(transcript).build();
            }
        } else {
            c = new FerryFtpClient(null);
        }
        this.client = c;
        c.addProtocolCommandListener(new ProtocolLog(secrets, () -> transcript, LOG));
        c.setConnectTimeout(millis(config.connectTimeout()));
        c.setDefaultTimeout(millis(config.replyTimeout()));
        c.setDataTimeout(config.dataTimeout());
        c.setControlEncoding(StandardCharsets.UTF_8.name());
        c.setPassiveNatWorkaroundStrategy(this::choosePassiveHost);
        c.setIpAddressFromPasvResponse(true);
        c.setRemoteVerificationEnabled(settings.passivePolicy() != dev.ferry.ftp.PassiveAddressPolicy.SERVER);
        int port = config.portOr(21);
        transcript.note("connecting to " + config.host() + ":" + port + (secureRequested() ? " (explicit FTPS, " + engineName() + ")"
                : " (plain FTP: password and files travel in clear text)"));
        try {
            c.connect(config.host(), port);
            c.setSoTimeout(millis(config.replyTimeout()));
            c.setKeepAlive(true);
            c.enterLocalPassiveMode();
        } catch (IOException e) {
            throw errors.connectFailure(e, port);
        }
        banner = c.getReplyString() == null ? "" : c.getReplyString().trim();
        if (!FTPReply.isPositiveCompletion(c.getReplyCode())) {
            int code = c.getReplyCode();
            close();
            throw errors.failReply(code == 421 ? Reason.CONNECT : Reason.PROTOCOL, "the server refused the connection", "connect",
                    "the server is busy or does not accept you; try again later");
        }
        return banner;
    }

    private String engineName() {
        return engine == TlsEngine.JDK ? "JDK TLS" : "Bouncy Castle TLS 1.2 engine";
    }

    private String choosePassiveHost(String announced) throws UnknownHostException {
        InetAddress a = InetAddress.getByName(announced);
        InetAddress chosen = PassiveAddresses.choose(a, client.getRemoteAddress(), settings.passivePolicy());
        if (!chosen.equals(a)) {
            transcript.note("the server announced passive address " + announced + "; connecting to the control host "
                    + chosen.getHostAddress() + " instead (passive-nat=" + settings.passivePolicy().key() + ")");
        }
        return chosen.getHostAddress();
    }

    /**
     * {@code AUTH TLS} (or {@code AUTH SSL}), the TLS handshake with the certificate check, {@code PBSZ 0} and
     * {@code PROT P}. Returns the TLS facts.
     */
    String secure() throws TransferException {
        if (!secureRequested()) {
            info = ConnectionInfo.plain(banner);
            transcript.note("plain FTP: no TLS (FtpSecurity.NONE)");
            return "plain FTP, no TLS";
        }
        if (config.tls().isInsecureTrustAll()) {
            transcript.note("INSECURE: every server certificate is accepted (TlsOptions.insecureTrustAllCertificates)");
        }
        auth();
        try {
            client.startTls();
        } catch (IOException e) {
            throw errors.handshakeFailure(e, trust);
        }
        SSLSocket s = client.controlTlsSocket();
        SSLSession session = s.getSession();
        String protocol = session.getProtocol();
        X509Certificate cert = trust.seen();
        String fp = cert == null ? null : "sha256:" + FerryTrustManager.sha256(cert);
        info = new ConnectionInfo(protocol, session.getCipherSuite(), fp, banner);
        transcript.note("TLS " + protocol + ", " + session.getCipherSuite() + ", server certificate " + fp
                + (cert != null ? " (" + cert.getSubjectX500Principal() + ")" : "") + ", " + engineName());
        if (engine == TlsEngine.JDK && TlsOptions.TLS_1_2.equals(protocol)) {
            // The JDK cannot resume TLS 1.2 sessions of every server per connection; switch this target to the
            // engine that can, and do it now, before anything is sent inside the tunnel.
            target.useBouncyCastleForTls12();
            transcript.note("the server chose TLS 1.2: reconnecting with the Bouncy Castle TLS 1.2 engine, which resumes "
                    + "the control session on data connections explicitly");
            closeSocketOnly();
            connect(TlsEngine.BOUNCY_CASTLE);
            return secure();
        }
        pbszProt(false);
        return protocol + ", " + session.getCipherSuite() + ", certificate " + fp;
    }

    private void auth() throws TransferException {
        int code = send("AUTH", "TLS");
        if (code != 234 && code != 334) {
            if (code >= 500) {
                code = send("AUTH", "SSL");
            }
            if (code != 234 && code != 334) {
                throw errors.failReply(Reason.TLS_HANDSHAKE, "the server does not offer explicit FTPS (AUTH TLS and AUTH SSL refused)",
                        "AUTH", "the server does not support FTPS; if you accept sending the password and files in clear "
                                + "text, use an ftp:// URI (FtpSecurity.NONE)");
            }
        }
    }

    private void pbszProt(boolean afterLogin) throws TransferException {
        int code = send("PBSZ", "0");
        if (code == 503 && !afterLogin) {
            pbszProtDeferred = true;
            transcript.note("the server wants PBSZ/PROT after login; sending them after 230");
            return;
        }
        if (code != 200) {
            throw errors.failReply(Reason.PROTOCOL, "the server refused PBSZ 0", "PBSZ",
                    "the server does not accept FTPS data protection; Ferry never sends files in clear text over FTPS");
        }
        code = send("PROT", "P");
        if (code == 503 && !afterLogin) {
            pbszProtDeferred = true;
            transcript.note("the server wants PROT after login; sending it after 230");
            return;
        }
        if (code != 200) {
            throw errors.failReply(Reason.PROTOCOL, "the server refused PROT P (an encrypted data channel); nothing was uploaded",
                    "PROT", "Ferry never falls back to a clear data channel over FTPS; ask the server's owner to allow "
                            + "PROT P, or, if clear text is acceptable, use an ftp:// URI");
        }
        client.protectDataChannel();
    }

    /** {@code USER}/{@code PASS}, then the deferred {@code PBSZ}/{@code PROT}, {@code FEAT}, {@code OPTS UTF8 ON}, {@code TYPE I}. */
    String login() throws TransferException {
        String user = config.credentials().username();
        char[] password = config.credentials().password().orElse(new char[0]);
        int code = send("USER", user);
        if (code == 331 || code == 332) {
            code = send("PASS", new String(password));
        }
        if (code != 230 && code != 202) {
            throw errors.failReply(code == 530 || code == 331 || code == 332 ? Reason.AUTH : Reason.PROTOCOL,
                    "the server refused the login of " + user, "PASS",
                    code == 530 && !secureRequested() && reply().toLowerCase(Locale.ROOT).contains("encrypt")
                            ? "the server requires FTPS: use an ftps:// URI"
                            : "check the user name and password");
        }
        String loggedIn = reply();
        if (pbszProtDeferred) {
            pbszProt(true);
        }
        if (secureRequested() && !client.dataProtected()) {
            throw TransferException.builder(Reason.PROTOCOL, "the data channel is not protected after login").transcript(transcript).build();
        }
        readFeatures();
        if (features.contains("UTF8")) {
            send("OPTS", "UTF8 ON");
        }
        try {
            if (!client.setFileType(FTP.BINARY_FILE_TYPE)) {
                throw errors.failReply(Reason.PROTOCOL, "the server refused binary mode (TYPE I)", "TYPE",
                        "the server cannot store files byte for byte");
            }
        } catch (IOException e) {
            throw errors.ioFailure("TYPE I", e);
        }
        return loggedIn;
    }

    private void readFeatures() throws TransferException {
        try {
            if (client.features()) {
                for (String line : client.getReplyStrings()) {
                    String l = line.strip();
                    if (!l.isEmpty() && !Character.isDigit(l.charAt(0))) {
                        features.add(l.toUpperCase(Locale.ROOT).split(" ")[0]);
                        if (l.toUpperCase(Locale.ROOT).startsWith("HASH ")) {
                            features.add("HASH:" + l.substring(5).toUpperCase(Locale.ROOT));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw errors.ioFailure("FEAT", e);
        }
    }

    Set<String> features() {
        return features;
    }

    ConnectionInfo info() {
        return info;
    }

    /** How many files this connection transferred; each TLS data connection resumed the control session. */
    int transfers() {
        return transfers;
    }

    /** The TLS engine of this connection (null before {@link #connect()}). */
    TlsEngine engine() {
        return engine;
    }

    /**
     * How many data commands ({@code STOR}, {@code APPE}) the server accepted on this connection: once it has, the file
     * may have been created or truncated.
     */
    int dataCommandsAccepted() {
        return client == null ? 0 : client.acceptedDataCommands();
    }

    boolean isOpen() {
        return !closed && !broken && client != null && client.isConnected();
    }

    /** The connection is out of step or gone: it is not used again. */
    void markBroken() {
        broken = true;
    }

    /** The last reply, with the target's secrets masked: for messages, transcripts and results. */
    String reply() {
        return secrets.mask(rawReply());
    }

    /** The last reply as the server sent it: for parsing only, never to show. */
    String rawReply() {
        String r = client == null ? null : client.getReplyString();
        return r == null ? "" : r.strip();
    }

    /** The last reply's code, or -1 before the connection was opened. */
    int replyCode() {
        return client == null ? -1 : client.getReplyCode();
    }

    /** Sends a command and returns the reply code. */
    int send(String command, String arg) throws TransferException {
        try {
            return client.sendCommand(command, arg);
        } catch (IOException e) {
            throw errors.ioFailure(command, e);
        }
    }

    boolean noop() {
        try {
            return FTPReply.isPositiveCompletion(client.sendCommand("NOOP"));
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    /**
     * Sends {@code command} ({@code STOR} or {@code APPE}) for {@code name} and streams {@code in} through {@code loop}
     * over a new data connection; returns the bytes sent once the server confirmed them.
     */
    long store(String command, String name, InputStream in, TransferLoop loop) throws DataTransfer.Failure {
        long sent = new DataTransfer(this, client, target).store(command, name, in, loop);
        transfers++;
        return sent;
    }

    /** The connection's transfer buffer. */
    byte[] buffer() {
        return buffer;
    }

    /** The next {@link #cd} sends {@code CWD} even to the directory it is in. */
    void forgetWorkingDirectory() {
        cwd.forget();
    }

    /** Changes to a directory, creating missing ones one level at a time if asked. */
    void cd(RemotePath dir, boolean create) throws TransferException {
        cwd.change(this, dir, create);
    }

    /** The size of a file in the current directory by {@code SIZE}, or by {@code MLST} where the server has no SIZE. */
    RemoteSize size(String name) throws TransferException {
        int code = send("SIZE", name);
        if (code == 213) {
            return RemoteSize.parse(rawReply().substring(3));
        }
        if (code == 550) {
            return RemoteSize.ABSENT;
        }
        if (code == 421) {
            broken = true;
            throw errors.failReply(Reason.CONNECT, "the server closed the connection", "SIZE", null);
        }
        if (!features.contains("MLST")) {
            return RemoteSize.UNKNOWN;
        }
        int m = send("MLST", name);
        if (m == 550) {
            return RemoteSize.ABSENT;
        }
        if (m != 250) {
            return RemoteSize.UNKNOWN;
        }
        for (String line : client.getReplyStrings()) {
            for (String fact : line.strip().split(";")) {
                if (fact.toLowerCase(Locale.ROOT).startsWith("size=")) {
                    return RemoteSize.parse(fact.substring(5));
                }
            }
        }
        return RemoteSize.UNKNOWN;
    }

    /** {@code RNFR} and {@code RNTO}; a refusal is returned, a broken connection thrown. */
    Rename tryRename(String from, String to) throws TransferException {
        int code = send("RNFR", from);
        if (code != 350) {
            return new Rename(errors.refused("RNFR", "the server refused to rename " + from), 0);
        }
        code = send("RNTO", to);
        if (!FTPReply.isPositiveCompletion(code)) {
            return new Rename(errors.refused("RNTO", "the server refused to rename " + from + " to " + to), code);
        }
        return Rename.DONE;
    }

    void rename(String from, String to) throws TransferException {
        Rename r = tryRename(from, to);
        if (!r.done()) {
            throw r.refusal();
        }
    }

    boolean delete(String name) {
        try {
            return FTPReply.isPositiveCompletion(client.sendCommand("DELE", name));
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /** Closes the socket without QUIT (the connection is being replaced). */
    private void closeSocketOnly() {
        if (client != null) {
            try {
                client.disconnect();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /**
     * Sends {@code QUIT} and reads its reply (if the connection works), then closes, also when that fails.
     *
     * @throws TransferException if {@code QUIT} could not be sent or got no reply
     */
    void quit() throws TransferException {
        try {
            if (client != null && client.isConnected() && !broken) {
                send("QUIT", null);
            }
        } finally {
            close();
        }
    }

    /** Closes the connection, after a {@code QUIT} (its reply awaited 2 s at most) if it works; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            if (client.isConnected() && !broken) {
                try {
                    client.setSoTimeout((int) Math.min(2_000, config.replyTimeout().toMillis()));
                    client.sendCommand("QUIT");
                } catch (IOException e) {
                    // closing anyway
                }
            }
            closeSocketOnly();
        }
    }
}
