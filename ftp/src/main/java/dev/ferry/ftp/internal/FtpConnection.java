package dev.ferry.ftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProgressListener;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.ftp.FtpSecurity;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One FTP control connection and the operations Ferry needs on it, each turning failures into
 * {@link TransferException}s with the server's reply and a hint. The phases ({@link #connect()},
 * {@link #secure()}, {@link #login()}) are separate so the connection test can report each one.
 * Not thread-safe.
 */
final class FtpConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FtpConnection.class);

    private final FtpStorageTarget target;
    private final TargetConfig config;
    private final FtpSettings settings;
    private Transcript transcript;
    private FerryFtpClient client;
    private FerryTrustManager trust;
    private TlsEngine engine;
    private boolean pbszProtDeferred;
    private String banner;
    private ConnectionInfo info;
    private final Set<String> features = new HashSet<>();
    private String cwd;
    private boolean broken;
    private boolean closed;
    private int transfers;
    private int renameToRefusal;
    /** Whether the current data connection resumed the control connection's TLS session ({@code null}: unknown, or plain). */
    private Boolean dataResumed;
    /** The code of the reply {@link #readExplanation(int)} returned last. */
    private int explanationCode = -1;
    private boolean reuseRefused;
    private FtpStorageTarget.ReuseChange reuseChange = FtpStorageTarget.ReuseChange.NONE;
    private final byte[] buffer;

    FtpConnection(FtpStorageTarget target, Transcript transcript) {
        this.target = target;
        this.config = target.config();
        this.settings = target.settings();
        this.transcript = transcript;
        this.buffer = new byte[settings.bufferSize()];
    }

    private final ProtocolCommandListener listener = new ProtocolCommandListener() {
        @Override
        public void protocolCommandSent(ProtocolCommandEvent event) {
            String line = strip(event.getMessage());
            transcript.sent(line);
            if (LOG.isDebugEnabled()) {
                LOG.debug("> {}", Transcript.maskCommand(line));
            }
        }

        @Override
        public void protocolReplyReceived(ProtocolCommandEvent event) {
            for (String line : strip(event.getMessage()).split("\r?\n")) {
                transcript.received(line);
                LOG.debug("< {}", line);
            }
        }
    };

    private static String strip(String s) {
        return s == null ? "" : s.replaceAll("[\r\n]+$", "");
    }

    /** Writes the following protocol lines to another transcript (a pooled connection serves several batches). */
    void useTranscript(Transcript t) {
        this.transcript = t;
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
                javax.net.ssl.SSLContext context = chosen.newContext(trust);
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
        c.addProtocolCommandListener(listener);
        c.setConnectTimeout(millis(config.connectTimeout()));
        c.setDefaultTimeout(millis(config.replyTimeout()));
        c.setDataTimeout(config.dataTimeout());
        c.setControlEncoding(StandardCharsets.UTF_8.name());
        c.setPassiveNatWorkaroundStrategy(host -> choosePassiveHost(host));
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
        } catch (UnknownHostException e) {
            throw fail(Reason.DNS, "cannot resolve " + config.host(), e, "check the host name");
        } catch (SocketTimeoutException e) {
            throw fail(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " timed out after "
                    + config.connectTimeout().toSeconds() + " s", e, "check the host and port, and that a firewall lets you reach the FTP port");
        } catch (ConnectException | NoRouteToHostException e) {
            throw fail(Reason.CONNECT, "cannot connect to " + config.host() + ":" + port + ": " + e.getMessage(), e,
                    "check the host and port; nothing accepts connections there, or a firewall rejects them");
        } catch (IOException e) {
            throw fail(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " failed: " + e, e,
                    "check that the server is an FTP server and is up");
        }
        banner = c.getReplyString() == null ? "" : c.getReplyString().trim();
        if (!FTPReply.isPositiveCompletion(c.getReplyCode())) {
            int code = c.getReplyCode();
            close();
            throw failReply(code == 421 ? Reason.CONNECT : Reason.PROTOCOL, "the server refused the connection", "connect",
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
            throw handshakeFailure(e);
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
                throw failReply(Reason.TLS_HANDSHAKE, "the server does not offer explicit FTPS (AUTH TLS and AUTH SSL refused)",
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
            throw failReply(Reason.PROTOCOL, "the server refused PBSZ 0", "PBSZ",
                    "the server does not accept FTPS data protection; Ferry never sends files in clear text over FTPS");
        }
        code = send("PROT", "P");
        if (code == 503 && !afterLogin) {
            pbszProtDeferred = true;
            transcript.note("the server wants PROT after login; sending it after 230");
            return;
        }
        if (code != 200) {
            throw failReply(Reason.PROTOCOL, "the server refused PROT P (an encrypted data channel); nothing was uploaded",
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
            throw failReply(code == 530 || code == 331 || code == 332 ? Reason.AUTH : Reason.PROTOCOL,
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
                throw failReply(Reason.PROTOCOL, "the server refused binary mode (TYPE I)", "TYPE", "the server cannot store files byte for byte");
            }
        } catch (IOException e) {
            throw ioFailure("TYPE I", e);
        }
        return loggedIn;
    }

    private void readFeatures() {
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
            transcript.note("FEAT failed: " + e.getMessage());
        }
    }

    Set<String> features() {
        return features;
    }

    ConnectionInfo info() {
        return info;
    }

    int transfers() {
        return transfers;
    }

    /** The TLS engine of this connection (null before {@link #connect()}). */
    TlsEngine engine() {
        return engine;
    }

    /** What the target changed after this connection's last reuse refusal. */
    FtpStorageTarget.ReuseChange reuseChange() {
        return reuseChange;
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

    String reply() {
        String r = client == null ? null : client.getReplyString();
        return r == null ? "" : r.strip();
    }

    int replyCode() {
        return client.getReplyCode();
    }

    /** Sends a command and returns the reply code. */
    int send(String command, String arg) throws TransferException {
        try {
            return client.sendCommand(command, arg);
        } catch (IOException e) {
            throw ioFailure(command, e);
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

    // ---- directories -------------------------------------------------------------------------------------

    /**
     * Whether the last data command got no reply although its data connection opened: the server is
     * blocked on the file, typically by another of its sessions that holds the file's lock.
     */
    boolean lastCommandBlocked() {
        return client.noReplyAfterDataConnect();
    }

    /** The next {@link #cd} sends {@code CWD} even to the directory it is in. */
    void forgetWorkingDirectory() {
        cwd = null;
    }

    /** Changes to a directory, creating missing ones one level at a time if asked. */
    void cd(RemotePath dir, boolean create) throws TransferException {
        String path = dir.toString();
        if (path.equals(cwd)) {
            return;
        }
        int code = send("CWD", path);
        if (FTPReply.isPositiveCompletion(code)) {
            cwd = path;
            return;
        }
        if (!create) {
            throw failReply(Reason.NOT_FOUND, "the directory " + path + " does not exist (or is not accessible)", "CWD",
                    "create it, or let Ferry create missing directories");
        }
        String current = "";
        if (!FTPReply.isPositiveCompletion(send("CWD", "/"))) {
            throw failReply(Reason.PERMISSION, "cannot change to the root directory", "CWD", "check the server's permissions");
        }
        cwd = "/";
        for (String name : dir.names()) {
            current = current + "/" + name;
            if (FTPReply.isPositiveCompletion(send("CWD", name))) {
                cwd = current;
                continue;
            }
            int mkd = send("MKD", name);
            String mkdReply = reply();
            if (!FTPReply.isPositiveCompletion(send("CWD", name))) {
                FtpReplies.Verdict v = FtpReplies.classify("MKD", mkd, mkdReply);
                Reason r = v.reason() == Reason.NOT_FOUND || v.reason() == Reason.EXISTS ? Reason.PERMISSION : v.reason();
                throw TransferException.builder(r, "cannot create the directory " + current + " (" + firstLine(mkdReply) + ")")
                        .serverReply(mkdReply).hint("check that the user may create directories there").transcript(transcript).build();
            }
            if (FTPReply.isPositiveCompletion(mkd)) {
                transcript.note("created directory " + current);
            }
            cwd = current;
        }
    }

    /** The size of a file in the current directory, or -1 if there is none; -2 if the server cannot tell. */
    long size(String name) throws TransferException {
        int code = send("SIZE", name);
        if (code == 213) {
            try {
                return Long.parseLong(reply().substring(3).strip());
            } catch (NumberFormatException e) {
                return -2;
            }
        }
        if (code == 550) {
            return -1;
        }
        if (code == 421) {
            broken = true;
            throw failReply(Reason.CONNECT, "the server closed the connection", "SIZE", null);
        }
        // SIZE not supported: try MLST, which says whether the file exists.
        if (features.contains("MLST")) {
            int m = send("MLST", name);
            if (m == 250) {
                for (String line : client.getReplyStrings()) {
                    for (String fact : line.strip().split(";")) {
                        if (fact.toLowerCase(Locale.ROOT).startsWith("size=")) {
                            try {
                                return Long.parseLong(fact.substring(5));
                            } catch (NumberFormatException e) {
                                return -2;
                            }
                        }
                    }
                }
                return -2;
            }
            if (m == 550) {
                return -1;
            }
        }
        return -2;
    }

    /**
     * The code of the refused {@code RNTO} of the last {@link #rename}, or 0 if it failed earlier (at {@code RNFR}) or did
     * not fail.
     */
    int lastRenameToRefusal() {
        return renameToRefusal;
    }

    void rename(String from, String to) throws TransferException {
        renameToRefusal = 0;
        int code = send("RNFR", from);
        if (code != 350) {
            throw failReply(classify("RNFR", code).reason(), "the server refused to rename " + from, "RNFR", classify("RNFR", code).hint());
        }
        code = send("RNTO", to);
        if (!FTPReply.isPositiveCompletion(code)) {
            renameToRefusal = code;
            throw failReply(classify("RNTO", code).reason(), "the server refused to rename " + from + " to " + to, "RNTO",
                    classify("RNTO", code).hint());
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

    /** Asks the server for a checksum of a file; returns {@code [algorithm, hex]} or {@code null} if it offers none. */
    String[] checksum(String name) throws TransferException {
        List<String[]> candidates = new ArrayList<>();
        if (features.contains("HASH")) {
            for (String f : features) {
                if (f.startsWith("HASH:")) {
                    String list = f.substring(5);
                    for (String alg : new String[] {"SHA-256", "SHA-1", "MD5"}) {
                        if (list.contains(alg)) {
                            candidates.add(new String[] {"HASH", alg});
                        }
                    }
                }
            }
        }
        if (features.contains("XSHA256")) {
            candidates.add(new String[] {"XSHA256", "SHA-256"});
        }
        if (features.contains("XSHA1")) {
            candidates.add(new String[] {"XSHA1", "SHA-1"});
        }
        if (features.contains("XMD5")) {
            candidates.add(new String[] {"XMD5", "MD5"});
        }
        if (features.contains("MD5")) {
            candidates.add(new String[] {"MD5", "MD5"});
        }
        for (String[] c : candidates) {
            int code;
            if (c[0].equals("HASH")) {
                if (!FTPReply.isPositiveCompletion(send("OPTS", "HASH " + c[1]))) {
                    continue;
                }
                code = send("HASH", name);
            } else {
                code = send(c[0], name);
            }
            if (FTPReply.isPositiveCompletion(code)) {
                int hexLen = c[1].equals("SHA-256") ? 64 : c[1].equals("SHA-1") ? 40 : 32;
                for (String token : reply().substring(3).split("[\\s]+")) {
                    if (token.length() == hexLen && token.matches("[0-9a-fA-F]+")) {
                        return new String[] {c[1], token.toLowerCase(Locale.ROOT)};
                    }
                }
            }
        }
        return null;
    }

    // ---- data transfer -----------------------------------------------------------------------------------

    /**
     * Sends {@code STOR} (or {@code APPE}) and streams the content, with keepalive, a stall watchdog, and a
     * clean TLS close; returns the bytes sent once the server confirmed them.
     *
     * @param expected the number of bytes to send, or -1 to send until the end of the stream
     * @param sentOut receives the bytes written so far, also when the transfer fails
     */
    long store(String command, String name, InputStream in, long expected, long alreadyOnServer, ProgressListener progress,
               String display, long total, long[] sentOut) throws TransferException {
        return store(command, name, in, expected, alreadyOnServer, progress, display, total, sentOut, null);
    }

    /** {@link #store} that ends the transfer with TIMEOUT when {@code deadline} (if not null) passes during it. */
    long store(String command, String name, InputStream in, long expected, long alreadyOnServer, ProgressListener progress,
               String display, long total, long[] sentOut, java.time.Instant deadline) throws TransferException {
        reuseRefused = false;
        reuseChange = FtpStorageTarget.ReuseChange.NONE;
        // The watchdog first: a closed target refuses it, and then no transfer is started.
        Watchdog dog = new Watchdog();
        ScheduledFuture<?> watch = target.watch(dog, dog.periodMillis);
        Socket data;
        try {
            data = openData(command, name);
        } catch (TransferException | RuntimeException e) {
            watch.cancel(false);
            throw e;
        }
        dog.arm(client.currentPlainDataSocket());
        dataResumed = data instanceof SSLSocket ssl ? resumed(ssl.getSession()) : null;
        long sent = 0;
        int pendingNoops = 0;
        long keepAliveNanos = settings.keepAlive().toNanos();
        long lastNoop = System.nanoTime();
        long lastProgress = 0;
        boolean sourceFailure = false;
        try {
            OutputStream out = data.getOutputStream();
            while (expected < 0 || sent < expected) {
                int want = expected < 0 ? buffer.length : (int) Math.min(buffer.length, expected - sent);
                int n;
                try {
                    n = in.read(buffer, 0, want);
                } catch (IOException e) {
                    sourceFailure = true;
                    throw e;
                }
                if (n < 0) {
                    if (expected >= 0) {
                        sourceFailure = true;
                        throw new SourceChanged("the source ended after " + (alreadyOnServer + sent) + " of " + total
                                + " bytes: it shrank while being uploaded");
                    }
                    break;
                }
                out.write(buffer, 0, n);
                sent += n;
                sentOut[0] = sent;
                dog.progress();
                TransferException stop = PreparedUpload.transferStopped(deadline, display, alreadyOnServer + sent, total, transcript);
                if (stop != null) {
                    throw new Stopped(stop);
                }
                long now = System.nanoTime();
                if (keepAliveNanos > 0 && now - lastNoop > keepAliveNanos) {
                    client.sendNoopNoWait();
                    pendingNoops++;
                    lastNoop = now;
                }
                if (now - lastProgress > 200_000_000L) {
                    progress.onProgress(display, alreadyOnServer + sent, total);
                    lastProgress = now;
                }
            }
            if (expected >= 0 && in.read() >= 0) {
                sourceFailure = true;
                throw new SourceChanged("the source has more than the " + total + " bytes it had when the upload started: "
                        + "it grew while being uploaded");
            }
            out.flush();
            closeCleanly(data);
        } catch (Stopped e) {
            abortData(data, watch);
            readExplanation(pendingNoops);
            throw e.reason;
        } catch (SourceChanged e) {
            abortData(data, watch);
            readExplanation(pendingNoops); // the replies still owed, so the connection stays in step (or is given up)
            throw TransferException.builder(Reason.BAD_INPUT, e.getMessage() + "; the partial upload was not published")
                    .hint("upload a file only once it is complete (write it elsewhere and move it into place)")
                    .retryable(false).transcript(transcript).build();
        } catch (IOException e) {
            abortData(data, watch);
            if (sourceFailure) {
                readExplanation(pendingNoops);
                throw TransferException.builder(Reason.BAD_INPUT, "reading the source " + display + " failed: " + e.getMessage())
                        .cause(e).transcript(transcript).build();
            }
            throw transferFailure(command, e, dog.fired, sent, pendingNoops);
        } finally {
            watch.cancel(false);
            client.clearDataSocket();
        }
        progress.onProgress(display, alreadyOnServer + sent, total);
        // The transfer's reply; replies to keepalive NOOPs (200) may come before or after it.
        int code = -1;
        String text = "";
        try {
            while (true) {
                int c = client.getReply();
                if (c == 200 && pendingNoops > 0) {
                    pendingNoops--;
                    if (code >= 0) {
                        if (pendingNoops == 0) {
                            break;
                        }
                    }
                    continue;
                }
                code = c;
                text = reply();
                if (pendingNoops == 0) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            broken = true;
            throw TransferException.builder(Reason.TIMEOUT, "no reply to " + command + " " + name + " within "
                    + config.replyTimeout().toSeconds() + " s after the data was sent").cause(e)
                    .hint("the server may still be writing the file; raise the reply timeout").transcript(transcript).build();
        } catch (IOException e) {
            throw ioFailure(command, e);
        }
        if (code != 226 && code != 250) {
            if (refusedAfterAccepting(code, text)) {
                throw TransferException.builder(Reason.DATA_CHANNEL, command + " " + name + " failed: the server accepted the "
                        + "encrypted data connection, then refused it (" + firstLine(text) + ")").serverReply(text)
                        .hint(FtpReplies.REUSE_HINT).retryable(true).transcript(transcript).build();
            }
            throw failReply(classify(command, code).reason(), command + " " + name + " failed after the data was sent", command,
                    classify(command, code).hint());
        }
        transfers++;
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
            reuseRefused = true;
            reuseChange = target.noteReuseRefusal(this);
        }
        return refused;
    }

    /** Whether the last transfer failed because the server refused to go on without TLS session reuse. */
    boolean lastTransferRefusedReuse() {
        return reuseRefused;
    }

    /** The transfer must end: the thread was interrupted or the upload's deadline passed ({@code reason} says which). */
    private static final class Stopped extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient TransferException reason;

        Stopped(TransferException reason) {
            this.reason = reason;
        }
    }

    private static final class SourceChanged extends IOException {
        private static final long serialVersionUID = 1L;

        SourceChanged(String message) {
            super(message);
        }
    }

    /** Closes the data socket if no byte moved for the data timeout: a blocked write does not honour SO_TIMEOUT. */
    private final class Watchdog implements Runnable {
        private volatile Socket socket;
        private final long periodMillis;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean fired;

        Watchdog() {
            this.periodMillis = Math.max(100, Math.min(1000, config.dataTimeout().toMillis() / 4));
        }

        /** Starts watching the data connection's TCP socket, from now. */
        void arm(Socket s) {
            lastProgress = System.nanoTime();
            socket = s;
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        @Override
        public void run() {
            Socket socket = this.socket;
            if (socket != null && !fired && System.nanoTime() - lastProgress > config.dataTimeout().toNanos()) {
                fired = true;
                FerryFtpClient.resetQuietly(socket); // as abortData: the server must not confirm a partial file
            }
        }
    }

    private void closeCleanly(Socket data) throws IOException {
        if (data instanceof SSLSocket ssl) {
            String protocol = ssl.getSession().getProtocol();
            transcript.note("data channel " + protocol + ", " + ssl.getSession().getCipherSuite() + ", resumed session: "
                    + resumedDescription(ssl.getSession()));
            if (engine == TlsEngine.JDK && TlsOptions.TLS_1_3.equals(protocol)) {
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
        return data == c || id != null && id.length > 0 && java.util.Arrays.equals(id, c.getId())
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
                        .serverReply(reply()).retryable(true).transcript(transcript).build();
            }
            throw TransferException.builder(Reason.DATA_CHANNEL, "the passive data connection to " + host + ":" + port
                    + " after " + (client.isUseEPSVwithIPv4() ? "EPSV" : "PASV") + " failed: " + e.getMessage()).cause(e)
                    .hint(FtpReplies.firewallHint(host, port, secureRequested())).serverReply(reply()).transcript(transcript).build();
        } catch (MalformedServerReplyException e) {
            throw fail(Reason.PROTOCOL, "the server's passive reply cannot be parsed: " + e.getMessage(), e, "the server is not a standard FTP server");
        } catch (IOException e) {
            if (client.dataHandshakeFailure() != null) {
                throw dataHandshakeFailure(command, e);
            }
            throw ioFailure(command, e);
        }
        if (s == null) {
            int code = client.getReplyCode();
            throw failReply(classify(command, code).reason(), "the server refused " + command + " " + name, command,
                    classify(command, code).hint());
        }
        return s;
    }

    private boolean isPasvRefused() {
        String r = reply();
        int code = client.getReplyCode();
        return code >= 500 && !client.isUseEPSVwithIPv4() && (r.contains("PASV") || r.toUpperCase(Locale.ROOT).contains("PASSIVE")
                || code == 500 || code == 502);
    }

    private TransferException dataHandshakeFailure(String command, IOException e) {
        // The server usually explains on the control connection (522 / 425) and may close it.
        String why = readExplanation();
        TransferException.Builder b;
        if (why != null && FtpReplies.isSessionReuseRefusal(client.getReplyCode(), why) || client.getReplyCode() == 425) {
            b = TransferException.builder(Reason.DATA_CHANNEL, "the server refused the TLS data connection for " + command
                    + ": " + why).hint(FtpReplies.REUSE_HINT);
            reuseRefused = true;
            reuseChange = target.noteReuseRefusal(this);
        } else {
            b = TransferException.builder(Reason.DATA_CHANNEL, "the TLS handshake on the data connection failed: " + e.getMessage()
                    + (why != null ? "; the server said: " + why : "")).hint("check that the server's passive ports speak TLS; "
                    + "a proxy or firewall in the path may interfere");
        }
        return b.cause(e).serverReply(why).retryable(true).transcript(transcript).build();
    }

    /** Reads one reply with a short timeout; marks the connection broken if it cannot. */
    private String readExplanation() {
        return readExplanation(0);
    }

    /**
     * Reads the reply to a failed data command with a short timeout, and the replies still owed to the keepalive
     * {@code NOOP}s sent during the transfer ({@code 200}, before or after it): else the next command would read an
     * earlier command's reply. Returns the data command's reply (then {@link #explanationCode}), or {@code null}; marks
     * the connection broken if a reply is missing, as it is then out of step.
     */
    private String readExplanation(int owedNoops) {
        String why = null;
        explanationCode = -1;
        try {
            client.setSoTimeout((int) Math.min(5_000, config.replyTimeout().toMillis()));
            while (why == null || owedNoops > 0) {
                int code = client.getReply();
                if (code == 200 && owedNoops > 0) {
                    owedNoops--;
                    continue;
                }
                if (why != null) {
                    broken = true; // a reply nobody asked for: the connection is out of step
                    break;
                }
                why = reply();
                explanationCode = code;
            }
            client.setSoTimeout(millis(config.replyTimeout()));
        } catch (IOException e) {
            broken = true;
        }
        if (explanationCode == 522 || explanationCode == 421) {
            broken = true; // vsftpd closes the control connection after 522
        }
        return why;
    }

    private TransferException transferFailure(String command, IOException e, boolean stalled, long sent, int owedNoops) {
        if (stalled) {
            broken = true;
            readExplanation(owedNoops);
            return TransferException.builder(Reason.TIMEOUT, "the data connection stalled: no progress for "
                    + config.dataTimeout().toSeconds() + " s after " + sent + " bytes").cause(e).serverReply(reply())
                    .hint("the network or the server stopped accepting data; it is retried, resuming where it stopped")
                    .transcript(transcript).build();
        }
        String why = readExplanation(owedNoops);
        int code = why == null ? -1 : explanationCode;
        if (why != null && code >= 400) {
            FtpReplies.Verdict v = FtpReplies.classify(command, code, why);
            if (refusedAfterAccepting(code, why)) {
                v = new FtpReplies.Verdict(Reason.DATA_CHANNEL, true, FtpReplies.REUSE_HINT);
            }
            return TransferException.builder(v.reason(), "the upload stopped after " + sent + " bytes: " + why).cause(e)
                    .serverReply(why).hint(v.hint()).retryable(v.retryable() || v.reason().retryableByDefault()).transcript(transcript).build();
        }
        broken = true;
        return TransferException.builder(Reason.DATA_CHANNEL, "the data connection broke after " + sent + " bytes: " + e.getMessage())
                .cause(e).serverReply(why).hint("a network problem or the server aborted; it is retried, resuming where it stopped")
                .transcript(transcript).build();
    }

    // ---- errors -----------------------------------------------------------------------------------------

    private FtpReplies.Verdict classify(String command, int code) {
        return FtpReplies.classify(command, code, reply());
    }

    private TransferException failReply(Reason reason, String message, String command, String hint) {
        String r = reply();
        int code = client == null ? -1 : client.getReplyCode();
        FtpReplies.Verdict v = FtpReplies.classify(command, code, r);
        boolean retry = v.retryable() && reason == v.reason() || reason.retryableByDefault() && code >= 400 && code < 500;
        return TransferException.builder(reason, message + (r.isEmpty() ? "" : " (" + firstLine(r) + ")")).serverReply(r)
                .hint(hint != null ? hint : v.hint()).retryable(retry || reason.retryableByDefault() && code < 500)
                .transcript(transcript).build();
    }

    private static String firstLine(String r) {
        int i = r.indexOf('\n');
        return (i < 0 ? r : r.substring(0, i)).strip();
    }

    private TransferException fail(Reason reason, String message, Throwable cause, String hint) {
        return TransferException.builder(reason, message).cause(cause).hint(hint).serverReply(client == null ? null : emptyToNull(reply()))
                .transcript(transcript).build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private TransferException ioFailure(String command, IOException e) {
        broken = true;
        if (e instanceof SocketTimeoutException) {
            return fail(Reason.TIMEOUT, "no reply to " + command + " within " + config.replyTimeout().toSeconds() + " s", e,
                    "the server or the network is slow or stuck; raise the reply timeout if the server is just slow");
        }
        if (e instanceof FTPConnectionClosedException) {
            return fail(Reason.CONNECT, "the server closed the connection during " + command, e,
                    "the server may limit connections or idle time; it is retried");
        }
        return fail(Reason.CONNECT, "the connection broke during " + command + ": " + e.getMessage(), e, "a network problem; it is retried");
    }

    private TransferException handshakeFailure(IOException e) {
        broken = true;
        FerryTrustManager.UntrustedCertificateException refused = trust == null ? null : trust.refusal();
        for (Throwable t = e; t != null && refused == null; t = t.getCause()) {
            if (t instanceof FerryTrustManager.UntrustedCertificateException u) {
                refused = u;
            }
        }
        if (refused != null) {
            // A pin accepts a certificate whatever its dates: never offer one as the way past an expired certificate.
            boolean dates = refused.getCause() instanceof java.security.cert.CertificateExpiredException
                    || refused.getCause() instanceof java.security.cert.CertificateNotYetValidException;
            String hint = dates ? "the certificate is outside its validity dates: ask the server's owner to renew it, and check "
                    + "the clocks of this machine and the server"
                    // The host name is checked under a pin too: pinning cannot help here.
                    : refused.anotherHost() ? "connect with a host name the certificate holds, or ask the server's owner for a "
                    + "certificate that names " + config.host()
                    : "if this is the right server, pin its certificate (TlsOptions.pinSha256(\"sha256:" + refused.sha256()
                    + "\") or --cert-pin sha256:" + refused.sha256() + "), or trust its CA (--ca-cert)";
            return TransferException.builder(Reason.CERTIFICATE, refused.getMessage()).cause(e).hint(hint)
                    .transcript(transcript).build();
        }
        if (!(e instanceof SSLException)) {
            return fail(Reason.TLS_HANDSHAKE, "the TLS handshake with " + config.host() + " failed: " + e, e,
                    "the server closed the connection during the handshake; check the TLS versions it allows");
        }
        X509Certificate seen = trust == null ? null : trust.seen();
        return TransferException.builder(Reason.TLS_HANDSHAKE, "the TLS handshake with " + config.host() + " failed: " + e.getMessage()
                        + (seen != null ? " (server certificate sha256:" + FerryTrustManager.sha256(seen) + ")" : "")).cause(e)
                .hint("check the TLS versions both sides allow (Ferry: " + config.tls().enabledProtocols() + ")")
                .transcript(transcript).build();
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

    /** Sends QUIT (if the connection works) and closes; never throws. */
    void quit() throws TransferException {
        if (client != null && client.isConnected() && !broken) {
            send("QUIT", null);
        }
        close();
    }

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
