package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.BatchResult;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.ProgressListener;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code ferry upload [options] FILE... URI}. */
@Command(name = "upload", mixinStandardHelpOptions = true,
        description = "Upload files to ftps://, ftp:// or sftp://user@host[:port]/base/dir, or to s3://BUCKET/prefix.")
final class UploadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(arity = "2..*", paramLabel = "FILE... URI", hideParamSyntax = true, description = "Files to upload, then the target URI.")
    List<String> args;

    @Option(names = "--remote-name", paramLabel = "NAME", description = "Remote name (path relative to the base dir); one FILE only.")
    String remoteName;

    @Option(names = "--exists", paramLabel = "overwrite|fail|rename", description = "If the remote file exists (default overwrite).")
    String exists = "overwrite";

    @Option(names = "--no-atomic", description = "Write the final name directly instead of a temporary name then rename.")
    boolean noAtomic;

    @Option(names = "--parallel", paramLabel = "N", description = "Upload with up to N sessions at once (default 1: one connection, in order).")
    int parallel = 1;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> files = args.subList(0, args.size() - 1);
        String uri = args.get(args.size() - 1);
        long start = System.nanoTime();
        try {
            if (remoteName != null && files.size() != 1) {
                throw TargetOptions.bad("--remote-name takes exactly one FILE, got " + files.size(), null);
            }
            if (parallel < 1) {
                throw TargetOptions.bad("--parallel must be at least 1", null);
            }
            ExistingFile policy = switch (exists.toLowerCase(Locale.ROOT)) {
                case "overwrite" -> ExistingFile.OVERWRITE;
                case "fail" -> ExistingFile.FAIL;
                case "rename" -> ExistingFile.RENAME_UNIQUE;
                default -> throw TargetOptions.bad("--exists must be overwrite, fail or rename, not " + exists, null);
            };
            TargetConfig cfg = target.toConfig(uri);
            if (parallel > 1) {
                cfg = cfg.toBuilder().maxSessions(parallel).build();
            }
            ProgressBar bar = ProgressBar.forTerminal(err, target.json);
            List<Upload> uploads = new ArrayList<>();
            for (String f : files) {
                Path p = localFile(f);
                uploads.add(Upload.builder().source(p)
                        .remotePath(remoteName != null ? remoteName : p.getFileName() == null ? f : p.getFileName().toString())
                        .existing(policy).atomic(!noAtomic).progress(bar != null ? bar : ProgressListener.NONE).build());
            }
            BatchResult result;
            try (StorageTarget t = StorageTargets.open(cfg)) {
                result = parallel > 1 && uploads.size() > 1 ? parallelUpload(t, uploads, start) : t.uploadAll(uploads);
            }
            if (bar != null) {
                bar.finish();
            }
            report(result, out);
            return FerryCli.EXIT_OK;
        } catch (TransferException e) {
            return Output.fail(e, target.json, target.transcript, out, err);
        }
    }

    private static Path localFile(String name) throws TransferException {
        try {
            return Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw TargetOptions.bad("the file name \"" + name.replace("\0", "\\0") + "\" is not a valid path: " + e.getReason(),
                    null);
        }
    }

    private BatchResult parallelUpload(StorageTarget t, List<Upload> uploads, long start) throws TransferException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, uploads.size()));
        try {
            List<Future<UploadResult>> futures = new ArrayList<>();
            for (Upload u : uploads) {
                futures.add(pool.submit(() -> t.upload(u)));
            }
            List<UploadResult> results = new ArrayList<>();
            List<String> transcript = new ArrayList<>();
            int attempts = 0;
            ConnectionInfo info = null;
            for (Future<UploadResult> f : futures) {
                UploadResult r = f.get();
                results.add(r);
                transcript.addAll(r.transcript());
                attempts = Math.max(attempts, r.attempts());
                info = r.connection();
            }
            return new BatchResult(results, Duration.ofNanos(System.nanoTime() - start), attempts,
                    results.get(0).protocol(), info, transcript);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransferException te) {
                throw te;
            }
            throw new TransferException(TransferException.Reason.PROTOCOL, "upload failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransferException(TransferException.Reason.CANCELLED, "interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void report(BatchResult r, PrintWriter out) {
        if (target.json) {
            ObjectNode n = Output.object();
            n.put("ok", true);
            n.put("protocol", r.protocol());
            n.put("tls", r.connection() == null ? null : r.connection().securityProtocol());
            if (r.connection() != null && r.connection().cipher() != null) {
                n.put("cipher", r.connection().cipher());
            }
            n.put("attempts", r.attempts());
            n.put("elapsedMillis", r.elapsed().toMillis());
            ArrayNode files = n.putArray("files");
            for (UploadResult u : r.files()) {
                ObjectNode f = files.addObject();
                f.put("remotePath", u.remotePath());
                f.put("bytes", u.bytes());
                f.put("verification", u.verification().name());
                if (u.checksum() != null) {
                    f.put("checksum", u.checksum());
                }
                f.put("location", u.location());
                f.put("attempts", u.attempts());
                f.put("resumedFrom", u.resumedFrom());
            }
            n.set("transcript", Output.strings(r.transcript()));
            Output.print(out, n);
            return;
        }
        if (target.transcript) {
            r.transcript().forEach(out::println);
        }
        double secs = Math.max(1e-3, r.elapsed().toNanos() / 1e9);
        for (UploadResult u : r.files()) {
            out.printf(Locale.ROOT, "uploaded %s (%d bytes, verified by %s%s)%n", u.location(), u.bytes(), u.verification(),
                    u.checksum() == null ? "" : " " + u.checksum());
        }
        ConnectionInfo c = r.connection();
        out.printf(Locale.ROOT, "%d file(s), %d bytes in %.2f s (%.1f MB/s) over %s%s%n", r.files().size(), r.totalBytes(), secs,
                r.totalBytes() / secs / 1e6, r.protocol(), c == null ? "" : " (" + c.securityProtocol()
                        + (c.cipher() != null ? ", " + c.cipher() : "") + ")");
        out.flush();
    }
}
