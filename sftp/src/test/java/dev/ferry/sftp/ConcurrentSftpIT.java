package dev.ferry.sftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 32 uploads at once to OpenSSH through one shared target with a pool of 4 sessions. */
class ConcurrentSftpIT {
    @TempDir
    Path dir;

    @Test
    void thirtyTwoConcurrentUploadsShareAPoolOfFour() throws Exception {
        int port = Interop.requireServer("sshd");
        String base = Interop.get("home") + "/concurrent-sftp-" + UUID.randomUUID().toString().substring(0, 8);
        TargetConfig cfg = TargetConfig.builder(URI.create("sftp://" + Interop.get("user") + "@127.0.0.1:" + port + base))
                .credentials(Credentials.privateKey(Interop.get("user"), Path.of(Interop.get("ssh.key.rsa")), null))
                .hostKeys(HostKeys.knownHosts(Path.of(Interop.get("sshd.known_hosts")))).maxSessions(4).build();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            files.add(TestFiles.random(dir, "c" + i + ".bin", 300_000 + 1000L * i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (AbstractStorageTarget t = (AbstractStorageTarget) StorageTargets.open(cfg)) {
            List<Future<UploadResult>> results = new ArrayList<>();
            for (Path f : files) {
                results.add(pool.submit(() -> t.upload(Upload.of(f, f.getFileName().toString()))));
            }
            for (int i = 0; i < 32; i++) {
                UploadResult r = results.get(i).get();
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(Path.of(r.remotePath())));
            }
            assertTrue(t.peakSessions() <= 4 && t.peakSessions() >= 2, "peak sessions " + t.peakSessions());
        } finally {
            pool.shutdownNow();
        }
    }
}
