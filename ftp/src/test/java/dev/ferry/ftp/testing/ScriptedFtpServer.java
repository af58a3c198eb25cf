package dev.ferry.ftp.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small FTP(S) server on 127.0.0.1 for scripted replies, TLS included (MockFtpServer has no TLS).
 * It behaves like a permissive server and stores files in memory; {@link #reply(String, String)}
 * replaces the reply to a command, {@link #on(String, Function)} scripts it with the argument.
 * Special reply scripts for data commands: {@code "after-data:<reply>"} reads the data, then answers
 * {@code <reply>}; {@code "after-handshake:<reply>"} answers after the data TLS handshake without
 * reading, then closes the control connection if the code is 522 (as vsftpd does).
 * {@code "after-bytes:<n>:<reply>"} reads {@code n} bytes of the data, resets the data connection and answers {@code <reply>}
 * (as a server that gives up a transfer). {@code "stall"} accepts the data connection and never reads from it. {@code "silent"} accepts the data
 * connection and never answers the command (as a server blocked on a file lock); {@link #silentDataClosed(Duration)}
 * tells whether the client closed that data connection.
 * {@link #refuseDataConnections()} announces a passive port nobody listens on. {@link #raw(String, RawReply)},
 * {@link #greeting(RawReply)} and {@link #afterData(RawReply)} let a hostile server write whatever it likes (an endless
 * line, endless lines, a slow drip).
 */
public final class ScriptedFtpServer implements AutoCloseable {
    private final ServerSocket listener;
    private final SSLContext tls;
    private final Map<String, Function<String, String>> script = new ConcurrentHashMap<>();
    private final Map<String, RawReply> raw = new ConcurrentHashMap<>();
    private volatile RawReply greeting;
    private volatile RawReply afterData;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean refuseData;
    private final List<Socket> stalled = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.Semaphore clientClosed = new java.util.concurrent.Semaphore(0);
    private final List<Socket> silent = new CopyOnWriteArrayList<>();
    private final Thread thread;

    public ScriptedFtpServer(TestCertificates certs) throws Exception {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        if (certs != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = java.nio.file.Files.newInputStream(certs.keyStore())) {
                ks.load(in, certs.keyStorePassword().toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, certs.keyStorePassword().toCharArray());
            tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
        } else {
            tls = null;
        }
        thread = new Thread(this::acceptLoop, "scripted-ftp");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Whether the client closed the data connection of the last {@code "silent"} command within {@code timeout}
     * (an end of stream or a reset on this side); false if it is still open or there was none.
     */
    public boolean silentDataClosed(java.time.Duration timeout) {
        if (silent.isEmpty()) {
            return false;
        }
        Socket s = silent.get(silent.size() - 1);
        try {
            s.setSoTimeout((int) timeout.toMillis());
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Whether a client closed its control connection (an end of stream here) within {@code timeout}; each call takes one. */
    public boolean clientClosedControl(java.time.Duration timeout) throws InterruptedException {
        return clientClosed.tryAcquire(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Replaces the reply to a command (all of it, e.g. {@code "536 PROT P not supported"}). */
    public ScriptedFtpServer reply(String command, String reply) {
        script.put(command, arg -> reply);
        return this;
    }

    /** Scripts a command's reply from its argument; return {@code null} for the default behaviour. */
    public ScriptedFtpServer on(String command, Function<String, String> reply) {
        script.put(command, reply);
        return this;
    }

    /** Writes anything on the control connection (after TLS, inside it), then ends the session. */
    @FunctionalInterface
    public interface RawReply {
        void write(OutputStream out) throws IOException;
    }

    /** Answers a command with whatever {@code reply} writes, then closes the connection. */
    public ScriptedFtpServer raw(String command, RawReply reply) {
        raw.put(command, reply);
        return this;
    }

    /** Greets with whatever {@code reply} writes instead of {@code 220}, then closes the connection. */
    public ScriptedFtpServer greeting(RawReply reply) {
        greeting = reply;
        return this;
    }

    /** Answers {@code STOR} and {@code APPE}, once the data is read, with whatever {@code reply} writes, then closes the connection. */
    public ScriptedFtpServer afterData(RawReply reply) {
        afterData = reply;
        return this;
    }

    public ScriptedFtpServer refuseDataConnections() {
        refuseData = true;
        return this;
    }

    /** The files stored, by name. */
    public Map<String, byte[]> files() {
        return files;
    }

    /** Every command received, in order (PASS included, as received). */
    public List<String> commands() {
        return commands;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread t = new Thread(() -> serve(s), "scripted-ftp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static final class Conn {
        Socket socket;
        BufferedReader in;
        OutputStream out;
        boolean protP;
        ServerSocket pasv;
        String rnfr;

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void reset(Socket s) throws IOException {
            socket = s;
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }
    }

    private void serve(Socket s) {
        Conn c = new Conn();
        try (s) {
            s.setSoTimeout(20_000);
            c.reset(s);
            RawReply hostileGreeting = greeting;
            if (hostileGreeting != null) {
                hostileGreeting.write(c.out);
                return;
            }
            c.send("220 scripted FTP server");
            String line;
            while ((line = c.in.readLine()) != null) {
                commands.add(line);
                int sp = line.indexOf(' ');
                String cmd = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
                String arg = sp < 0 ? "" : line.substring(sp + 1);
                RawReply hostile = raw.get(cmd);
                if (hostile != null) {
                    hostile.write(c.out);
                    return;
                }
                Function<String, String> f = script.get(cmd);
                String scripted = f == null ? null : f.apply(arg);
                if (scripted != null && !scripted.startsWith("after-") && !scripted.equals("stall")
                        && !scripted.equals("silent")) {
                    c.send(scripted);
                    if (scripted.startsWith("221") || scripted.startsWith("421")) {
                        return;
                    }
                    continue;
                }
                if (!handle(c, cmd, arg, scripted)) {
                    return;
                }
            }
            clientClosed.release();
        } catch (IOException e) {
            // the client went away
        }
    }

    private boolean handle(Conn c, String cmd, String arg, String scripted) throws IOException {
        switch (cmd) {
            case "AUTH" -> {
                if (tls == null) {
                    c.send("500 AUTH not understood");
                    return true;
                }
                c.send("234 Proceed with negotiation.");
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(c.socket, null, c.socket.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                c.reset(ssl);
            }
            case "PBSZ", "TYPE", "OPTS", "NOOP" -> c.send("200 OK");
            case "PROT" -> {
                c.protP = arg.equals("P");
                c.send("200 PROT now " + arg);
            }
            case "USER" -> c.send("331 Password please.");
            case "PASS" -> c.send("230 Login successful.");
            case "FEAT" -> c.send("211-Features:\r\n SIZE\r\n UTF8\r\n211 End");
            case "CWD" -> c.send("250 Directory changed.");
            case "MKD" -> c.send("257 Created.");
            case "SIZE" -> {
                byte[] f = files.get(arg);
                c.send(f == null ? "550 Could not get file size." : "213 " + f.length);
            }
            case "PASV" -> {
                if (c.pasv != null) {
                    c.pasv.close();
                }
                int port;
                if (refuseData) {
                    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                        port = probe.getLocalPort();
                    }
                    c.pasv = null;
                } else {
                    c.pasv = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    c.pasv.setSoTimeout(10_000);
                    port = c.pasv.getLocalPort();
                }
                c.send("227 Entering Passive Mode (127,0,0,1," + (port >> 8) + "," + (port & 0xff) + ").");
            }
            case "STOR", "APPE" -> {
                if (c.pasv == null) {
                    c.send("425 Use PASV first.");
                    return true;
                }
                if ("silent".equals(scripted)) {
                    // Take the data connection, answer nothing: the client waits for the reply to the command.
                    silent.add(c.pasv.accept());
                    return true;
                }
                c.send("150 Ok to send data.");
                Socket data = c.pasv.accept();
                Socket raw = data;
                c.pasv.close();
                c.pasv = null;
                if (c.protP) {
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(data, null, data.getPort(), true);
                    ssl.setUseClientMode(false);
                    try {
                        ssl.startHandshake();
                    } catch (IOException e) {
                        data.close();
                        c.send("522 SSL connection failed");
                        return true;
                    }
                    data = ssl;
                }
                if ("stall".equals(scripted)) {
                    // Accept the data connection and never read it: the client's writes block.
                    stalled.add(data);
                    return true;
                }
                if (scripted != null && scripted.startsWith("after-handshake:")) {
                    String reply = scripted.substring("after-handshake:".length());
                    files.putIfAbsent(arg, new byte[0]);
                    data.close();
                    c.send(reply);
                    return !reply.startsWith("522");
                }
                if (scripted != null && scripted.startsWith("after-bytes:")) {
                    String[] parts = scripted.split(":", 3);
                    byte[] got = data.getInputStream().readNBytes(Integer.parseInt(parts[1]));
                    files.putIfAbsent(arg, got);
                    raw.setSoLinger(true, 0);
                    raw.close();
                    c.send(parts[2]);
                    return true;
                }
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                try (Socket d = data; InputStream in = d.getInputStream()) {
                    in.transferTo(buf);
                } catch (IOException e) {
                    c.send("426 Failure reading network stream.");
                    return true;
                }
                RawReply hostile = afterData;
                if (hostile != null) {
                    hostile.write(c.out);
                    return false;
                }
                if (scripted != null && scripted.startsWith("after-data:")) {
                    files.putIfAbsent(arg, buf.toByteArray());
                    c.send(scripted.substring("after-data:".length()));
                    return true;
                }
                if (cmd.equals("APPE") && files.containsKey(arg)) {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    all.write(files.get(arg));
                    all.write(buf.toByteArray());
                    files.put(arg, all.toByteArray());
                } else {
                    files.put(arg, buf.toByteArray());
                }
                c.send("226 Transfer complete.");
            }
            case "RNFR" -> {
                c.rnfr = arg;
                c.send(files.containsKey(arg) ? "350 Ready for RNTO." : "550 RNFR command failed.");
            }
            case "RNTO" -> {
                byte[] f = files.remove(c.rnfr);
                files.put(arg, f);
                c.send("250 Rename successful.");
            }
            case "DELE" -> c.send(files.remove(arg) != null ? "250 Delete operation successful." : "550 Delete operation failed.");
            case "QUIT" -> {
                c.send("221 Goodbye.");
                return false;
            }
            default -> c.send("502 Command not implemented.");
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : stalled) {
            s.close();
        }
        for (Socket s : silent) {
            s.close();
        }
    }
}
