package dev.ferry.examples.usage;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.webhook.VideoCopiedFtp;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Receive {@code video_copied_ftp} webhooks in a plain JDK {@link HttpServer}, verifying the Standard Webhooks signature. */
public final class WebhookReceiver {
    private WebhookReceiver() {
    }

    /** Starts a receiver at {@code http://address/hooks}; valid events go to {@code onCopied}, others get 401/400. */
    public static HttpServer start(InetSocketAddress address, String secret, Consumer<VideoCopiedFtp> onCopied) throws IOException {
        WebhookVerifier verifier = WebhookVerifier.standard(secret);
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/hooks", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes(); // the raw bytes: never verify re-serialized JSON
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            int status;
            WebhookVerifier.Result r = verifier.verify(null, headers, body);
            if (!r.valid()) {
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
}
