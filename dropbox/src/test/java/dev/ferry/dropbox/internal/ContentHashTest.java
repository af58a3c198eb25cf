package dev.ferry.dropbox.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Dropbox's content hash (https://www.dropbox.com/developers/reference/content-hash): SHA-256 of each 4 MiB block,
 * concatenated, SHA-256 of that. The published example (milky-way-nasa.jpg, 485291fa...b35e0) needs the image, which is
 * not available offline; the expected values here are computed in the test from the definition with MessageDigest.
 */
class ContentHashTest {
    private static final int MIB4 = 4 * 1024 * 1024;

    private static String expected(byte[] data) throws Exception {
        ByteArrayOutputStream blockHashes = new ByteArrayOutputStream();
        for (int i = 0; i < data.length; i += MIB4) {
            MessageDigest block = MessageDigest.getInstance("SHA-256");
            block.update(data, i, Math.min(MIB4, data.length - i));
            blockHashes.write(block.digest());
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blockHashes.toByteArray()));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void emptyIsTheHashOfNoBlocks() throws Exception {
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest()), ContentHash.of(new byte[0]));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ContentHash.of(new byte[0]));
    }

    @Test
    void lessThanOneBlockIsTheHashOfTheHashOfIt() throws Exception {
        byte[] d = random(1000);
        assertEquals(expected(d), ContentHash.of(d));
        byte[] inner = MessageDigest.getInstance("SHA-256").digest(d);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(inner)), ContentHash.of(d));
        // Not the plain SHA-256 of the content:
        assertNotEquals(HexFormat.of().formatHex(inner), ContentHash.of(d));
    }

    @Test
    void exactlyOneBlockAndOneBlockPlusOneByte() throws Exception {
        byte[] four = random(MIB4);
        assertEquals(expected(four), ContentHash.of(four));
        byte[] more = random(MIB4 + 1);
        assertEquals(expected(more), ContentHash.of(more));
        byte[] nine = random(2 * MIB4 + 12345);
        assertEquals(expected(nine), ContentHash.of(nine));
    }

    @Test
    void fedInOddPiecesAndCopiedMidwayItGivesTheSameHash() throws Exception {
        byte[] d = random(MIB4 * 2 + 7);
        ContentHash h = new ContentHash();
        int[] sizes = {1, 4095, MIB4 - 4096, 2, 1_000_000, 3};
        int at = 0;
        int i = 0;
        ContentHash copy = null;
        while (at < d.length) {
            int n = Math.min(sizes[i++ % sizes.length], d.length - at);
            h.update(d, at, n);
            at += n;
            if (copy == null && at > MIB4) {
                copy = h.copy();
                copy.update(new byte[] {42}, 0, 1);  // a copy goes its own way
            }
        }
        assertEquals(expected(d), h.hex());
        assertEquals(h.hex(), h.hex(), "hex() leaves the state as it was");
    }
}
