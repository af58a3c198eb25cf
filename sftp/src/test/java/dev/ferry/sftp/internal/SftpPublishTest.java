package dev.ferry.sftp.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishing under the final name: the ExistingFile policies, a file that appears meanwhile, a server without posix-rename.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpPublishTest {
    @TempDir
    static Path dir;
    static EmbeddedSftpServer sftp;

    @BeforeAll
    static void start() throws Exception {
        sftp = EmbeddedSftpServer.start(dir);
    }

    @AfterAll
    static void stop() throws IOException {
        sftp.close();
    }

    @Test
    void existingFilePolicies() throws Exception {
        Path a = TestFiles.random(dir, "p1", 100);
        Path b = TestFiles.random(dir, "p2", 200);
        try (StorageTarget t = sftp.builder().build()) {
            t.upload(Upload.of(a, "p.bin"));
            assertEquals(Reason.EXISTS, assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(b).remotePath("p.bin").existing(ExistingFile.FAIL).build())).reason());
            assertEquals("/in/p-1.bin", t.upload(Upload.builder().source(b).remotePath("p.bin").existing(ExistingFile.RENAME_UNIQUE).build())
                    .remotePath());
            t.upload(Upload.of(b, "p.bin"));
        }
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(sftp.root.resolve("in/p.bin")));
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(sftp.root.resolve("in/p-1.bin")));
    }

    @Test
    void aFileThatAppearsDuringTheUploadIsNotReplacedUnderFailOrRenameUnique() throws Exception {
        Path f = TestFiles.random(dir, "appears.bin", 100_000);
        Path in = Files.createDirectories(sftp.root.resolve("in/appears"));
        try (StorageTarget t = sftp.builder().build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(f)
                    .remotePath("appears/appears-fail.bin").existing(ExistingFile.FAIL).build()));
            assertEquals(Reason.EXISTS, e.reason(), e.toString());
            assertEquals("another writer's", Files.readString(in.resolve("appears-fail.bin")));

            UploadResult r = t.upload(Upload.builder().source(f).remotePath("appears/appears-unique.bin")
                    .existing(ExistingFile.RENAME_UNIQUE).build());
            assertEquals("/in/appears/appears-unique-1.bin", r.remotePath());
            assertEquals("another writer's", Files.readString(in.resolve("appears-unique.bin")));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("appears-unique-1.bin")));
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("appears-fail.bin", "appears-unique-1.bin", "appears-unique.bin"),
                    names.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void withoutPosixRenameTheOldFileIsMovedAsideAndNeverLost() throws Exception {
        Path f = TestFiles.random(dir, "new.bin", 100_000);
        Path in = Files.createDirectories(sftp.root.resolve("in/no-posix"));
        Files.writeString(in.resolve("replaced.bin"), "old");
        Files.writeString(in.resolve("cannot-rename-kept.bin"), "old");
        // The server announces no posix-rename@openssh.com.
        org.apache.sshd.sftp.SftpModuleProperties.OPENSSH_EXTENSIONS.set(sftp.server, "fsync@openssh.com=1,limits@openssh.com=1");
        try (StorageTarget t = sftp.builder().build()) {
            UploadResult r = t.upload(Upload.of(f, "no-posix/replaced.bin"));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("replaced.bin")));
            assertTrue(String.join("\n", r.transcript()).contains("(the server has no atomic rename over a file)"),
                    String.join("\n", r.transcript()));

            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "no-posix/cannot-rename-kept.bin")));
            assertEquals(Reason.PERMISSION, e.reason(), e.toString());
            assertEquals("old", Files.readString(in.resolve("cannot-rename-kept.bin")), "the old file is back at its name");
        } finally {
            org.apache.sshd.sftp.SftpModuleProperties.OPENSSH_EXTENSIONS.remove(sftp.server);
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("cannot-rename-kept.bin", "replaced.bin"), names.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }
}
