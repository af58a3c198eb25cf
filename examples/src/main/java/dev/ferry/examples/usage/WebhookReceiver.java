package dev.ferry.examples.usage;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.webhook.VideoCopiedFtp;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookVerifier;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Receive {@code video_copied_ftp} webhooks in a plain JDK {@link HttpServer}, verifying the Standard Webhooks
 * signature, refusing bodies over {@link #MAX_BODY} (413) before they are read whole, and answering a replay of an
 * accepted webhook with 200 without handling it again.
 */
public final class WebhookReceiver {
    /** The largest body read: a delivery event is a few KiB, so 1 MiB is generous. */
    public static final int MAX_BODY = 1 << 20;

    private WebhookReceiver() {
    }

    /** Starts a receiver at {@code http://address/hooks}; valid events go to {@code onCopied}, others get 401/400/413. */
    public static HttpServer start(InetSocketAddress address, String secret, Consumer<VideoCopiedFtp> onCopied) throws IOException {
        // Remembers accepted webhook-ids for twice the timestamp tolerance: every timestamp that still verifies.
        WebhookVerifier verifier = WebhookVerifier.standard(secret).withReplayProtection(WebhookVerifier.DEFAULT_TOLERANCE.multipliedBy(2),
                100_000);
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/hooks", exchange -> {
            byte[] body = readBody(exchange, MAX_BODY); // the raw bytes: never verify re-serialized JSON
            if (body == null) {
                exchange.sendResponseHeaders(413, -1);
                exchange.close();
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            int status;
            WebhookVerifier.Result r = verifier.verify(null, headers, body);
            if (r.rejection() == WebhookVerifier.Rejection.REPLAYED) {
                status = 200; // had it already: the sender may stop retrying
            } else if (!r.valid()) {
                status = 401;
            } else if (r.payload() == null) {
                status = 400; // signed, but a form body without exactly one 'payload' field
            } else {
                try {
                    WebhookPayload p = WebhookPayload.parse(r.payload()); // the JSON the signature covers
                    if (p.data() instanceof VideoCopiedFtp copied) {
                        onCopied.accept(copied);
                    }
                    status = 200;
                } catch (IOException e) {
                    status = 400;
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /**
     * The request body, or {@code null} if it is longer than {@code max} bytes: refused at once when the declared
     * {@code Content-Length} says so, else read no further than {@code max + 1} bytes (chunked bodies declare none).
     * The stream is left for {@link HttpExchange#close()}, after the answer: the JDK server drains an unfinished body
     * when its stream closes, so closing it first would hold the 413 back until the client stops sending.
     */
    public static byte[] readBody(HttpExchange exchange, int max) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            if (declared != null && Long.parseLong(declared.strip()) > max) {
                return null;
            }
        } catch (NumberFormatException e) {
            return null; // the JDK server refuses such a request before this; stay safe if it changes
        }
        byte[] body = exchange.getRequestBody().readNBytes(max + 1);
        return body.length > max ? null : body;
    }
}
