package dev.ferry.s3.internal;

import java.net.URLConnection;
import java.util.Locale;
import java.util.Map;

/** The {@code Content-Type} of an object from its file name: recordings and their companions, then the JDK's table. */
final class ContentTypes {
    private static final Map<String, String> MEDIA = Map.ofEntries(
            Map.entry("mp4", "video/mp4"), Map.entry("m4v", "video/x-m4v"), Map.entry("mov", "video/quicktime"),
            Map.entry("mkv", "video/x-matroska"), Map.entry("webm", "video/webm"), Map.entry("ts", "video/mp2t"),
            Map.entry("m3u8", "application/vnd.apple.mpegurl"), Map.entry("mp3", "audio/mpeg"), Map.entry("m4a", "audio/mp4"),
            Map.entry("wav", "audio/wav"), Map.entry("ogg", "audio/ogg"), Map.entry("json", "application/json"),
            Map.entry("vtt", "text/vtt"), Map.entry("srt", "application/x-subrip"), Map.entry("txt", "text/plain"),
            Map.entry("csv", "text/csv"), Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"));

    static final String DEFAULT = "application/octet-stream";

    private ContentTypes() {
    }

    static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot > 0) {
            String type = MEDIA.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) {
                return type;
            }
        }
        String guess = URLConnection.getFileNameMap().getContentTypeFor(fileName);
        return guess != null ? guess : DEFAULT;
    }
}
