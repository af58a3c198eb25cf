package dev.ferry.ftp.internal;

import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPSClient;
import org.bouncycastle.jsse.BCSSLSocket;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;

/**
 * Commons Net's {@link FTPSClient} with the hooks Ferry needs, through its protected API only:
 * <ul>
 *   <li>TLS is started when Ferry asks ({@link #startTls()}), not inside {@code connect}, so the
 *       connection test can time and report the TCP connection and the TLS handshake apart.</li>
 *   <li>The data connection's TLS session resumes the control connection's. The plain data socket
 *       reports the control port from {@code getPort()} and the TLS socket is layered on it with the
 *       very host string the control connection used: the JDK's client session cache is keyed by
 *       exactly these two, so the data handshake offers the control session (or its ticket). With
 *       Bouncy Castle's engine the session to resume is named explicitly.</li>
 *   <li>The data TLS handshake starts after the server's {@code 150} reply (some servers reset a
 *       handshake that arrives earlier), as Commons Net does.</li>
 *   <li>Replies are read by a {@link ReplyReader}: bounded in size, and in time as a whole.</li>
 * </ul>
 * Not thread-safe: one connection, one thread (the stall watchdog only closes sockets).
 */
final class FerryFtpClient extends FTPSClient {
    private boolean tlsNow;
    private boolean protectData;
    private SSLContext tlsContext;
    private TlsEngine engine;
    private String[] protocols;
    /** The control connection's TCP socket under TLS, once {@link #startTls()} began. */
    private Socket controlTcp;
    private volatile Socket dataSocket;
    private volatile Socket plainDataSocket;
    /** The socket the socket factory made last (a data socket while a data connection is being opened). */
    private volatile Socket lastCreated;
    /** Set when the reply to the last data command timed out after its data socket had connected. */
    private boolean noReplyAfterDataConnect;
    /** Set when the last data connection was opened but its TLS handshake failed. */
    private IOException dataHandshakeFailure;
    /** Data commands the server accepted (a 1xx reply): from then on it may have created or truncated the file. */
    private int acceptedDataCommands;

    FerryFtpClient(SSLContext context) {
        super(false, context);
        setSocketFactory(new TrackingSocketFactory(Socket::new));
    }

    void tls(SSLContext context, TlsEngine engine, String[] protocols) {
        this.tlsContext = context;
        this.engine = engine;
        this.protocols = protocols;
        setEnabledProtocols(protocols);
    }

    /**
     * Reads a reply through a {@link ReplyReader}, which bounds its lines and ends it with a {@link
     * ReplyReader.ReplyTooSlowException} once the read timeout has passed since it began (Commons Net's applies per read).
     */
    @Override
    public int getReply() throws IOException {
        ReplyReader r = replyReader();
        r.begin(getDefaultTimeout());
        try {
            return super.getReply();
        } finally {
            r.end();
        }
    }

    /** As {@link #getReply()}, for Commons Net's keepalive replies (not reported to listeners). */
    @Override
    protected void __getReplyNoReport() throws IOException {
        ReplyReader r = replyReader();
        r.begin(getDefaultTimeout());
        try {
            super.__getReplyNoReport();
        } finally {
            r.end();
        }
    }

    /**
     * The bounded reader of the current control socket. Commons Net sets a reader of its own on connecting and again
     * after the TLS handshake ({@code sslNegotiation}); only {@code getReply} reads it, so it is replaced here before it
     * has read a byte. Bytes left unread in the plain reader after {@code 234} are dropped with it, as Commons Net does:
     * nothing sent before the handshake may pass for a reply inside TLS.
     */
    private ReplyReader replyReader() throws IOException {
        if (_controlInput_ instanceof ReplyReader r) {
            return r;
        }
        if (_socket_ == null) {
            throw new FTPConnectionClosedException("the control connection is closed");
        }
        ReplyReader r = new ReplyReader(_socket_, Charset.forName(getControlEncoding()));
        _controlInput_ = r;
        return r;
    }

    /** Connect without negotiating TLS: Ferry calls {@link #startTls()} as a step of its own. */
    @Override
    protected void execAUTH() throws IOException {
        if (tlsNow) {
            super.execAUTH();
        }
    }

    @Override
    protected void sslNegotiation() throws IOException {
        if (tlsNow) {
            super.sslNegotiation();
        }
    }

    /** Runs the TLS handshake on the control connection (after a positive reply to {@code AUTH}). */
    void startTls() throws IOException {
        controlTcp = _socket_;
        tlsNow = true;
        try {
            sslNegotiation();
        } finally {
            tlsNow = false;
        }
    }

    /**
     * Closes the control connection without reading from it again. Closing a TLS socket layered without autoClose (as
     * Commons Net layers it) reads on until the server's close_notify, or for as long as bytes keep coming: a server that
     * floods the connection would hold it for good. Nothing more is wanted from the server, so the TCP input is shut
     * first; close_notify still goes out.
     */
    @Override
    public void disconnect() throws IOException {
        Socket tcp = controlTcp;
        if (tcp != null && tcp != _socket_) {
            try {
                tcp.shutdownInput();
            } catch (IOException e) {
                // closed already
            }
        }
        super.disconnect();
    }

