package dev.ferry.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;

import java.util.Objects;

/**
 * The {@code data} of a {@code video_copied_ftp} event. Field names on the wire are the record components'
 * names; {@code ftpUploadStatus}, {@code videoName} and {@code protocol} are required when parsing.
 *
 * @param ftpUploadStatus {@code "upload success"}, or the failure text
 * @param videoName the file name on the server
 * @param duration the recording's duration in seconds
 * @param audioCodec e.g. {@code aac}
 * @param videoCodec e.g. {@code h264}
 * @param type the file type, e.g. {@code mp4}
 * @param size the file size in bytes
 * @param width the video width in pixels
 * @param height the video height in pixels
 * @param orientation {@code landscape} or {@code portrait}
 * @param id the recording's id
 * @param payload the customer's own string, passed through
 * @param httpReferer the page the recording was made on
 * @param protocol {@code ftp} (plain FTP and FTPS) or {@code sftp}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"ftpUploadStatus", "videoName", "duration", "audioCodec", "videoCodec", "type", "size", "width", "height",
        "orientation", "id", "payload", "httpReferer", "protocol"})
public record VideoCopiedFtp(@JsonProperty(value = "ftpUploadStatus", required = true) String ftpUploadStatus,
                             @JsonProperty(value = "videoName", required = true) String videoName,
                             Double duration, String audioCodec, String videoCodec, String type, Long size, Integer width,
                             Integer height, String orientation, String id, String payload, String httpReferer,
                             @JsonProperty(value = "protocol", required = true) String protocol) {
    /** The status text of a successful copy. */
    public static final String SUCCESS = "upload success";

    public VideoCopiedFtp {
        Objects.requireNonNull(ftpUploadStatus, "ftpUploadStatus");
        Objects.requireNonNull(videoName, "videoName");
        Objects.requireNonNull(protocol, "protocol");
        if (!protocol.equals("ftp") && !protocol.equals("sftp")) {
            throw new IllegalArgumentException("protocol must be ftp or sftp, got " + protocol);
        }
    }

    /** Whether the copy succeeded. */
    public boolean succeeded() {
        return SUCCESS.equals(ftpUploadStatus);
    }

    /** The {@code protocol} value for a Ferry protocol name: {@code ftp} for {@code ftp} and {@code ftps}, {@code sftp} for {@code sftp}. */
    public static String protocolOf(String ferryProtocol) {
        return switch (ferryProtocol) {
            case "ftp", "ftps" -> "ftp";
            case "sftp" -> "sftp";
            default -> throw new IllegalArgumentException("not an FTP or SFTP protocol: " + ferryProtocol);
        };
    }

    /** A builder with the transfer fields taken from an upload's result. */
    public static Builder fromUpload(UploadResult result) {
        return new Builder().status(SUCCESS).videoName(result.fileName()).size(result.bytes()).protocol(protocolOf(result.protocol()));
    }

    /** A builder for a failed copy of {@code videoName} over {@code ferryProtocol}. */
    public static Builder failed(String videoName, String ferryProtocol, TransferException failure) {
        return new Builder().status("upload failed: " + failure.reason() + ": " + failure.getMessage()).videoName(videoName)
                .protocol(protocolOf(ferryProtocol));
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link VideoCopiedFtp}; the recording's metadata comes from the caller. */
    public static final class Builder {
        private String status;
        private String videoName;
        private Double duration;
        private String audioCodec;
        private String videoCodec;
        private String type;
        private Long size;
        private Integer width;
        private Integer height;
        private String orientation;
        private String id;
        private String payload;
        private String httpReferer;
        private String protocol;

        private Builder() {
        }

        public Builder status(String s) { this.status = s; return this; }
        public Builder videoName(String s) { this.videoName = s; return this; }
        public Builder duration(double seconds) { this.duration = seconds; return this; }
        public Builder audioCodec(String s) { this.audioCodec = s; return this; }
        public Builder videoCodec(String s) { this.videoCodec = s; return this; }
        public Builder type(String s) { this.type = s; return this; }
        public Builder size(long bytes) { this.size = bytes; return this; }
        public Builder width(int px) { this.width = px; return this; }
        public Builder height(int px) { this.height = px; return this; }
        public Builder orientation(String s) { this.orientation = s; return this; }
        public Builder id(String s) { this.id = s; return this; }
        public Builder payload(String s) { this.payload = s; return this; }
        public Builder httpReferer(String s) { this.httpReferer = s; return this; }
        public Builder protocol(String s) { this.protocol = s; return this; }

        /** Validates and builds. */
        public VideoCopiedFtp build() {
            return new VideoCopiedFtp(status, videoName, duration, audioCodec, videoCodec, type, size, width, height, orientation, id,
                    payload, httpReferer, protocol);
        }
    }
}
