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
}