    /** The control connection's TLS socket, or {@code null} for plain FTP. */
    SSLSocket controlTlsSocket() {
        return _socket_ instanceof SSLSocket s ? s : null;
    }

    /** The host string the control connection was opened with. */
    String hostString() {
        return _hostname_;
    }

    /** From now on, data connections are TLS connections resuming the control session ({@code PROT P} was accepted). */
    void protectDataChannel() {
        this.protectData = true;
        final int controlPort = getRemotePort();
        setSocketFactory(new TrackingSocketFactory(() -> new ControlPortSocket(controlPort)));
    }

    boolean dataProtected() {
        return protectData;
    }

    IOException dataHandshakeFailure() {
        return dataHandshakeFailure;
    }

    /**
     * Whether the last data connection failed because the command's reply timed out after the passive data socket had
     * connected (passive mode connects before sending the command), not because the data socket could not connect.
     */
    boolean noReplyAfterDataConnect() {
        return noReplyAfterDataConnect;
    }

    /** How many data commands the server accepted (answered 1xx) on this connection. */
    int acceptedDataCommands() {
        return acceptedDataCommands;
    }

    /** The data socket being used now (for the stall watchdog), or {@code null}. */
    Socket currentDataSocket() {
        return dataSocket;
    }

    /**
     * The TCP socket under the data connection. Closing it unblocks a writer at once; closing the TLS socket
     * instead would wait for the blocked writer's lock to send close_notify.
     */
    Socket currentPlainDataSocket() {
        return plainDataSocket;
    }

    void clearDataSocket() {
        dataSocket = null;
        plainDataSocket = null;
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        dataHandshakeFailure = null;
        noReplyAfterDataConnect = false;
        lastCreated = null;
        Socket plain;
        try {
            plain = super._openDataConnection_(command, arg);
        } catch (IOException | RuntimeException e) {
            // Commons Net does not close the data socket it connected when the command's reply fails (a timeout,
            // a broken control connection): close it here, or it stays open.
            Socket s = lastCreated;
            if (s != null && s != _socket_) {
                noReplyAfterDataConnect = e instanceof SocketTimeoutException && s.isConnected();
                closeQuietly(s);
            }
            throw e;
        }
        if (plain == null) {
            return null;
        }
        acceptedDataCommands++;
        dataSocket = plain;
        plainDataSocket = plain;
        if (!protectData) {
            return plain;
        }
        SSLSocket tls = (SSLSocket) tlsContext.getSocketFactory().createSocket(plain, _hostname_, getRemotePort(), true);
        dataSocket = tls;
        try {
            tls.setUseClientMode(true);
            tls.setEnabledProtocols(protocols);
            if (engine == TlsEngine.BOUNCY_CASTLE && tls instanceof BCSSLSocket bc && _socket_ instanceof BCSSLSocket control) {
                bc.setBCSessionToResume(control.getBCSession());
            }
            tls.startHandshake();
        } catch (IOException e) {
            dataHandshakeFailure = e;
            closeQuietly(tls);
            throw e;
        }
        return tls;
    }

    /** Opens a data connection for a command (passive mode), or returns {@code null} if a reply refused it. */
    Socket openDataConnection(String command, String arg) throws IOException {
        return _openDataConnection_(command, arg);
    }

    /** Sends {@code NOOP} without waiting for the reply (a keepalive during a transfer). */
    void sendNoopNoWait() throws IOException {
        _controlOutput_.write("NOOP\r\n");
        _controlOutput_.flush();
        fireCommandSent("NOOP", "NOOP\r\n");
    }

    /**
     * Closes a TCP socket with a reset (SO_LINGER 0) instead of the normal end of stream: the peer cannot mistake the
     * end of an aborted transfer for the end of the file. Never throws.
     */
    static void resetQuietly(Socket s) {
        if (s != null) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closed already: nothing more to tell the peer
            }
            closeQuietly(s);
        }
    }

    static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** Creates unconnected sockets and remembers the last one, so a data socket Commons Net drops can be closed. */
    private final class TrackingSocketFactory extends SocketFactory {
        private final java.util.function.Supplier<Socket> make;

        TrackingSocketFactory(java.util.function.Supplier<Socket> make) {
            this.make = make;
        }

        @Override
        public Socket createSocket() {
            Socket s = make.get();
            lastCreated = s;
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException();
        }
    }

    /** A plain socket that reports the control connection's port, so the JDK's session cache key matches. */
    static final class ControlPortSocket extends Socket {
        private final int reportedPort;

        ControlPortSocket(int reportedPort) {
            this.reportedPort = reportedPort;
        }

        @Override
        public int getPort() {
            return isConnected() ? reportedPort : super.getPort();
        }
    }
}
