package dev.ferry.examples.usage;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.webhook.VideoCopiedFtp;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example receiver bounds what it reads before verifying, and shrugs off replays. */
class WebhookReceiverTest {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("receiver-test".getBytes(StandardCharsets.UTF_8));
    final List<VideoCopiedFtp> got = new CopyOnWriteArrayList<>();
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = WebhookReceiver.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SECRET, got::add);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Writes a request by hand (head, then body bytes as given) and returns the status code of the answer. */
    int post(String head, byte[]... body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /hooks HTTP/1.1\r\nHost: localhost\r\n" + head + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] b : body) {
                out.write(b);
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
                line.write(c);
            }
            String status = line.toString(StandardCharsets.US_ASCII);
            assertTrue(status.startsWith("HTTP/1.1 "), status);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    static String signedHead(byte[] body, String id) {
        long ts = System.currentTimeMillis() / 1000;
        StringBuilder h = new StringBuilder("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n");
        for (Map.Entry<String, String> e : WebhookSigner.standard(SECRET).headers(null, id, ts, body, null).entrySet()) {
            h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        return h.toString();
    }

    static byte[] event() {
        return WebhookPayload.videoCopiedFtp(VideoCopiedFtp.builder().status(VideoCopiedFtp.SUCCESS).videoName("a.mp4").protocol("sftp").build())
                .toJson().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSignedEventIsHandledOnceAndItsReplayIsAnsweredWithoutHandlingItAgain() throws Exception {
        byte[] body = event();
        String head = signedHead(body, "msg_once");
        assertEquals(200, post(head, body));
        assertEquals(200, post(head, body), "a replay: acknowledged");
        assertEquals(1, got.size(), "but handled once");
        assertEquals(401, post(signedHead(body, "msg_two").replace("v1,", "v1,AAAA"), body));
        assertEquals(1, got.size());
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedWithoutReadingTheBody() throws Exception {
        // Only the head is sent: had the receiver tried to read 64 MiB, this would wait for the socket timeout.
        assertEquals(413, post("Content-Length: " + (64L << 20) + "\r\n"));
        assertTrue(got.isEmpty());
    }

    @Test
    void aChunkedBodyIsReadNoFurtherThanTheLimit() throws Exception {
        byte[][] parts = new byte[17][];
        java.util.Arrays.fill(parts, frame(new byte[64 * 1024]));
        parts[16] = frame(new byte[16]);
        // 1 MiB + 16 bytes and no last chunk: the body never ends, so only a bounded read can answer.
        assertEquals(413, post("Transfer-Encoding: chunked\r\n", parts));
        assertTrue(got.isEmpty());
    }

    @Test
    void aBodyOfExactlyTheLimitIsReadAndVerified() throws Exception {
        byte[] body = new byte[WebhookReceiver.MAX_BODY];
        assertEquals(401, post("Content-Length: " + body.length + "\r\n", body), "read whole, then refused as unsigned");
    }

    static byte[] frame(byte[] chunk) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(chunk);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }
}
