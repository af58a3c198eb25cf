package dev.ferry.s3.internal;

import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checksum arithmetic, the part plan and the error verdicts, without a server. */
class ChecksumsTest {
    private static int crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    @Test
    void partsCrc32cCombineToTheWholeFilesOne() {
        byte[] data = new byte[300_001];
        new Random(7).nextBytes(data);
        int[] cuts = {0, 1, 65_536, 100_000, 299_999, 300_001};
        int combined = crc(data, 0, cuts[1]);
        for (int i = 1; i < cuts.length - 1; i++) {
            combined = Checksums.combine(combined, crc(data, cuts[i], cuts[i + 1]), cuts[i + 1] - cuts[i]);
        }
        assertEquals(crc(data, 0, data.length), combined);
        assertEquals(Checksums.crc32cBase64(crc(data, 0, data.length)), Checksums.crc32cBase64(combined));
    }

    @Test
    void crc32cIsWrittenAsS3WritesIt() {
        // S3's documented example: CRC32C of "Hello World" is "aR2qLw==" (0x691daa2f).
        byte[] hello = "Hello World".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("aR2qLw==", Checksums.crc32cBase64(crc(hello, 0, hello.length)));
    }

    @Test
    void fiveTebibytesFitInTenThousandParts() {
        long max = S3Settings.MAX_OBJECT;
        long part = MultipartUpload.partSize(max, S3Settings.DEFAULT_PART_SIZE);
        assertTrue((max + part - 1) / part <= S3Settings.MAX_PARTS, "part size " + part);
        assertTrue(part <= S3Settings.MAX_PART);
        assertEquals(S3Settings.DEFAULT_PART_SIZE, MultipartUpload.partSize(1L << 30, S3Settings.DEFAULT_PART_SIZE));
        assertEquals(0, MultipartUpload.partSize(200L << 30, S3Settings.MIN_PART) % (1 << 20));
    }

    @Test
    void errorsNameWhatToDo() {
        S3Errors.Verdict region = S3Errors.classify(301, "PermanentRedirect", "PutObject", "b", "us-east-1", "eu-west-1");
        assertEquals(Reason.PROTOCOL, region.reason());
        assertTrue(region.hint().contains("region=eu-west-1"), region.hint());

        S3Errors.Verdict abort = S3Errors.classify(403, "AccessDenied", "AbortMultipartUpload", "b", "r", null);
        assertEquals(Reason.PERMISSION, abort.reason());
        assertTrue(abort.hint().contains("s3:AbortMultipartUpload"), abort.hint());
        assertTrue(S3Errors.classify(403, "AccessDenied", "ListParts", "b", "r", null).hint()
                .contains("s3:ListMultipartUploadParts"));
        assertTrue(S3Errors.classify(403, "AccessDenied", "UploadPart", "b", "r", null).hint().contains("s3:PutObject"));

        S3Errors.Verdict skew = S3Errors.classify(403, "RequestTimeTooSkewed", "PutObject", "b", "r", null);
        assertTrue(skew.hint().contains("clock"), skew.hint());
        assertFalse(skew.retryable());

        for (String busy : new String[] {"SlowDown", "ServiceUnavailable", "InternalError"}) {
            assertTrue(S3Errors.classify(503, busy, "UploadPart", "b", "r", null).retryable(), busy);
        }
        assertTrue(S3Errors.classify(503, null, "HeadObject", "b", "r", null).retryable());
        assertEquals(Reason.EXISTS, S3Errors.classify(412, null, "PutObject", "b", "r", null).reason());
        assertEquals(Reason.NOT_FOUND, S3Errors.classify(404, "NoSuchBucket", "PutObject", "b", "r", null).reason());
        assertEquals(Reason.AUTH, S3Errors.classify(403, "SignatureDoesNotMatch", "PutObject", "b", "r", null).reason());
    }
}
