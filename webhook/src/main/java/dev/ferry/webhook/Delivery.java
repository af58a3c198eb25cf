package dev.ferry.webhook;

import dev.ferry.core.BatchResult;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Deliver this recording to that target, then notify": uploads a recording's files over one connection, in
 * order, atomically, then sends {@code video_copied_ftp} (with {@code protocol}) for a successful delivery,
 * or the same event with the failure text otherwise. To an S3 target ({@code s3} protocol) the event is
 * {@code video_copied_s3}, with the bucket, region and object URL taken from the target and the upload's result.
 *
 * <p>Idempotent per recording id: running it again after a crash publishes the same remote names (atomic
 * publish replaces them whole; a temporary file a killed run left is not resumed, it stays until removed) and sends the webhook with the same id
 * ({@code msg_<recording>_copied} or {@code _failed}), so a receiver can drop the duplicate. Thread-safe if
 * the target and sender are (Ferry's are).
 *
 * <pre>{@code
 * Delivery delivery = Delivery.builder(target, sender, "https://customer.example/hooks")
 *         .signer(WebhookSigner.standard(secret)).build();
 * Delivery.Outcome o = delivery.deliver("rec-42", List.of(Upload.of(video), Upload.of(thumbnail), Upload.of(metadata)),
 *         d -> d.duration(12.5).videoCodec("h264").payload(customerRef));
 * }</pre>
 */
public final class Delivery {
    private static final Pattern BANNER_REGION = Pattern.compile("\\(region ([a-z0-9-]+)\\)");
    private static final Pattern AWS_HOST = Pattern.compile("(?:^|\\.)s3[.-]([a-z0-9-]+)\\.amazonaws\\.com$");
    private final StorageTarget target;
    private final WebhookSender sender;
    private final String webhookUrl;
    private final WebhookSigner signer;
    private final WebhookRequest.Encoding encoding;
    private final boolean notifyFailures;

    private Delivery(Builder b) {
        this.target = b.target;
        this.sender = b.sender;
        this.webhookUrl = b.webhookUrl;
        this.signer = b.signer;
        this.encoding = b.encoding;
        this.notifyFailures = b.notifyFailures;
    }

    /** A builder for deliveries to a target, announced by a sender to a URL. */
    public static Builder builder(StorageTarget target, WebhookSender sender, String webhookUrl) {
        return new Builder(target, sender, webhookUrl);
    }

    /**
     * What happened.
     *
     * @param files the upload's result, or {@code null} if it failed
     * @param failure the upload's failure, or {@code null}
     * @param webhook the webhook's delivery, or {@code null} if none was sent (a failure with failure notices off)
     */
    public record Outcome(BatchResult files, TransferException failure, DeliveryResult webhook) {
        /** Whether the files were published and the webhook delivered. */
        public boolean ok() {
            return failure == null && webhook != null && webhook.delivered();
        }
    }

    /**
     * Delivers a recording.
     *
     * @param recordingId a stable id of the recording (letters, digits, {@code _-.}): it names the webhook
     * @param files the files, the video first (its name and size go into the webhook)
     * @param metadata fills the recording's metadata into the event (duration, codecs, customer payload...)
     */
    public Outcome deliver(String recordingId, List<Upload> files, UnaryOperator<VideoCopiedFtp.Builder> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        if (!recordingId.matches("[A-Za-z0-9_.-]{1,150}")) {
            throw new IllegalArgumentException("a recording id uses letters, digits, '_', '-' and '.' only (1 to 150)");
        }
        boolean s3 = "s3".equals(target.info().protocol());
        BatchResult batch;
        try {
            batch = target.uploadAll(files);
        } catch (TransferException e) {
            if (!notifyFailures) {
                return new Outcome(null, e, null);
            }
            String path = files.isEmpty() ? "" : files.get(0).remotePath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (s3) {
                VideoCopiedS3 data = s3Data("upload failed: " + e.reason() + ": " + e.getMessage(), name, null, null, null,
                        recordingId, metadata);
                return new Outcome(null, e, send(recordingId + "_failed", WebhookPayload.of(WebhookEvent.VIDEO_COPIED_S3, data)));
            }
            VideoCopiedFtp data = metadata.apply(VideoCopiedFtp.failed(name, target.info().protocol(), e).id(recordingId)).build();
            return new Outcome(null, e, send(recordingId + "_failed", WebhookPayload.videoCopiedFtp(data)));
        }
        UploadResult video = batch.files().get(0);
        if (s3) {
            VideoCopiedS3 data = s3Data(VideoCopiedFtp.SUCCESS, video.fileName(), video.bytes(), region(video), video.location(),
                    recordingId, metadata);
            return new Outcome(batch, null, send(recordingId + "_copied", WebhookPayload.of(WebhookEvent.VIDEO_COPIED_S3, data)));
        }
        VideoCopiedFtp data = metadata.apply(VideoCopiedFtp.fromUpload(video).id(recordingId)).build();
        return new Outcome(batch, null, send(recordingId + "_copied", WebhookPayload.videoCopiedFtp(data)));
    }

    /**
     * The {@code video_copied_s3} data. The caller's metadata comes as for FTP; of it, S3's event carries the id, the
     * payload and the referer (the FTP record built here only to read them is never sent).
     */
    private VideoCopiedS3 s3Data(String status, String name, Long size, String region, String url, String recordingId,
                                 UnaryOperator<VideoCopiedFtp.Builder> metadata) {
        VideoCopiedFtp m = metadata.apply(VideoCopiedFtp.builder().status(status).videoName(name).protocol("ftp").id(recordingId))
                .build();
        String bucket = URI.create(target.info().redactedUri()).getHost();
        return new VideoCopiedS3(status, name, size, bucket, region != null ? region : regionOfHost(target.info().host()), url,
                m.id(), m.payload(), m.httpReferer());
    }

    /** The bucket's region as the S3 provider names it in the connection facts: "S3 host:port (region R)". */
    private static String region(UploadResult r) {
        String banner = r.connection() == null ? null : r.connection().serverBanner();
        Matcher m = banner == null ? null : BANNER_REGION.matcher(banner);
        return m != null && m.find() ? m.group(1) : null;
    }

    /** The region in an AWS host name ({@code bucket.s3.eu-west-1.amazonaws.com}), or {@code null}. */
    private static String regionOfHost(String host) {
        Matcher m = AWS_HOST.matcher(host == null ? "" : host);
        return m.find() ? m.group(1) : null;
    }

    private DeliveryResult send(String id, WebhookPayload payload) {
        return sender.send(WebhookRequest.builder(webhookUrl, payload).signer(signer).encoding(encoding).id("msg_" + id).build());
    }

    /** Builds a {@link Delivery}. */
    public static final class Builder {
        private final StorageTarget target;
        private final WebhookSender sender;
        private final String webhookUrl;
        private WebhookSigner signer;
        private WebhookRequest.Encoding encoding = WebhookRequest.Encoding.JSON;
        private boolean notifyFailures = true;

        private Builder(StorageTarget target, WebhookSender sender, String webhookUrl) {
            this.target = Objects.requireNonNull(target, "target");
            this.sender = Objects.requireNonNull(sender, "sender");
            this.webhookUrl = Objects.requireNonNull(webhookUrl, "webhookUrl");
        }

        public Builder signer(WebhookSigner s) {
            this.signer = s;
            return this;
        }

        public Builder encoding(WebhookRequest.Encoding e) {
            this.encoding = Objects.requireNonNull(e, "encoding");
            return this;
        }

        /** Whether a failed upload is announced too (default true). */
        public Builder notifyFailures(boolean notify) {
            this.notifyFailures = notify;
            return this;
        }

        /** Validates (the URL too) and builds. */
        public Delivery build() {
            WebhookRequest.builder(webhookUrl, WebhookPayload.videoCopiedFtp(VideoCopiedFtp.builder().status("x").videoName("x")
                    .protocol("ftp").build())).build();
            return new Delivery(this);
        }
    }
}
