package dev.ferry.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The {@code data} of {@code video_copied_pipe_s3} and {@code video_copied_s3} events (storage kinds Ferry may add later).
 *
 * @param s3UploadStatus {@code "upload success"} or the failure text (required)
 * @param videoName the object's name (required)
 * @param size bytes
 * @param bucket the bucket
 * @param region the bucket's region
 * @param url the object's URL
 * @param id the recording's id
 * @param payload the customer's own string
 * @param httpReferer the page the recording was made on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record VideoCopiedS3(@JsonProperty(value = "s3UploadStatus", required = true) String s3UploadStatus,
                            @JsonProperty(value = "videoName", required = true) String videoName, Long size, String bucket,
                            String region, String url, String id, String payload, String httpReferer) {
    /** The required fields; Jackson's {@code required} sees only whether a field is present, not whether it is null. */
    public VideoCopiedS3 {
        Objects.requireNonNull(s3UploadStatus, "s3UploadStatus");
        Objects.requireNonNull(videoName, "videoName");
    }
}
