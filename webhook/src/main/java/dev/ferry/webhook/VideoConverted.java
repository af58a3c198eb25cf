package dev.ferry.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The {@code data} of a {@code video_converted} event; {@code videoName} is required.
 *
 * @param videoName the recording's file name
 * @param duration seconds
 * @param audioCodec e.g. {@code aac}
 * @param videoCodec e.g. {@code h264}
 * @param type the file type
 * @param size bytes
 * @param width pixels
 * @param height pixels
 * @param orientation {@code landscape} or {@code portrait}
 * @param id the recording's id
 * @param payload the customer's own string
 * @param httpReferer the page the recording was made on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record VideoConverted(@JsonProperty(value = "videoName", required = true) String videoName, Double duration, String audioCodec,
                 String videoCodec, String type, Long size, Integer width, Integer height, String orientation, String id,
                 String payload, String httpReferer) {
    /** The required fields; Jackson's {@code required} sees only whether a field is present, not whether it is null. */
    public VideoConverted {
        Objects.requireNonNull(videoName, "videoName");
    }
}
