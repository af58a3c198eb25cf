package dev.ferry.dropbox.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Dropbox's {@code content_hash} of a stream: the SHA-256 of each 4 MiB block, concatenated, then the SHA-256 of that,
 * in hex (https://www.dropbox.com/developers/reference/content-hash). Fed incrementally, so memory stays constant; not
 * thread-safe.
 */
final class ContentHash {
    static final int BLOCK = 4 * 1024 * 1024;

    private final MessageDigest overall;
    private final MessageDigest block;
    private int inBlock;

    ContentHash() {
        this(sha256(), sha256(), 0);
    }

    private ContentHash(MessageDigest overall, MessageDigest block, int inBlock) {
        this.overall = overall;
        this.block = block;
        this.inBlock = inBlock;
    }

    /** The hash of {@code bytes}. */
    static String of(byte[] bytes) {
        ContentHash h = new ContentHash();
        h.update(bytes, 0, bytes.length);
        return h.hex();
    }

    void update(byte[] b, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, BLOCK - inBlock);
            block.update(b, off, n);
            inBlock += n;
            off += n;
            len -= n;
            if (inBlock == BLOCK) {
                overall.update(block.digest());
                inBlock = 0;
            }
        }
    }

    /** An independent copy of this state: a request that is sent again hashes its bytes again from here. */
    ContentHash copy() {
        try {
            return new ContentHash((MessageDigest) overall.clone(), (MessageDigest) block.clone(), inBlock);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 of this JDK cannot be cloned", e);
        }
    }

    /** The hash of everything fed so far (this state is unchanged). */
    String hex() {
        ContentHash c = copy();
        if (c.inBlock > 0) {
            c.overall.update(c.block.digest());
        }
        return HexFormat.of().formatHex(c.overall.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
