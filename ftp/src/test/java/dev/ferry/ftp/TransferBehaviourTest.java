package dev.ferry.ftp;

import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.ftp.testing.EmbeddedFtpServer;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keepalive, the stall watchdog, and sources that change while being read. */
class TransferBehaviourTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(dir);
    }

    static FtpTarget.Builder builder(int port, String password) {
        return FtpTarget.builder().host("127.0.0.1").port(port).credentials(Credentials.password("alice", password.toCharArray()))
                .tls(TlsOptions.builder().pinSha256(sha(certs)).build()).retryPolicy(RetryPolicy.none())
                .timeouts(Duration.ofSeconds(10));
    }

    static String sha(TestCertificates c) {
        try {
            return c.sha256();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void keepaliveNoopRepliesAfterTheTransferReplyAreMatched() throws Exception {
        // The scripted server answers commands only after a transfer ends, as vsftpd does.
        byte[] content = new byte[2_000_000];
        Arrays.fill(content, (byte) 7);
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs);
             StorageTarget t = builder(server.port(), "pw-keepalive-1").keepAlive(Duration.ofNanos(1)).bufferSize(8192).build()) {
            UploadResult r = t.upload(Upload.builder().source(ContentSource.ofBytes(content)).remotePath("k.bin").build());
            assertTrue(r.transcript().stream().anyMatch(l -> l.contains("> NOOP")), "keepalive sent");
            // The session is still in step: the next upload on the same connection works.
            UploadResult second = t.upload(Upload.builder().source(ContentSource.ofBytes(content)).remotePath("k2.bin").build());
            assertEquals(content.length, second.bytes());
            assertArrayEquals(content, server.files().get("k2.bin"));
        }
    }

    @Test
    void keepaliveNoopRepliesDuringTheTransferAreMatched() throws Exception {
        // Apache FtpServer answers NOOP while the transfer runs.
        Path src = TestFiles.random(dir, "ka.bin", 3_000_000);
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir.resolve("ka"));
             StorageTarget t = builder(server.port(), EmbeddedFtpServer.PASSWORD)
                     .tls(TlsOptions.builder().pinSha256(server.certificates().sha256()).build())
                     .keepAlive(Duration.ofNanos(1)).bufferSize(8192).build()) {
            t.upload(Upload.of(src, "ka.bin"));
            t.upload(Upload.of(src, "ka2.bin"));
            assertEquals(TestFiles.sha256(src), TestFiles.sha256(server.home().resolve("ka2.bin")));
        }
    }

    @Test
    void aStalledDataConnectionTimesOutAndPublishesNothing() throws Exception {
        byte[] content = new byte[64 << 20];
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs).reply("STOR", "stall");
             StorageTarget t = builder(server.port(), "pw-stall-1").dataTimeout(Duration.ofSeconds(1)).build()) {
            TransferException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(ContentSource.ofBytes(content)).remotePath("s.bin").build())));
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("stalled"), e.getMessage());
            assertFalse(server.files().containsKey("s.bin"));
        }
    }

    @Test
    void aSourceThatShrinksOrGrowsIsBadInputAndIsNotPublished() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir.resolve("change"));
             StorageTarget t = builder(server.port(), EmbeddedFtpServer.PASSWORD)
                     .tls(TlsOptions.builder().pinSha256(server.certificates().sha256()).build()).build()) {
            for (long claimed : new long[] {200_000, 50_000}) {
                ContentSource lying = new ContentSource() {
                    @Override
                    public InputStream open() {
                        return new ByteArrayInputStream(new byte[100_000]);
                    }

                    @Override
                    public long length() {
                        return claimed;
                    }

                    @Override
                    public String describe() {
                        return "a changing file";
                    }
                };
                TransferException e = assertThrows(TransferException.class,
                        () -> t.upload(Upload.builder().source(lying).remotePath("changing.bin").build()));
                assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
                assertTrue(e.getMessage().contains(claimed > 100_000 ? "shrank" : "grew"), e.getMessage());
                assertFalse(Files.exists(server.home().resolve("changing.bin")));
            }
        }
    }
    /**
     * A source that claims {@code length} bytes and delivers 8 KiB every 40 ms; after {@code reads} reads it fails
     * ({@code fail}) or ends early, unless {@code reads} is 0.
     */
    static ContentSource slowSource(long length, int reads, boolean fail) {
        return new ContentSource() {
            @Override
            public InputStream open() {
                return new InputStream() {
                    long delivered;
                    int n;

                    @Override
                    public int read() throws java.io.IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0];
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        if (reads > 0 && ++n > reads) {
                            if (fail) {
                                throw new java.io.IOException("disk read error (simulated)");
                            }
                            return -1;
                        }
                        if (delivered >= length) {
                            return -1;
                        }
                        try {
                            Thread.sleep(40);
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        int k = (int) Math.min(Math.min(len, 8192), length - delivered);
                        Arrays.fill(b, off, off + k, (byte) 'x');
                        delivered += k;
                        return k;
                    }
                };
            }

            @Override
            public long length() {
                return length;
            }

            @Override
            public String describe() {
                return "a slow source";
            }
        };
    }

    @Test
    void keepaliveNoopRepliesAreReadAfterAFailedTransferSoTheSessionStaysInStep() throws Exception {
        byte[] content = new byte[100_000];
        Arrays.fill(content, (byte) 3);
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs)
                .on("STOR", a -> a.startsWith("cut.bin") ? "after-bytes:40000:426 Connection closed; transfer aborted." : null);
             StorageTarget t = builder(server.port(), "pw-keepalive-2").keepAlive(Duration.ofMillis(50)).bufferSize(8192)
                     .maxSessions(1).build()) {
            // The source fails, the source shrinks, the server gives up the transfer: each with NOOP replies still owed.
            ContentSource[] failing = {slowSource(1_000_000, 12, true), slowSource(1_000_000, 12, false),
                    slowSource(1_000_000, 0, false)};
            String[] names = {"fail.bin", "shrink.bin", "cut.bin"};
            for (int i = 0; i < failing.length; i++) {
                ContentSource source = failing[i];
                String name = names[i];
                TransferException e = assertThrows(TransferException.class,
                        () -> t.upload(Upload.builder().source(source).remotePath(name).build()));
                assertTrue(e.transcript().stream().anyMatch(l -> l.contains("> NOOP")), "keepalive sent: " + e.transcript());
                // The next upload reads its own replies, on this session or on a new one.
                UploadResult r = t.upload(Upload.builder().source(ContentSource.ofBytes(content)).remotePath("next" + i + ".bin").build());
                assertEquals(content.length, r.bytes(), name);
                assertArrayEquals(content, server.files().get("next" + i + ".bin"), name);
            }
        }
    }
    static java.util.Set<Thread> watchdogThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().equals("ferry-ftp-watchdog") && th.isAlive())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void closingTheTargetDuringABatchFailsTheNextFileWithCancelledAndLeavesNoWatchdogThread() throws Exception {
        java.util.Set<Thread> before = watchdogThreads();
        byte[] content = new byte[100_000];
        Arrays.fill(content, (byte) 5);
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs)) {
            StorageTarget t = builder(server.port(), "pw-close-1").build();
            Upload first = Upload.builder().source(ContentSource.ofBytes(content)).remotePath("e1.bin")
                    .progress((name, done, total) -> {
                        if (done == total) {
                            t.close();
                        }
                    }).build();
            Upload second = Upload.builder().source(ContentSource.ofBytes(content)).remotePath("e2.bin").build();
            TransferException e = assertThrows(TransferException.class, () -> t.uploadAll(java.util.List.of(first, second)));
            assertEquals(Reason.CANCELLED, e.reason(), e.toString());
            assertArrayEquals(content, server.files().get("e1.bin"), "the file being sent when close() was called");
            assertFalse(server.files().keySet().stream().anyMatch(n -> n.startsWith("e2.bin")), server.files().keySet().toString());

            // Closed before its first transfer: it starts none, and no watchdog thread.
            StorageTarget t2 = builder(server.port(), "pw-close-2").build();
            ContentSource closing = new ContentSource() {
                @Override
                public InputStream open() {
                    t2.close();
                    return new ByteArrayInputStream(content);
                }

                @Override
                public long length() {
                    return content.length;
                }

                @Override
                public String describe() {
                    return "a source that closes the target";
                }
            };
            TransferException e2 = assertThrows(TransferException.class,
                    () -> t2.upload(Upload.builder().source(closing).remotePath("e3.bin").build()));
            assertEquals(Reason.CANCELLED, e2.reason(), e2.toString());
            assertFalse(server.files().keySet().stream().anyMatch(n -> n.startsWith("e3.bin")), server.files().keySet().toString());
        }
        long until = System.nanoTime() + 5_000_000_000L;
        java.util.Set<Thread> left = watchdogThreads();
        while (!before.containsAll(left) && System.nanoTime() < until) {
            Thread.sleep(50);
            left = watchdogThreads();
        }
        left.removeAll(before);
        assertTrue(left.isEmpty(), "watchdog threads left after close(): " + left);
    }

    @Test
    void aTransferStillRunningWhenTheTargetIsClosedKeepsItsStallWatchdog() throws Exception {
        byte[] content = new byte[64 << 20];
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs).reply("STOR", "stall");
             StorageTarget t = builder(server.port(), "pw-stall-2").dataTimeout(Duration.ofSeconds(1)).build()) {
            Upload u = Upload.builder().source(ContentSource.ofBytes(content)).remotePath("s.bin")
                    .progress((name, done, total) -> t.close()).build();
            TransferException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(TransferException.class,
                    () -> t.upload(u)));
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("stalled"), e.getMessage());
        }
    }
    @Test
    void anAbortedTransferEndsTheDataConnectionWithAResetSoTheServerDoesNotConfirmIt() throws Exception {
        for (FtpSecurity security : FtpSecurity.values()) {
            try (ScriptedFtpServer server = new ScriptedFtpServer(security == FtpSecurity.NONE ? null : certs);
                 StorageTarget t = builder(server.port(), "pw-abort-1").security(security).bufferSize(8192).build()) {
                TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder()
                        .source(slowSource(1_000_000, 12, true)).remotePath("r.bin").atomic(false).build()));
                assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
                // A normal end of the data stream would be "226 Transfer complete": a truncated file taken as whole.
                assertTrue(e.transcript().contains("< 426 Failure reading network stream."), security + ": " + e.transcript());
            }
        }
    }
}
