package dev.ferry.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FaultProxyTest {
    private static final int MIB = 1 << 20;
    private static final byte[] DATA = random(MIB, 42);
    private static final Duration BUDGET = Duration.ofSeconds(8);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverythingAndCheckForLeakedThreads() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        assertEquals(List.of(), proxyThreads(), "threads left running after close()");
    }

    @Test
    void forwardsEveryByteAndHalfClose() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            assertEquals(sink.port() + " " + TestFiles.sha256(DATA), roundTrip(proxy, DATA));
            waitFor("the connection to close", () -> proxy.open() == 0);
            assertEquals(MIB, proxy.bytesUpstream());
            assertEquals(1, proxy.accepted());
            assertEquals("eof", sink.next().outcome());
            assertFalse(proxy.awaitFault(Duration.ZERO), "no fault armed");
        });
    }

    @Test
    void cutUpstreamResetsBothSidesAtTheBoundaryThenDisarms() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            assertSame(proxy, proxy.cutUpstreamAfter(300_000));
            assertFalse(proxy.awaitFault(Duration.ofMillis(50)), "armed but not fired yet");
            try (Socket s = connect(proxy)) {
                IOException e = assertThrows(IOException.class, () -> {
                    s.getOutputStream().write(DATA);
                    s.shutdownOutput();
                    readAll(s.getInputStream());
                });
                assertFalse(e instanceof SocketTimeoutException, e.toString());
            }
            assertTrue(proxy.awaitFault(WAIT));
            Peer peer = sink.next();
            assertTrue(peer.outcome().startsWith("error"), "the target must see a reset, not EOF: " + peer.outcome());
            assertEquals(300_000, peer.received.get(), "bytes the target received");
            assertEquals(TestFiles.sha256(Arrays.copyOf(DATA, 300_000)), peer.hash);
            waitFor("the cut connection to go", () -> proxy.open() == 0);
            assertEquals(300_000, proxy.bytesUpstream());

            // one-shot: the next connection passes
            assertEquals(sink.port() + " " + TestFiles.sha256(DATA), roundTrip(proxy, DATA));
            waitFor("the connection to close", () -> proxy.open() == 0);
            assertEquals(300_000 + MIB, proxy.bytesUpstream());
        });
    }

    @Test
    void cutDownstreamResetsTheClientAtTheBoundaryThenDisarms() {
        within(() -> {
            Server source = source(DATA);
            FaultProxy proxy = proxy(source.port());
            proxy.cutDownstreamAfter(200_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (Socket s = connect(proxy)) {
                IOException e = assertThrows(IOException.class, () -> s.getInputStream().transferTo(got));
                assertFalse(e instanceof SocketTimeoutException, e.toString());
            }
            assertTrue(proxy.awaitFault(WAIT));
            assertEquals(200_000, got.size(), "bytes the client received");
            assertEquals(TestFiles.sha256(Arrays.copyOf(DATA, 200_000)), TestFiles.sha256(got.toByteArray()));
            assertTrue(source.next().outcome().startsWith("error"), "the server must see a reset");
            waitFor("the cut connection to go", () -> proxy.open() == 0);
            assertEquals(200_000, proxy.bytesDownstream());

            try (Socket s = connect(proxy)) {
                assertEquals(TestFiles.sha256(DATA), TestFiles.sha256(readAll(s.getInputStream())));
            }
            assertEquals("eof", source.next().outcome());
        });
    }

    @Test
    void armingReplacesTheFaultOfTheSameKind() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            proxy.cutUpstreamAfter(10).cutUpstreamAfter(600_000);
            byte[] small = Arrays.copyOf(DATA, 100_000);
            assertEquals(sink.port() + " " + TestFiles.sha256(small), roundTrip(proxy, small));
            assertFalse(proxy.awaitFault(Duration.ofMillis(100)), "the replaced threshold (10) must not fire");
            try (Socket s = connect(proxy)) {
                assertThrows(IOException.class, () -> {
                    s.getOutputStream().write(DATA);
                    readAll(s.getInputStream());
                });
            }
            assertTrue(proxy.awaitFault(WAIT));
            waitFor("the cut connection to go", () -> proxy.open() == 0);
            assertEquals(100_000 + 600_000, proxy.bytesUpstream());
        });
    }

    @Test
    void stallHoldsBothDirectionsUntilCutAll() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            proxy.stallUpstreamAfter(300_000);
            try (Socket s = connect(proxy)) {
                Thread writer = new Thread(() -> {
                    try {
                        s.getOutputStream().write(DATA);
                    } catch (IOException expected) {
                        // reset by cutAll()
                    }
                }, "test-stall-writer");
                writer.setDaemon(true);
                writer.start();

                assertTrue(proxy.awaitFault(WAIT));
                Peer peer = sink.next();
                waitFor("the target to get the first 300000 bytes", () -> peer.received.get() >= 300_000);
                // downstream is held too: the server's answer does not reach the client
                OutputStream toClient = peer.socket.getOutputStream();
                toClient.write("late".getBytes(StandardCharsets.US_ASCII));
                toClient.flush();
                s.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                assertEquals(300_000, peer.received.get(), "nothing forwarded past the stall");
                assertEquals(300_000, proxy.bytesUpstream());
                assertEquals(0, proxy.bytesDownstream());
                assertEquals(1, proxy.open());
                assertFalse(peer.done.isDone(), "the target's socket stays open while stalled");

                proxy.cutAll();
                assertEquals(0, proxy.open());
                s.setSoTimeout(5_000);
                IOException e = assertThrows(IOException.class, () -> s.getInputStream().read());
                assertFalse(e instanceof SocketTimeoutException, e.toString());
                assertTrue(peer.outcome().startsWith("error"), peer.outcome());
                writer.join(WAIT.toMillis());
                assertFalse(writer.isAlive());
            }
        });
    }

    @Test
    void refuseNewResetsNewConnectionsOnly() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            try (Socket existing = connect(proxy)) {
                existing.getOutputStream().write(DATA, 0, 1000);
                assertNotNull(sink.next());
                assertSame(proxy, proxy.refuseNew(true));
                assertRefused(proxy);
                assertEquals(2, proxy.accepted());
                assertNull(sink.peers.poll(100, TimeUnit.MILLISECONDS), "a refused connection reaches no target");

                // the connection that was open before still works
                existing.getOutputStream().write(DATA, 1000, 1000);
                existing.shutdownOutput();
                String reply = new String(readAll(existing.getInputStream()), StandardCharsets.US_ASCII).trim();
                assertEquals(sink.port() + " " + TestFiles.sha256(Arrays.copyOf(DATA, 2000)), reply);
            }
            proxy.refuseNew(false);
            assertEquals(sink.port() + " " + TestFiles.sha256(DATA), roundTrip(proxy, DATA));
            assertEquals(3, proxy.accepted());
        });
    }

    @Test
    void aRefusingTargetResetsTheClient() {
        within(() -> {
            int deadPort;
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                deadPort = ss.getLocalPort();
            }
            FaultProxy proxy = proxy(deadPort);
            assertRefused(proxy);
            waitFor("the connection to go", () -> proxy.open() == 0);
            assertEquals(1, proxy.accepted());
        });
    }

    @Test
    void rangeForwardsEachPortToTheSamePortOfTheTarget() {
        within(() -> {
            Random r = new Random();
            FaultProxy proxy = null;
            List<Server> sinks = new ArrayList<>();
            int base = -1;
            for (int attempt = 0; attempt < 50 && proxy == null; attempt++) {
                base = 40_000 + 3 * r.nextInt(333);
                sinks = new ArrayList<>();
                try {
                    for (int p = base; p < base + 3; p++) {
                        sinks.add(sink(p));
                    }
                    proxy = FaultProxy.range("127.0.0.2", "127.0.0.1", base, base + 2);
                } catch (IOException busy) {
                    for (Server s : sinks) {
                        s.close();
                        toClose.remove(s);
                    }
                }
            }
            assertNotNull(proxy, "no 3 free consecutive ports in 40000-40999");
            toClose.add(proxy);
            assertEquals(base, proxy.port());
            assertEquals("127.0.0.2", proxy.host());
            byte[] data = Arrays.copyOf(DATA, 100_000);
            for (int p = base; p < base + 3; p++) {
                assertEquals(p + " " + TestFiles.sha256(data), roundTrip("127.0.0.2", p, data));
            }
            assertEquals(3, proxy.accepted());
            for (Server s : sinks) {
                assertEquals("eof", s.next().outcome());
            }
            proxy.close();

            // one port taken: everything already bound is released, the error names the port
            try (ServerSocket blocker = new ServerSocket(base + 1, 1, InetAddress.getByName("127.0.0.2"))) {
                assertTrue(blocker.isBound());
                int first = base;
                IOException e = assertThrows(IOException.class,
                        () -> FaultProxy.range("127.0.0.2", "127.0.0.1", first, first + 2));
                assertTrue(e.getMessage().contains(String.valueOf(base + 1)), e.getMessage());
                new ServerSocket(base, 1, InetAddress.getByName("127.0.0.2")).close();
            }
        });
    }

    @Test
    void closeResetsEverythingAndLeavesNoThread() {
        within(() -> {
            Server sink = sink(0);
            FaultProxy proxy = proxy(sink.port());
            int port = proxy.port();
            try (Socket idle = connect(proxy); Socket stalled = connect(proxy)) {
                idle.getOutputStream().write(DATA, 0, 10);
                waitFor("the idle connection to reach the target", () -> sink.totalReceived() == 10);
                proxy.stallUpstreamAfter(15);
                stalled.getOutputStream().write(DATA, 0, 100);
                assertTrue(proxy.awaitFault(WAIT));
                assertEquals(2, proxy.open());
                // an acceptor and two pumps per connection
                waitFor("5 proxy threads", () -> proxyThreads().size() == 5);
                assertTrue(proxyThreads().stream().allMatch(n -> n.startsWith("fault-proxy-" + port + "-")),
                        proxyThreads().toString());

                proxy.close();
                proxy.close(); // idempotent
                assertEquals(List.of(), proxyThreads());
                assertEquals(0, proxy.open());
                assertResetOrEof(idle);
                assertResetOrEof(stalled);
                assertTrue(proxy.awaitFault(Duration.ZERO), "the stall that fired is still reported after close");
            }
            try (Socket s = new Socket()) {
                assertThrows(IOException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", port), 1000));
            }
        });
    }

    @Test
    void rejectsNonLoopbackAddresses() {
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start("0.0.0.0", 0, "127.0.0.1", 21));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start("127.0.0.1", 0, "10.0.0.1", 21));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start("127.0.0.1", 0, "example.com", 21));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.range("127.0.0.1", "127.0.0.1", 50, 40));
    }

    // ---------------------------------------------------------------------------------------------------

    private static void within(Executable body) {
        assertTimeoutPreemptively(BUDGET, body);
    }

    private FaultProxy proxy(int targetPort) throws IOException {
        FaultProxy p = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", targetPort);
        toClose.add(p);
        return p;
    }

    private Server sink(int port) throws IOException {
        Server s = new Server(port, null);
        toClose.add(s);
        return s;
    }

    private Server source(byte[] data) throws IOException {
        Server s = new Server(0, data);
        toClose.add(s);
        return s;
    }

    private static Socket connect(FaultProxy p) throws IOException {
        return connect(p.host(), p.port());
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4 << 20);
        s.connect(new InetSocketAddress(host, port), 2_000);
        s.setSoTimeout(5_000);
        return s;
    }

    /** Sends data, half-closes, and returns the sink's answer ("port sha256"). */
    private static String roundTrip(FaultProxy p, byte[] data) throws IOException {
        return roundTrip(p.host(), p.port(), data);
    }

    private static String roundTrip(String host, int port, byte[] data) throws IOException {
        try (Socket s = connect(host, port)) {
            s.getOutputStream().write(data);
            s.shutdownOutput();
            return new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII).trim();
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** The peer reset (or closed) the connection: a read gives -1 or an error, and does not time out. */
    private static void assertResetOrEof(Socket s) throws IOException {
        s.setSoTimeout(2_000);
        try {
            int b = s.getInputStream().read();
            assertEquals(-1, b, "expected a reset or EOF, got data");
        } catch (SocketTimeoutException e) {
            fail("expected a reset or EOF, the connection stayed open");
        } catch (IOException expected) {
            // connection reset
        }
    }

    /**
     * The proxy accepted the connection and reset it. The reset may already fail the connect (a timed connect
     * checks the socket's error after the handshake), or else the first read.
     */
    private static void assertRefused(FaultProxy p) throws IOException {
        Socket s;
        try {
            s = connect(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connect timed out", e);
        } catch (IOException reset) {
            return;
        }
        try (Socket c = s) {
            assertResetOrEof(c);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static List<String> proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("fault-proxy-")).sorted().collect(Collectors.toList());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A loopback test server on 127.0.0.1. A sink reads everything (counting and hashing it) and at EOF answers
     * "port sha256" and closes; a source sends its bytes, half-closes, and reads until EOF.
     */
    private static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final BlockingQueue<Peer> peers = new LinkedBlockingQueue<>();
        final List<Peer> all = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final byte[] source;

        Server(int port, byte[] source) throws IOException {
            this.source = source;
            ServerSocket ss = new ServerSocket();
            ss.setReceiveBufferSize(4 << 20); // a window that never limits what the proxy may have sent
            try {
                ss.bind(new InetSocketAddress("127.0.0.1", port), 50);
            } catch (IOException e) {
                ss.close();
                throw e;
            }
            socket = ss;
            start("test-server-" + port() + "-accept", this::acceptLoop);
        }

        int port() {
            return socket.getLocalPort();
        }

        Peer next() throws InterruptedException {
            Peer p = peers.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(p, "no connection reached the server on port " + port());
            return p;
        }

        long totalReceived() {
            return all.stream().mapToLong(p -> p.received.get()).sum();
        }

        private void start(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        private void acceptLoop() {
            while (true) {
                Socket s;
                try {
                    s = socket.accept();
                } catch (IOException closed) {
                    return;
                }
                Peer p = new Peer(s);
                all.add(p);
                peers.add(p);
                start("test-server-" + port() + "-peer", () -> serve(p));
            }
        }

        private void serve(Peer p) {
            String outcome = "eof";
            try (Socket s = p.socket) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                if (source != null) {
                    out.write(source);
                    s.shutdownOutput();
                }
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    p.sha.update(buf, 0, n);
                    p.received.addAndGet(n);
                }
                p.hash = HexFormat.of().formatHex(p.sha.digest());
                if (source == null) {
                    out.write((port() + " " + p.hash + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                outcome = "error: " + e;
                if (p.hash == null) {
                    p.hash = HexFormat.of().formatHex(p.sha.digest());
                }
            }
            p.done.complete(outcome);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Peer p : all) {
                p.socket.close();
            }
            try {
                for (Thread t : threads) {
                    t.join(WAIT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Peer {
        final Socket socket;
        final AtomicLong received = new AtomicLong();
        final MessageDigest sha;
        final CompletableFuture<String> done = new CompletableFuture<>();
        volatile String hash;

        Peer(Socket socket) {
            this.socket = socket;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** How the server's side ended: "eof" or "error: ...". */
        String outcome() throws Exception {
            return done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
