package dev.ferry.examples.cli;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.ProbeRecorder;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A test-only provider for the scheme {@code mem}: files go to a static map; host "down" fails to connect. */
public final class MemoryProvider implements StorageTargetProvider {
    static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public StorageTarget open(TargetConfig config) {
        return new AbstractStorageTarget(config, "mem", 1) {
            @Override
            protected Session connect(Transcript t) throws TransferException {
                t.sent("USER " + config.credentials().username());
                t.sent("PASS " + new String(config.credentials().password().orElse(new char[0])));
                if (config.host().equals("down")) {
                    throw TransferException.builder(TransferException.Reason.CONNECT, "connection refused by down:21")
                            .hint("check the host and port").transcript(t).build();
                }
                t.received("230 logged in");
                return new Session() {
                    @Override
                    public UploadResult upload(PreparedUpload p, Transcript tr) throws TransferException {
                        try (InputStream in = p.upload().source().open()) {
                            byte[] b = in.readAllBytes();
                            FILES.put(p.absolutePath().toString(), b);
                            tr.sent("STOR " + p.absolutePath());
                            return new UploadResult(p.absolutePath().toString(), b.length, Duration.ZERO, 1, "mem",
                                    Verification.SIZE, "mem://" + p.absolutePath(), 0, connectionInfo(), tr.render());
                        } catch (IOException e) {
                            throw new TransferException(TransferException.Reason.BAD_INPUT, e.getMessage(), e);
                        }
                    }

                    @Override
                    public boolean isUsable(Transcript transcript) {
                        return true;
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public ConnectionInfo connectionInfo() {
                        return new ConnectionInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "sha256:00", "mem");
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public ProbeReport probe() {
                ProbeRecorder r = new ProbeRecorder(info(), newTranscript());
                r.step(ProbeStep.Step.DNS, () -> "ok");
                r.step(ProbeStep.Step.CONNECT, () -> {
                    if (config.host().equals("down")) {
                        throw TransferException.builder(TransferException.Reason.CONNECT, "refused").hint("open the port").build();
                    }
                    return "220 hello";
                });
                for (ProbeStep.Step s : new ProbeStep.Step[] {ProbeStep.Step.SECURE, ProbeStep.Step.LOGIN,
                        ProbeStep.Step.DIRECTORY, ProbeStep.Step.UPLOAD, ProbeStep.Step.VERIFY, ProbeStep.Step.DELETE,
                        ProbeStep.Step.QUIT}) {
                    r.step(s, () -> "ok");
                }
                return r.report();
            }

            @Override
            public TargetInfo info() {
                return new TargetInfo("mem", config.host(), config.portOr(1), config.baseDirectory().toString(), config.redactedUri());
            }
        };
    }
}
