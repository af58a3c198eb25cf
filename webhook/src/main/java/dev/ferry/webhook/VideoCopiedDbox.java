package dev.ferry.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The {@code data} of a {@code video_copied_dbox} event (a storage kind Ferry may add later).
 *
 * @param dboxUploadStatus {@code "upload success"} or the failure text (required)
 * @param videoName the file name (required)
 * @param size bytes
 * @param path the path in the Dropbox
 * @param id the recording's id
 * @param payload the customer's own string
 * @param httpReferer the page the recording was made on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record VideoCopiedDbox(@JsonProperty(value = "dboxUploadStatus", required = true) String dboxUploadStatus,
                              @JsonProperty(value = "videoName", required = true) String videoName, Long size, String path,
                              String id, String payload, String httpReferer) {
    /** The required fields; Jackson's {@code required} sees only whether a field is present, not whether it is null. */
    public VideoCopiedDbox {
        Objects.requireNonNull(dboxUploadStatus, "dboxUploadStatus");
        Objects.requireNonNull(videoName, "videoName");
    }
}
