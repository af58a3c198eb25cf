package dev.ferry.webhook;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadTest {
    static UploadResult result(String protocol) {
        return new UploadResult("/in/rec-42.mp4", 1234, Duration.ofSeconds(1), 1, protocol, Verification.SIZE,
                protocol + "://alice@h/in/rec-42.mp4", 0, new ConnectionInfo("TLSv1.3", null, null, null), List.of());
    }

    @Test
    void videoCopiedFtpCarriesTheProtocolAndStableFieldNames() throws Exception {
        VideoCopiedFtp d = VideoCopiedFtp.fromUpload(result("ftps")).duration(12.5).audioCodec("aac").videoCodec("h264").type("mp4")
                .width(1280).height(720).orientation("landscape").id("rec-42").payload("customer-ref").httpReferer("https://site").build();
        String json = WebhookPayload.videoCopiedFtp(d).toJson();
        assertEquals("{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{\"ftpUploadStatus\":\"upload success\","
                + "\"videoName\":\"rec-42.mp4\",\"duration\":12.5,\"audioCodec\":\"aac\",\"videoCodec\":\"h264\",\"type\":\"mp4\","
                + "\"size\":1234,\"width\":1280,\"height\":720,\"orientation\":\"landscape\",\"id\":\"rec-42\",\"payload\":\"customer-ref\","
                + "\"httpReferer\":\"https://site\",\"protocol\":\"ftp\"}}", json);
        assertEquals("sftp", VideoCopiedFtp.fromUpload(result("sftp")).build().protocol());
        assertEquals("ftp", VideoCopiedFtp.fromUpload(result("ftp")).build().protocol());
        WebhookPayload back = WebhookPayload.parse(json);
        assertEquals(d, back.data(VideoCopiedFtp.class));
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingRequiredOnesAreClearErrors() throws Exception {
        WebhookPayload p = WebhookPayload.parse("{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"newTopLevel\":1,\"data\":"
                + "{\"ftpUploadStatus\":\"upload success\",\"videoName\":\"a.mp4\",\"protocol\":\"sftp\",\"fromTheFuture\":true}}");
        assertEquals("sftp", p.data(VideoCopiedFtp.class).protocol());
        WebhookFormatException e = assertThrows(WebhookFormatException.class, () -> WebhookPayload.parse(
                "{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{\"ftpUploadStatus\":\"x\",\"protocol\":\"ftp\"}}"));
        assertTrue(e.getMessage().contains("videoName"), e.getMessage());
        assertTrue(assertThrows(WebhookFormatException.class, () -> WebhookPayload.parse("{\"version\":\"1.0\",\"event\":\"nope\",\"data\":{}}"))
                .getMessage().contains("unknown webhook event"));
        assertThrows(WebhookFormatException.class, () -> WebhookPayload.parse("not json"));
    }

    @Test
    void aFailedCopySaysWhy() {
        VideoCopiedFtp d = VideoCopiedFtp.failed("a.mp4", "ftps", new TransferException(TransferException.Reason.NO_SPACE, "452 full")).build();
        assertTrue(d.ftpUploadStatus().startsWith("upload failed: NO_SPACE"), d.ftpUploadStatus());
        assertEquals(false, d.succeeded());
    }

    @Test
    void everyEventHasItsPayloadType() throws Exception {
        assertEquals(6, WebhookEvent.values().length);
        WebhookPayload p = WebhookPayload.of(WebhookEvent.VIDEO_COPIED_S3,
                new VideoCopiedS3("upload success", "a.mp4", 10L, "bucket", "eu-west-1", null, "id", null, null));
        assertEquals(p.data(), WebhookPayload.parse(p.toJson()).data());
        assertThrows(IllegalArgumentException.class, () -> WebhookPayload.of(WebhookEvent.VIDEO_RECORDED, p.data()));
    }

    @Test
    void textAfterTheJsonObjectIsRefused() throws Exception {
        VideoCopiedFtp d = VideoCopiedFtp.fromUpload(result("ftp")).build();
        String json = WebhookPayload.videoCopiedFtp(d).toJson();
        assertEquals(d, WebhookPayload.parse(json).data(VideoCopiedFtp.class));
        for (String tail : new String[] {"{\"event\":\"video_recorded\"}", "x", "[]"}) {
            WebhookFormatException e = assertThrows(WebhookFormatException.class, () -> WebhookPayload.parse(json + tail), tail);
            assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        }
    }

    @Test
    void anUnknownVersionIsRefused() {
        String data = "\"event\":\"video_copied_ftp\",\"data\":{\"ftpUploadStatus\":\"upload success\",\"videoName\":\"a.mp4\","
                + "\"protocol\":\"sftp\"}}";
        for (String version : new String[] {"\"9.9\"", "\"\"", "1.0", "\"1\""}) {
            WebhookFormatException e = assertThrows(WebhookFormatException.class,
                    () -> WebhookPayload.parse("{\"version\":" + version + "," + data), version);
            assertTrue(e.getMessage().contains("version"), e.getMessage());
        }
    }

    @Test
    void aNullRequiredFieldIsRefusedForEveryEvent() {
        String[][] cases = {
                {"video_recorded", "{\"videoName\":null}", "videoName"},
                {"video_converted", "{\"videoName\":null}", "videoName"},
                {"video_copied_s3", "{\"s3UploadStatus\":null,\"videoName\":\"a.mp4\"}", "s3UploadStatus"},
                {"video_copied_s3", "{\"s3UploadStatus\":\"upload success\",\"videoName\":null}", "videoName"},
                {"video_copied_dbox", "{\"dboxUploadStatus\":null,\"videoName\":\"a.mp4\"}", "dboxUploadStatus"},
                {"video_copied_dbox", "{\"dboxUploadStatus\":\"upload success\",\"videoName\":null}", "videoName"},
                {"video_copied_ftp", "{\"ftpUploadStatus\":\"upload success\",\"videoName\":null,\"protocol\":\"ftp\"}", "videoName"},
        };
        for (String[] c : cases) {
            String json = "{\"version\":\"1.0\",\"event\":\"" + c[0] + "\",\"data\":" + c[1] + "}";
            WebhookFormatException e = assertThrows(WebhookFormatException.class, () -> WebhookPayload.parse(json), json);
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
        assertThrows(NullPointerException.class,
                () -> new VideoRecorded(null, null, null, null, null, null, null, null, null, null, null, null));
    }
}
