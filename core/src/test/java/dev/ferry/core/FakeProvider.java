package dev.ferry.core;

import dev.ferry.core.spi.Transcript;

import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory provider for the scheme {@code fake}, with scripted failures, to test the core's logic. */
public final class FakeProvider implements StorageTargetProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("fake");
    }

    /** Stands for a service with one fixed endpoint, so {@code fake:/dir} and {@code fake:///dir} mean it. */
    @Override
    public java.util.Optional<String> defaultHost() {
        return java.util.Optional.of("fake.example");
    }

    @Override
    public StorageTarget open(TargetConfig config) {
        return new FakeTarget(config);
    }

    /** A target that stores files in a map. */
    public static final class FakeTarget extends AbstractStorageTarget {
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final Deque<TransferException> failures = new ArrayDeque<>();
        final AtomicInteger connects = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        /** Whether a session stays open after a failed upload (a server error that does not break the connection). */
        volatile boolean keepOpenOnFailure;
        volatile Duration uploadTime = Duration.ZERO;
        /** Whether the health check of a pooled session throws (a broken session whose check fails badly). */
        volatile boolean healthCheckThrows;
        /**
         * A reply the server gives to PASS instead of logging in, e.g. one that echoes the password; the login fails with
         * AUTH, built as a provider builds it (reply in the message and serverReply, the transcript passed).
         */
        volatile String loginRefusal;
        /**
         * Whether an atomic upload goes through a temporary file that a retry resumes, as FTP and SFTP do (otherwise the
         * bytes go straight to the final name).
         */
        volatile boolean atomicWithResume;
        /** For {@link #atomicWithResume}: the bytes the next attempt sends before its connection breaks (-1: all). */
        final AtomicLong cutAfter = new AtomicLong(-1);
        /** Run when a cut attempt has failed, before the retry: e.g. another writer grows the temporary file. */
        volatile Runnable afterCut = () -> { };

        FakeTarget(TargetConfig config) {
            super(config, "fake", 1);
        }

        synchronized TransferException nextFailure() {
            return failures.pollFirst();
        }

        @Override
        protected Session connect(Transcript transcript) throws TransferException {
            connects.incrementAndGet();
            transcript.sent("CONNECT");
            transcript.sent("PASS " + new String(config().credentials().password().orElse(new char[0])));
            String refusal = loginRefusal;
            if (refusal != null) {
                transcript.received(refusal);
                throw TransferException.builder(TransferException.Reason.AUTH, "the server refused the login (" + refusal + ")")
                        .serverReply(refusal).hint("check the password; the server said: " + refusal).transcript(transcript).build();
            }
            return new Session() {
                boolean open = true;

                @Override
                public UploadResult upload(PreparedUpload p, Transcript t) throws TransferException {
                    int c = concurrent.incrementAndGet();
                    maxConcurrent.accumulateAndGet(c, Math::max);
                    try {
                        TransferException f = nextFailure();
                        if (f != null) {
                            open = keepOpenOnFailure;
                            throw f;
                        }
                        if (!uploadTime.isZero()) {
                            Thread.sleep(uploadTime.toMillis());
                        }
                        if (atomicWithResume && p.upload().atomic()) {
                            return uploadThroughTemporary(p, t);
                        }
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        try (InputStream in = p.upload().source().open()) {
                            in.transferTo(out);
                        }
                        files.put(p.absolutePath().toString(), out.toByteArray());
                        t.sent("STOR " + p.absolutePath());
                        return new UploadResult(p.absolutePath().toString(), out.size(), Duration.ZERO, 1, "fake",
                                Verification.SIZE, "fake://" + p.absolutePath(), 0, connectionInfo(), List.of());
                    } catch (TransferException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new TransferException(TransferException.Reason.BAD_INPUT, e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TransferException(TransferException.Reason.CANCELLED, "interrupted", e);
                    } finally {
                        concurrent.decrementAndGet();
                    }
                }

                /** Resumes the temporary file where the core allows, appends (as FTP's APPE), verifies its size, renames. */
                private UploadResult uploadThroughTemporary(PreparedUpload p, Transcript t) throws IOException {
                    String temp = p.temporaryPath().toString();
                    byte[] source;
                    try (InputStream in = p.upload().source().open()) {
                        source = in.readAllBytes();
                    }
                    byte[] there = files.get(temp);
                    long offset = p.upload().resume() ? p.resumeOffset(temp, there == null ? -1 : there.length, t) : 0;
                    long cut = cutAfter.getAndSet(-1);
                    int end = cut < 0 ? source.length : (int) Math.min(source.length, offset + cut);
                    ByteArrayOutputStream file = new ByteArrayOutputStream();
                    if (offset > 0) {
                        file.write(there);
                    }
                    file.write(source, (int) offset, end - (int) offset);
                    files.put(temp, file.toByteArray());
                    t.sent((offset > 0 ? "APPE " : "STOR ") + temp);
                    if (cut >= 0) {
                        p.recordSent(temp, offset, end - offset);
                        afterCut.run();
                        open = false;
                        throw new TransferException(TransferException.Reason.DATA_CHANNEL, "connection reset after "
                                + (end - offset) + " bytes of " + temp);
                    }
                    if (files.get(temp).length != source.length) {
                        throw new TransferException(TransferException.Reason.VERIFY_FAILED, temp + " has " + files.get(temp).length
                                + " bytes, " + source.length + " expected");
                    }
                    files.put(p.absolutePath().toString(), files.remove(temp));
                    return new UploadResult(p.absolutePath().toString(), source.length, Duration.ZERO, 1, "fake",
                            Verification.SIZE, "fake://" + p.absolutePath(), offset, connectionInfo(), List.of());
                }

                @Override
                public boolean isUsable(Transcript transcript) {
                    if (healthCheckThrows) {
                        throw new IllegalStateException("health check failed");
                    }
                    return open;
                }

                @Override
                public boolean isOpen() {
                    return open;
                }

                @Override
                public ConnectionInfo connectionInfo() {
                    return new ConnectionInfo("none", null, null, "fake");
                }

                @Override
                public void close() {
                    open = false;
                }
            };
        }

        @Override
        public ProbeReport probe() {
            throw new UnsupportedOperationException();
        }

        @Override
        public TargetInfo info() {
            return new TargetInfo("fake", config().host(), config().portOr(1), config().baseDirectory().toString(),
                    config().redactedUri());
        }
    }
}
