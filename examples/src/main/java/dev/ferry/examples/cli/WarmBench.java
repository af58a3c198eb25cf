package dev.ferry.examples.cli;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * For {@code bench/run.sh}: what a service that embeds Ferry sees once the JVM is warm. Uploads one
 * file {@code --rounds + 1} times through one target (one pooled session, default settings, the
 * target options of {@code ferry upload}); the first round pays for class loading, the connection
 * and the JIT and is reported apart. Round N goes to {@code REMOTE-NAME.roundN}, the last to {@code REMOTE-NAME}.
 * Prints one line per round: {@code round N SECONDS MB/s CPU-SECONDS} (the CPU time of the whole JVM
 * during the round: on a machine whose cores the server shares, the client's CPU is the server's loss).
 * Run with {@code java -cp ferry.jar dev.ferry.examples.cli.WarmBench}.
 */
@Command(name = "warm-bench", mixinStandardHelpOptions = true)
public final class WarmBench implements Callable<Integer> {
    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--rounds", description = "Timed rounds after the cold one (default 3).")
    int rounds = 3;

    @Option(names = "--remote-name", required = true)
    String remoteName;

    @Option(names = "--server-dir", description = "The server's directory on this machine: each round's file is removed "
            + "from it after the round, as the benchmark removes the reference clients' files.")
    Path serverDir;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Parameters(index = "1", paramLabel = "URI")
    String uri;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WarmBench()).execute(args));
    }

    @Override
    public Integer call() throws TransferException, java.io.IOException {
        long size = Files.size(file);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (StorageTarget t = StorageTargets.open(target.toConfig(uri))) {
            for (int i = 0; i <= rounds; i++) {
                long start = System.nanoTime();
                long cpuStart = os.getProcessCpuTime();
                // A new name each round, as the reference clients get: a rename over an existing file makes the
                // server's file system write the new one out at once (ext4 does, ~130 ms for 512 MiB here); and
                // removed afterwards, or the dirty pages of the rounds before make the disk the limit.
                String name = i == rounds ? remoteName : remoteName + ".round" + i;
                UploadResult r = t.upload(Upload.builder().source(file).remotePath(name).build());
                double secs = (System.nanoTime() - start) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
                if (r.bytes() != size) {
                    throw new IllegalStateException("uploaded " + r.bytes() + " of " + size + " bytes");
                }
                System.out.printf(Locale.ROOT, "%s %d %.3f %.1f %.3f%n", i == 0 ? "cold" : "round", i, secs, size / 1e6 / secs, cpu);
                if (serverDir != null && i < rounds) {
                    Files.deleteIfExists(serverDir.resolve(name));
                }
            }
        }
        return 0;
    }
}
