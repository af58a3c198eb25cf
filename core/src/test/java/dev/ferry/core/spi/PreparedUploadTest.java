package dev.ferry.core.spi;

import dev.ferry.core.Upload;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreparedUploadTest {
    @Test
    void aTemporaryNameHas128RandomBitsInLowerCaseBase32() {
        Set<String> tokens = new HashSet<>();
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String name = PreparedUpload.newTemporaryName("x.bin");
            assertTrue(name.matches("x\\.bin\\.[a-z2-7]{26}\\.ferry-part"), name);
            assertTrue(name.endsWith(Upload.TEMP_SUFFIX));
            String token = name.substring("x.bin.".length(), name.length() - Upload.TEMP_SUFFIX.length());
            tokens.add(token);
            // The last character holds 3 bits (128 = 25 * 5 + 3): only a, e, i, m, q, u, y, 4 can end a token.
            assertTrue("aeimquy4".indexOf(token.charAt(25)) >= 0, token);
            for (char c : token.substring(0, 25).toCharArray()) {
                seen.add(c);
            }
        }
        assertEquals(2000, tokens.size(), "no token twice");
        assertEquals(32, seen.size(), "every base-32 digit occurs: the token is not a short number padded out");
    }

    @Test
    void base32IsRfc4648InLowerCaseWithoutPadding() {
        assertEquals("mzxw6ytboi", PreparedUpload.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("a".repeat(26), PreparedUpload.base32(new byte[16]));
        byte[] ones = new byte[16];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals("7".repeat(25) + "4", PreparedUpload.base32(ones));
    }

    private static PreparedUpload prepared(long length) throws Exception {
        Upload u = Upload.builder().source(dev.ferry.core.ContentSource.ofBytes(new byte[(int) length])).remotePath("v.bin").build();
        return new PreparedUpload(u, dev.ferry.core.RemotePath.relative("v.bin"), dev.ferry.core.RemotePath.absolute("/in/v.bin"),
                length, 1, null, "v.bin.x.ferry-part", new PreparedUpload.SentBytes());
    }

    @Test
    void theFirstAttemptResumesNothingWhateverTheServerReports() throws Exception {
        PreparedUpload p = prepared(1000);
        dev.ferry.core.spi.Transcript t = new dev.ferry.core.spi.Transcript();
        assertEquals(0, p.resumeOffset("v.bin.x.ferry-part", 500, t), "a file this upload never sent to is not its own");
        assertEquals(0, p.resumeOffset("v.bin.x.ferry-part", -1, t));
        assertTrue(t.render().contains("* v.bin.x.ferry-part has 500 bytes but this upload sent it 0; the rest is not this "
                + "upload's: writing it again from the start"), t.render().toString());
    }

    @Test
    void aRetryResumesUpToWhatTheEarlierAttemptsSentToThatFile() throws Exception {
        PreparedUpload first = prepared(1000);
        dev.ferry.core.spi.Transcript t = new dev.ferry.core.spi.Transcript();
        first.recordSent("v.bin.x.ferry-part", 0, 400);
        PreparedUpload second = first.nextAttempt();
        assertEquals(400, second.resumeOffset("v.bin.x.ferry-part", 400, t));
        assertEquals(300, second.resumeOffset("v.bin.x.ferry-part", 300, t));
        assertEquals(0, second.resumeOffset("v.bin.x.ferry-part", 401, t), "one byte more than was sent");
        assertEquals(0, second.resumeOffset("v.bin.x.retry1.ferry-part", 100, t), "another file");
        second.recordSent("v.bin.x.ferry-part", 300, 500);
        PreparedUpload third = second.nextAttempt();
        assertEquals(900, third.resumeOffset("v.bin.x.ferry-part", 900, t));
        assertEquals(0, third.resumeOffset("v.bin.x.ferry-part", 1001, t), "larger than the source");
        third.recordSent("v.bin.x.ferry-part", 0, 50);
        assertEquals(0, third.nextAttempt().resumeOffset("v.bin.x.ferry-part", 900, t), "written again from the start: 50 bytes");
        assertTrue(t.render().contains("* resuming v.bin.x.ferry-part at byte 400 of 1000"), t.render().toString());
    }
}
