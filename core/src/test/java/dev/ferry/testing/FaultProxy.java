package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A loopback TCP proxy for fault-injection tests: it sits between a client and a real server and can cut,
 * stall or refuse connections on demand.
 *
 * <p>Both the listening and the target address must be loopback ({@code 127.x.x.x}, {@code ::1} or
 * {@code localhost}); the proxy never touches any other network.
 *
 * <p>Counting: every connection counts its client-to-server ("upstream") and server-to-client ("downstream")
 * bytes from its own start. A one-shot fault armed with threshold {@code n} fires on the first connection
 * whose count in the fault's direction is {@code >= n} while the fault is armed; a connection that was
 * already open when the fault was armed therefore qualifies too, by its total (if it is already past
 * {@code n}, the fault fires before it forwards anything more, when its next data arrives). The proxy never
 * forwards more than {@code n} bytes of the faulted connection in the counted direction: a read is split at
 * the boundary. Arming a fault of a kind replaces the one of that kind still armed.
 *
 * <p>Half-close is forwarded: when one side ends its output (EOF), the proxy shuts down its output to the
 * other side and keeps forwarding the other direction; both sockets are closed once both directions ended.
 * A read or write error on either side resets (RST) both sides. TCP_NODELAY is set on both sockets.
 *
 * <p>Threads are platform daemon threads named {@code fault-proxy-<port>-...}: one acceptor per listening
 * port and two pumps per connection ({@code fault-proxy-<port>-<id>-up} and {@code -down}); {@link #close()}
 * joins them all.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int BACKLOG = 50;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_RANGE_PORTS = 1024;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** {@link #checkFaults} results (a positive result is the number of bytes that may be forwarded). */
    private static final long CUT = -1;
    private static final long STALL = -2;

    private enum Kind { CUT_UP, CUT_DOWN, STALL_UP }

    private static final Kind[] UP_KINDS = {Kind.CUT_UP, Kind.STALL_UP};
    private static final Kind[] DOWN_KINDS = {Kind.CUT_DOWN};

    private static final class Fault {
        final long threshold;
        boolean fired; // guarded by the proxy's lock

        Fault(long threshold) {
            this.threshold = threshold;
        }
    }

    private static final class Conn {
        final int id;
        final int port;
        final Socket client;
        final Socket server = new Socket();
        final CountDownLatch closedLatch = new CountDownLatch(1);
        long up; // written by the up pump only
        long down; // written by the down pump only
        boolean stalled; // guarded by the proxy's lock
        boolean upDone; // guarded by the proxy's lock
        boolean downDone; // guarded by the proxy's lock
        boolean closed; // guarded by the proxy's lock

        Conn(int id, int port, Socket client) {
            this.id = id;
            this.port = port;
            this.client = client;
        }
    }

    private final String host;
    private final InetAddress target;
    private final int targetPort; // 0: the port the connection was accepted on (range)
    private final List<ServerSocket> listeners;

    private final Object lock = new Object();
    private final Set<Conn> conns = new HashSet<>(); // guarded by lock
    private final List<Thread> threads = new ArrayList<>(); // guarded by lock
    private final Fault[] armed = new Fault[Kind.values().length]; // guarded by lock
    private Fault lastArmed; // guarded by lock
    private long firedCount; // guarded by lock
    private boolean closed; // guarded by lock
    private int nextId; // guarded by lock

    private volatile boolean refuse;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();

    private FaultProxy(String host, InetAddress target, int targetPort, List<ServerSocket> listeners) {
        this.host = host;
        this.target = target;
        this.targetPort = targetPort;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Listens on listenHost:listenPort (0 = ephemeral) and forwards each accepted connection to
     * targetHost:targetPort.
     *
     * @throws IllegalArgumentException if a host is not a loopback address or a port is out of range
     * @throws IOException if the port cannot be bound (the message names it)
     */
    public static FaultProxy start(String listenHost, int listenPort, String targetHost, int targetPort)
            throws IOException {
        checkPort(listenPort, 0, "listenPort");
        checkPort(targetPort, 1, "targetPort");
        InetAddress listen = loopback(listenHost, "listenHost");
        InetAddress to = loopback(targetHost, "targetHost");
        FaultProxy p = new FaultProxy(listenHost, to, targetPort, List.of(bind(listen, listenPort)));
        p.startAcceptors();
        return p;
    }

    /**
     * Listens on every port in [minPort, maxPort] of listenHost and forwards port P to targetHost:P (for an
     * FTP server's passive port range).
     *
     * <p>If one port cannot be bound, the ports already bound are closed again and an {@link IOException}
     * naming the failed port is thrown.
     *
     * @throws IllegalArgumentException if a host is not loopback, or the range is empty, out of range or
     *         wider than 1024 ports
     */
    public static FaultProxy range(String listenHost, String targetHost, int minPort, int maxPort)
            throws IOException {
        checkPort(minPort, 1, "minPort");
        checkPort(maxPort, 1, "maxPort");
        if (maxPort < minPort || maxPort - minPort >= MAX_RANGE_PORTS) {
            throw new IllegalArgumentException("bad port range [" + minPort + ", " + maxPort + "] (1 to "
                    + MAX_RANGE_PORTS + " ports)");
        }
        InetAddress listen = loopback(listenHost, "listenHost");
        InetAddress to = loopback(targetHost, "targetHost");
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int port = minPort; port <= maxPort; port++) {
                bound.add(bind(listen, port));
            }
        } catch (IOException | RuntimeException e) {
            bound.forEach(FaultProxy::closeQuietly);
            throw e;
        }
        FaultProxy p = new FaultProxy(listenHost, to, 0, bound);
        p.startAcceptors();
        return p;
    }

    /** The (first) listening port: the bound port for {@link #start}, minPort for {@link #range}. */
    public int port() {
        return listeners.get(0).getLocalPort();
    }

    /** The listen host exactly as given to {@link #start} or {@link #range}. */
    public String host() {
        return host;
    }

    /**
     * One-shot: the next connection whose client-to-server byte count reaches {@code n} is cut (both sockets
     * reset with RST) after exactly {@code n} upstream bytes were forwarded; then the fault disarms itself.
     *
     * <p>With {@code n == 0} the next new connection is cut as soon as its target connection is established.
     * The target may receive fewer than {@code n} bytes if they were still in the proxy's send buffer when the
     * reset discarded them (on loopback with a reading target this does not happen in practice).
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public FaultProxy cutUpstreamAfter(long n) {
        return arm(Kind.CUT_UP, n);
    }

    /**
     * One-shot: like {@link #cutUpstreamAfter}, counting server-to-client bytes (at most {@code n} are forwarded
     * to the client of the faulted connection).
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public FaultProxy cutDownstreamAfter(long n) {
        return arm(Kind.CUT_DOWN, n);
    }

    /**
     * One-shot: the next connection whose client-to-server count reaches {@code n} stops forwarding in both
     * directions (the sockets stay open) until {@link #cutAll()} or {@link #close()}; then the fault disarms.
     *
     * <p>Exactly {@code n} upstream bytes are forwarded. Downstream, bytes that a pump had already read when
     * the stall fired (at most one 64 KiB buffer) are held, never forwarded; afterwards neither socket is read.
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public FaultProxy stallUpstreamAfter(long n) {
        return arm(Kind.STALL_UP, n);
    }

    /**
     * While true, new connections are accepted and immediately reset (RST), as by a server that is down;
     * connections already open are untouched.
     */
    public FaultProxy refuseNew(boolean refuse) {
        this.refuse = refuse;
        return this;
    }

    /** Resets (RST) every connection open now, stalled ones included; when it returns, {@link #open()} no longer counts them. */
    public void cutAll() {
        List<Conn> snapshot;
        synchronized (lock) {
            snapshot = new ArrayList<>(conns);
        }
        for (Conn c : snapshot) {
            closeConn(c, true);
        }
    }

    /**
     * Waits until an armed one-shot fault has fired, or the timeout passes; returns whether one fired.
     *
     * <p>Returns true at once if the most recently armed fault (of any kind) has already fired; otherwise
     * returns true as soon as any fault fires during the wait, and false on timeout or once the proxy is
     * closed. It does not consume anything: calling it again gives the same answer until a fault is re-armed.
     */
    public boolean awaitFault(Duration timeout) throws InterruptedException {
        long budget;
        try {
            budget = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException e) {
            budget = timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
        long start = System.nanoTime();
        synchronized (lock) {
            long firedBefore = firedCount;
            while (true) {
                if ((lastArmed != null && lastArmed.fired) || firedCount != firedBefore) {
                    return true;
                }
                long left = budget - (System.nanoTime() - start);
                if (closed || left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /** Connections accepted so far on all ports, refused ones included. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now (accepted and not yet closed or reset by the proxy). */
    public int open() {
        synchronized (lock) {
            return conns.size();
        }
    }

    /** Total client-to-server bytes forwarded (written to the target) over all connections. */
    public long bytesUpstream() {
        return bytesUp.get();
    }

    /** Total server-to-client bytes forwarded (written to the client) over all connections. */
    public long bytesDownstream() {
        return bytesDown.get();
    }

    /**
     * Stops listening and resets every connection; idempotent; when it returns, no proxy thread is running.
     *
     * @throws IllegalStateException if a proxy thread is still alive 5 s after the sockets were closed
     */
    @Override
    public void close() {
        List<Conn> snapshot;
        List<Thread> all;
        synchronized (lock) {
            closed = true; // from now on no thread is started and no connection registered
            snapshot = new ArrayList<>(conns);
            all = new ArrayList<>(threads);
            lock.notifyAll();
        }
        listeners.forEach(FaultProxy::closeQuietly);
        for (Conn c : snapshot) {
            closeConn(c, true);
        }
        joinAll(all);
    }

    /** A description: listen address and target. */
    @Override
    public String toString() {
        int first = port();
        int last = listeners.get(listeners.size() - 1).getLocalPort();
        String ports = first == last ? String.valueOf(first) : first + "-" + last;
        return "FaultProxy[" + host + ":" + ports + " -> " + target.getHostAddress() + ":"
                + (targetPort == 0 ? ports : String.valueOf(targetPort)) + "]";
    }

    // ---------------------------------------------------------------------------------------------------

    private FaultProxy arm(Kind kind, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("byte count must be >= 0: " + n);
        }
        synchronized (lock) {
            Fault f = new Fault(n);
            armed[kind.ordinal()] = f;
            lastArmed = f;
        }
        return this;
    }

    private void startAcceptors() {
        synchronized (lock) {
            for (ServerSocket ss : listeners) {
                startThread("fault-proxy-" + ss.getLocalPort() + "-acceptor", () -> acceptLoop(ss));
            }
        }
    }

    /** Starts a daemon thread; the caller holds {@link #lock} and has checked that the proxy is not closed. */
    private void startThread(String name, Runnable body) {
        threads.removeIf(t -> !t.isAlive());
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    private void acceptLoop(ServerSocket ss) {
        int port = ss.getLocalPort();
        while (true) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                synchronized (lock) {
                    if (!closed) {
                        System.err.println("FaultProxy: accept on port " + port + " failed, no longer accepting: " + e);
                    }
                }
                return;
            }
            accepted.incrementAndGet();
            if (refuse) {
                reset(s);
            } else if (!register(port, s)) {
                reset(s);
                return;
            }
        }
    }

    private boolean register(int port, Socket s) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Conn c = new Conn(nextId++, port, s);
            conns.add(c);
            startThread("fault-proxy-" + port + "-" + c.id + "-up", () -> runUpstream(c));
            return true;
        }
    }

    /** The up pump's thread: connects to the target, starts the down pump, then pumps client to server. */
    private void runUpstream(Conn c) {
        try {
            c.client.setTcpNoDelay(true);
            c.server.setTcpNoDelay(true);
            int port = targetPort == 0 ? c.port : targetPort;
            c.server.connect(new InetSocketAddress(target, port), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            closeConn(c, true); // target down or refusing: reset the client
            return;
        }
        synchronized (lock) {
            if (closed || c.closed) {
                return; // whoever closed it resets the sockets
            }
            startThread("fault-proxy-" + c.port + "-" + c.id + "-down", () -> pump(c, false));
        }
        pump(c, true);
    }

    private void pump(Conn c, boolean up) {
        Socket from = up ? c.client : c.server;
        Socket to = up ? c.server : c.client;
        byte[] buf = new byte[BUFFER_SIZE];
        int n = 0;
        int off = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                long allow = checkFaults(c, up);
                if (allow == CUT) {
                    closeConn(c, true);
                    return;
                }
                if (allow == STALL) {
                    c.closedLatch.await(); // until cutAll() or close()
                    return;
                }
                if (n < 0) {
                    halfClose(c, up, to);
                    return;
                }
                if (off < n) {
                    int len = (int) Math.min(n - off, allow);
                    out.write(buf, off, len);
                    off += len;
                    if (up) {
                        c.up += len;
                        bytesUp.addAndGet(len);
                    } else {
                        c.down += len;
                        bytesDown.addAndGet(len);
                    }
                } else {
                    n = in.read(buf);
                    off = 0;
                }
            }
        } catch (IOException e) {
            closeConn(c, true); // a no-op if the proxy closed it
        } catch (InterruptedException e) {
            closeConn(c, true);
        }
    }

    /**
     * Fires a fault that {@code c} has reached in direction {@code up}; returns {@link #CUT}, {@link #STALL}, or
     * how many bytes may be forwarded before the nearest armed threshold.
     */
    private long checkFaults(Conn c, boolean up) {
        synchronized (lock) {
            if (c.closed) {
                return CUT;
            }
            if (c.stalled) {
                return STALL;
            }
            long count = up ? c.up : c.down;
            long allow = Long.MAX_VALUE;
            for (Kind k : up ? UP_KINDS : DOWN_KINDS) {
                Fault f = armed[k.ordinal()];
                if (f == null) {
                    continue;
                }
                if (count >= f.threshold) {
                    armed[k.ordinal()] = null;
                    f.fired = true;
                    firedCount++;
                    lock.notifyAll();
                    if (k == Kind.STALL_UP) {
                        c.stalled = true;
                        return STALL;
                    }
                    return CUT;
                }
                allow = Math.min(allow, f.threshold - count);
            }
            return allow;
        }
    }

    private void halfClose(Conn c, boolean up, Socket to) {
        try {
            to.shutdownOutput();
        } catch (IOException e) {
            closeConn(c, true);
            return;
        }
        boolean both;
        synchronized (lock) {
            if (up) {
                c.upDone = true;
            } else {
                c.downDone = true;
            }
            both = c.upDone && c.downDone;
        }
        if (both) {
            closeConn(c, false);
        }
    }

    /** Closes both sockets of {@code c} once (with RST if {@code rst}) and releases its stalled pumps. */
    private void closeConn(Conn c, boolean rst) {
        synchronized (lock) {
            if (c.closed) {
                return;
            }
            c.closed = true;
            conns.remove(c);
        }
        if (rst) {
            lingerZero(c.client);
            lingerZero(c.server);
        }
        closeQuietly(c.client);
        closeQuietly(c.server);
        c.closedLatch.countDown();
    }

    private void joinAll(List<Thread> all) {
        long start = System.nanoTime();
        boolean interrupted = false;
        List<String> alive = new ArrayList<>();
        for (Thread t : all) {
            if (t == Thread.currentThread()) {
                continue;
            }
            while (t.isAlive()) {
                long left = JOIN_NANOS - (System.nanoTime() - start);
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                } catch (InterruptedException e) {
                    interrupted = true; // finish joining anyway, then restore the flag
                }
            }
            if (t.isAlive()) {
                alive.add(t.getName());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!alive.isEmpty()) {
            throw new IllegalStateException(this + ": threads still running 5 s after close: " + alive);
        }
    }

    private static ServerSocket bind(InetAddress addr, int port) throws IOException {
        ServerSocket ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(addr, port), BACKLOG);
            return ss;
        } catch (IOException e) {
            closeQuietly(ss);
            throw new IOException("FaultProxy cannot listen on " + addr.getHostAddress() + " port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    private static InetAddress loopback(String host, String what) throws IOException {
        Objects.requireNonNull(host, what);
        String h = host.trim();
        // IP literals and localhost only: never a DNS query for some other name.
        if (h.equalsIgnoreCase("localhost") || h.equals("::1") || h.equals("[::1]") || IPV4.matcher(h).matches()) {
            InetAddress a = InetAddress.getByName(h);
            if (a.isLoopbackAddress()) {
                return a;
            }
        }
        throw new IllegalArgumentException(what + " must be a loopback address (127.x.x.x, ::1 or localhost), not '"
                + host + "'");
    }

    private static void checkPort(int port, int min, String what) {
        if (port < min || port > 65535) {
            throw new IllegalArgumentException(what + " out of range [" + min + ", 65535]: " + port);
        }
    }

    private static void reset(Socket s) {
        lingerZero(s);
        closeQuietly(s);
    }

    private static void lingerZero(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing to do
        }
    }
}
