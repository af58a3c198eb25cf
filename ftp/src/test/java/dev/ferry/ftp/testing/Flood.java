package dev.ferry.ftp.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile reply for {@link ScriptedFtpServer#raw}: writes {@code head}, then {@code unit} again and again, until the
 * client goes away or {@link #CAP} bytes (far more than any bound of the client).
 */
public final class Flood implements ScriptedFtpServer.RawReply {
    /** What the hostile server gives up at. */
    public static final long CAP = 64L << 20;

    /** Bytes written so far. */
    public final AtomicLong written = new AtomicLong();
    /** Counted down when the server stops writing (the client went away, or the cap). */
    public final CountDownLatch done = new CountDownLatch(1);
    private final byte[] head;
    private final byte[] chunk;

    public Flood(String head, String unit) {
        this.head = head.getBytes(StandardCharsets.US_ASCII);
        this.chunk = unit.repeat(Math.max(1, (16 << 10) / unit.length())).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void write(OutputStream out) {
        try {
            out.write(head);
            while (written.get() < CAP) {
                out.write(chunk);
                out.flush();
                written.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // the client closed the connection
        } finally {
            done.countDown();
        }
    }
}
