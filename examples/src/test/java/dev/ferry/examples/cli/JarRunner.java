package dev.ferry.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar target/ferry.jar ...} as a user would, with extra environment variables and a time limit. */
final class JarRunner {
    record Result(int exit, String out, String err) {
    }

    static Path jar() {
        Path jar = Path.of("target", "ferry.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("target/ferry.jar is missing: integration tests run after 'package'");
        }
        return jar;
    }

    static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("ferry-out", ".txt");
        Path err = Files.createTempFile("ferry-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ferry " + String.join(" ", args) + " did not finish in 300 s");
        }
        try {
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
