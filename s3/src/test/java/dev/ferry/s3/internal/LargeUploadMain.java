package dev.ferry.s3.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Uploads one file to an S3 endpoint in a JVM of its own, so that its heap limit ({@code -Xmx}) measures Ferry alone:
 * {@code LargeUploadMain ENDPOINT FILE KEY}. Exits 0 when the upload succeeded.
 */
public final class LargeUploadMain {
    private LargeUploadMain() {
    }

    public static void main(String[] args) throws Exception {
        TargetConfig config = TargetConfig.builder("s3://" + EmbeddedS3.BUCKET + "/large?path-style=true")
                .credentials(Credentials.password(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET.toCharArray()))
                .timeouts(Duration.ofSeconds(60)).build();
        S3Settings settings = S3Settings.from(config).withPlainHttpEndpoint(URI.create(args[0]));
        try (S3StorageTarget target = new S3StorageTarget(config, settings)) {
            UploadResult r = target.upload(Upload.of(Path.of(args[1]), args[2]));
            Runtime rt = Runtime.getRuntime();
            System.out.println("uploaded " + r.bytes() + " bytes in " + r.elapsed().toMillis() + " ms, " + r.verification()
                    + "; heap max " + (rt.maxMemory() >> 20) + " MiB, used now " + ((rt.totalMemory() - rt.freeMemory()) >> 20)
                    + " MiB");
        }
    }
}
