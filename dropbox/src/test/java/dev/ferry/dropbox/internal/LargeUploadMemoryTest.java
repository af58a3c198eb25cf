package dev.ferry.dropbox.internal;

import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory stays constant: 72 MiB go by upload session in 32 MiB chunks from a JVM limited to a 24 MiB heap (a chunk held
 * in memory would not fit), to the fake Dropbox running in this one.
 */
class LargeUploadMemoryTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void chunksLargerThanTheHeapStreamFromTheFile() throws Exception {
        Path file = TestFiles.random(dir, "large.mp4", 72 * MIB);
        Path pem = dir.resolve("fake.pem");
        try (FakeDropbox fake = FakeDropbox.start()) {
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(fake.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m",
                    "-cp", System.getProperty("java.class.path"), LargeUploadMain.class.getName(), fake.apiUrl().toString(),
                    fake.contentUrl().toString(), pem.toString(), file.toString(), Long.toString(32 * MIB))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the upload did not end in 60 s");
            } finally {
                child.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output.strip());
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.contains("uploaded " + 72 * MIB + " bytes") && output.contains("CHECKSUM"), output);
            assertEquals(TestFiles.sha256(file), TestFiles.sha256(fake.file("/large.mp4").bytes()));
            assertEquals(2, fake.calls("files/upload_session/append_v2").size());
        }
    }
}
