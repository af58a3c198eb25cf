package dev.ferry.s3.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** The checksums S3 reports, computed locally: CRC32C (base64, as S3 sends it), the parts' CRC32Cs joined, MD5 ETags. */
final class Checksums {
    /** CRC-32C's polynomial, reflected. */
    private static final int POLY = 0x82F63B78;

    private Checksums() {
    }

    /** A CRC32C value as S3 writes it: the 4 bytes big-endian, base64. */
    static String crc32cBase64(int crc) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc).array());
    }

    /**
     * The CRC32C of {@code a} followed by {@code b}, from the CRC32C of each and the length of {@code b}: a full-object
     * checksum from parts sent in parallel, without reading the file again (zlib's crc32_combine, for CRC-32C's polynomial).
     */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] even = new int[32];
        int[] odd = new int[32];
        odd[0] = POLY; // the operator for one zero bit
        int row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four
        long len = lengthB;
        int crc = crcA;
        do {
            square(even, odd);
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] mat, int vec) {
        int sum = 0;
        int i = 0;
        while (vec != 0) {
            if ((vec & 1) != 0) {
                sum ^= mat[i];
            }
            vec >>>= 1;
            i++;
        }
        return sum;
    }

    private static void square(int[] square, int[] mat) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(mat, mat[n]);
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /** A single PUT's ETag (without SSE-KMS or SSE-C): the object's MD5 in hex. */
    static String etagOf(byte[] md5) {
        return HexFormat.of().formatHex(md5);
    }

    /** A multipart object's ETag: the MD5 of the parts' MD5s, a dash and the number of parts. */
    static String multipartEtagOf(List<byte[]> partMd5s) {
        MessageDigest all = md5();
        for (byte[] m : partMd5s) {
            all.update(m);
        }
        return HexFormat.of().formatHex(all.digest()) + "-" + partMd5s.size();
    }

    /** An ETag as S3 sends it, without its quotes, lower case. */
    static String bareEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.toLowerCase(java.util.Locale.ROOT);
    }
}
