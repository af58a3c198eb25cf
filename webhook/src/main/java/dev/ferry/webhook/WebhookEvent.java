package dev.ferry.webhook;

import java.util.Locale;

/** The delivery events, with their names on the wire. */
public enum WebhookEvent {
    /** A recording finished. */
    VIDEO_RECORDED("video_recorded", VideoRecorded.class),
    /** A recording was converted. */
    VIDEO_CONVERTED("video_converted", VideoConverted.class),
    /** A recording was copied to the platform's own S3 storage. */
    VIDEO_COPIED_PIPE_S3("video_copied_pipe_s3", VideoCopiedS3.class),
    /** A recording was copied to the customer's FTP, FTPS or SFTP server ({@code protocol} says which). */
    VIDEO_COPIED_FTP("video_copied_ftp", VideoCopiedFtp.class),
    /** A recording was copied to the customer's S3 bucket. */
    VIDEO_COPIED_S3("video_copied_s3", VideoCopiedS3.class),
    /** A recording was copied to the customer's Dropbox. */
    VIDEO_COPIED_DBOX("video_copied_dbox", VideoCopiedDbox.class);

    private final String wireName;
    private final Class<?> dataType;

    WebhookEvent(String wireName, Class<?> dataType) {
        this.wireName = wireName;
        this.dataType = dataType;
    }

    /** The event name in the JSON envelope, e.g. {@code video_copied_ftp}. */
    public String wireName() {
        return wireName;
    }

    /** The record type of this event's {@code data}. */
    public Class<?> dataType() {
        return dataType;
    }

    /**
     * The event with this wire name.
     *
     * @throws IllegalArgumentException naming the known events
     */
    public static WebhookEvent fromWireName(String name) {
        for (WebhookEvent e : values()) {
            if (e.wireName.equals(name.strip().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown webhook event '" + name + "' (known: video_recorded, video_converted, "
                + "video_copied_pipe_s3, video_copied_ftp, video_copied_s3, video_copied_dbox)");
    }
}
