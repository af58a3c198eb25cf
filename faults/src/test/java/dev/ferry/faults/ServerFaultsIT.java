package dev.ferry.faults;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.Upload;
import dev.ferry.faults.Faults.FileCase;
import dev.ferry.faults.Faults.Outcome;
import dev.ferry.testing.Interop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of the server itself: its session process killed with SIGKILL in the middle of a transfer, and the whole
 * server stopped and started again (by {@code interop/servers.sh start}) while Ferry retries. Needs root (it signals
 * the servers' processes); vsftpd, ProFTPD and OpenSSH.
 */
@ExtendWith(FaultTable.class)
class ServerFaultsIT {
    @BeforeAll
    static void warmUp() throws Exception {
        Faults.warmUp();
    }

    static final long BIG = 128L << 20;

    @BeforeEach
    void root() {
        if (!Faults.isRoot()) {
            String why = "the server-fault cases signal the servers' processes and need root";
            if (Interop.required()) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
    }

    private static StorageTarget target(String server, int attempts) throws Exception {
        return server.equals("sshd") ? Faults.sftp("127.0.0.1", Interop.requireServer("sshd"),
                dev.ferry.core.HostKeys.pinned(Interop.get("sshd.fingerprint")), Faults.retries(attempts))
                : Faults.ftpsDirect(server, Faults.retries(attempts));
    }

    private static ProcessHandle listener(String server) throws Exception {
        long pid = Long.parseLong(Files.readString(Interop.dir().resolve(server + ".launcher.pid")).trim());
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(server + " is not running (pid " + pid + ")"));
    }

    /** Kills the server's session processes (every descendant of its listener) with SIGKILL; returns how many. */
    private static int killSessions(String server) {
        try {
            List<ProcessHandle> sessions = listener(server).descendants().toList();
            sessions.forEach(ProcessHandle::destroyForcibly);
            return sessions.size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kills the listener and its sessions with SIGKILL and waits until the listener is gone. */
    private static void stopServer(String server) {
        try {
            ProcessHandle l = listener(server);
            l.descendants().forEach(ProcessHandle::destroyForcibly);
            l.destroyForcibly();
            l.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void startServers() throws Exception {
        Path script = Path.of("..", "interop", "servers.sh").toAbsolutePath().normalize();
        Path log = Faults.evidenceDir().resolve("servers-restart.log");
        Process p = new ProcessBuilder("bash", script.toString(), "start").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "servers.sh start did not finish in 180 s");
        assertEquals(0, p.exitValue(), "servers.sh start failed; see " + log);
    }

    @ParameterizedTest(name = "{0}|session process killed mid-transfer")
    @ValueSource(strings = {"vsftpd", "proftpd", "sshd"})
    void sessionKilled(String server) throws Exception {
        FileCase c = FileCase.start("killed-" + server + ".bin", BIG);
        AtomicBoolean fired = new AtomicBoolean();
        AtomicInteger killed = new AtomicInteger();
        Outcome o;
        try (StorageTarget t = target(server, 4)) {
            o = Faults.outcome(server + "-killed", () -> t.upload(Upload.builder().source(c.src()).remotePath(c.name())
                    .progress(Faults.once(0.25, fired, () -> killed.set(killSessions(server)))).build()));
        }
        assertTrue(fired.get() && killed.get() > 0, "no session process was killed during the transfer");
        c.finish(o, "SIGKILL to " + killed.get() + " session process(es) at >= 25 %", false);
    }

    @ParameterizedTest(name = "{0}|server stopped and started again mid-transfer")
    @ValueSource(strings = {"vsftpd", "proftpd", "sshd"})
    void serverRestarted(String server) throws Exception {
        FileCase c = FileCase.start("restart-" + server + ".bin", BIG);
        AtomicBoolean fired = new AtomicBoolean();
        CountDownLatch down = new CountDownLatch(1);
        Outcome o;
        long t0;
        long upAfter;
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "fault-case-upload"));
        try {
            try (StorageTarget t = target(server, 12)) {
                Future<Outcome> f = pool.submit(() -> Faults.outcome(server + "-restart", () -> t.upload(Upload.builder()
                        .source(c.src()).remotePath(c.name()).progress(Faults.once(0.25, fired, () -> {
                            stopServer(server);
                            down.countDown();
                        })).build())));
                assertTrue(down.await(120, TimeUnit.SECONDS), "the server was not stopped during the transfer");
                t0 = System.nanoTime();
                startServers();
                upAfter = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                o = f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "the upload thread did not end");
        }
        c.finish(o, "server killed at >= 25 %, up again after " + upAfter + " ms", false);
    }
}
