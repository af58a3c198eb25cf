package dev.ferry.s3.internal;

import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory stays constant whatever the file size: 1 GiB goes by multipart upload (4 parts of 16 MiB in flight) from a
 * JVM limited to a 64 MiB heap, to S3Proxy running in this one.
 */
class LargeUploadMemoryTest {
    private static final long SIZE = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void oneGibibyteThroughA64MibHeap() throws Exception {
        Path file = dir.resolve("large.mp4");
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < SIZE; written += block.length) {
                random.nextBytes(block); // every part differs, so a mixed-up part would show in the hash
                out.write(block);
            }
        }
        try (EmbeddedS3 s3 = EmbeddedS3.start(dir)) {
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), LargeUploadMain.class.getName(), s3.endpoint().toString(),
                    file.toString(), "large.mp4").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertTrue(child.waitFor(150, TimeUnit.SECONDS), "the upload did not end in 150 s");
            } finally {
                child.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output.strip());
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.contains("uploaded " + SIZE + " bytes"), output);
            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("large/large.mp4")));
        }
    }
}
