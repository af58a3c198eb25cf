package dev.ferry.dropbox.internal;

import com.dropbox.core.http.HttpRequestor;
import com.dropbox.core.http.StandardHttpRequestor;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.spi.Transcript;

import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDK's HTTP requestor for one session: the SDK's own {@link StandardHttpRequestor} (HttpURLConnection, chunked
 * streaming of upload bodies, no extra jars), with this target's timeouts and trust, sending Dropbox's URLs to the
 * configured endpoints, and writing one transcript line per API call and one per answer (endpoint, status, error
 * summary, request id). Headers and bodies are never written: they carry the tokens.
 */
final class DropboxHttp extends HttpRequestor {
    private static final Pattern SUMMARY = Pattern.compile("\"(?:error_summary|error)\"\\s*:\\s*\"([^\"]{0,200})\"");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final StandardHttpRequestor http;
    private final String api;
    private final String content;
    private volatile Transcript transcript = new Transcript();

    DropboxHttp(TargetConfig config, DropboxSettings settings, SSLSocketFactory sockets) {
        StandardHttpRequestor.Config.Builder b = StandardHttpRequestor.Config.builder()
                .withConnectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .withReadTimeout(Math.max(config.replyTimeout().toMillis(), config.dataTimeout().toMillis()), TimeUnit.MILLISECONDS);
        if (sockets != null) {
            b.withSslSocketFactory(sockets);
        }
        this.http = new StandardHttpRequestor(b.build());
        this.api = strip(settings.apiUrl().toString());
        this.content = strip(settings.contentUrl().toString());
    }

    /** Where this session's lines go from now on. */
    void transcript(Transcript t) {
        this.transcript = t;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The configured endpoint for one of Dropbox's URLs. */
    String route(String url) {
        if (url.startsWith(DropboxSettings.DROPBOX_API + "/")) {
            return api + url.substring(DropboxSettings.DROPBOX_API.toString().length());
        }
        if (url.startsWith(DropboxSettings.DROPBOX_CONTENT + "/")) {
            return content + url.substring(DropboxSettings.DROPBOX_CONTENT.toString().length());
        }
        return url;
    }

    private static String endpoint(String url) {
        int scheme = url.indexOf("://");
        int slash = url.indexOf('/', scheme + 3);
        String path = slash < 0 ? "/" : url.substring(slash);
        int q = path.indexOf('?');
        // A query could hold a token (the OAuth endpoints take form bodies, but never show what is not needed).
        return q < 0 ? path : path.substring(0, q);
    }

    @Override
    public Response doGet(String url, Iterable<Header> headers) throws IOException {
        Transcript t = transcript;
        t.sent("GET " + endpoint(url));
        try {
            return answered(t, http.doGet(route(url), headers));
        } catch (IOException e) {
            t.note("GET " + endpoint(url) + " failed: " + e);
            throw e;
        }
    }

    @Override
    public Uploader startPost(String url, Iterable<Header> headers) throws IOException {
        return logged("POST", url, http.startPost(route(url), headers));
    }

    @Override
    public Uploader startPostInStreamingMode(String url, Iterable<Header> headers) throws IOException {
        return logged("POST", url, http.startPostInStreamingMode(route(url), headers));
    }

    @Override
    public Uploader startPut(String url, Iterable<Header> headers) throws IOException {
        return logged("PUT", url, http.startPut(route(url), headers));
    }

    private Uploader logged(String method, String url, Uploader u) {
        Transcript t = transcript;
        String what = method + " " + endpoint(url);
        t.sent(what);
        return new Uploader() {
            @Override
            public OutputStream getBody() {
                return u.getBody();
            }

            @Override
            public void close() {
                u.close();
            }

            @Override
            public void abort() {
                u.abort();
            }

            @Override
            public Response finish() throws IOException {
                try {
                    return answered(t, u.finish());
                } catch (IOException e) {
                    t.note(what + " failed: " + e);
                    throw e;
                }
            }
        };
    }

    /** Writes the answer's line; an error body (small JSON) is read here for its summary and handed on whole. */
    private static Response answered(Transcript t, Response r) throws IOException {
        String id = header(r.getHeaders(), "X-Dropbox-Request-Id");
        String tail = id == null ? "" : " (request id " + id + ")";
        if (r.getStatusCode() / 100 == 2) {
            t.received(r.getStatusCode() + tail);
            return r;
        }
        byte[] body;
        try (InputStream in = r.getBody()) {
            body = in == null ? new byte[0] : in.readNBytes(MAX_ERROR_BODY);
        }
        Matcher m = SUMMARY.matcher(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        String retry = header(r.getHeaders(), "Retry-After");
        t.received(r.getStatusCode() + (m.find() ? " " + m.group(1) : "") + (retry == null ? "" : " Retry-After: " + retry) + tail);
        return new Response(r.getStatusCode(), new ByteArrayInputStream(body), r.getHeaders());
    }

    private static String header(Map<String, ? extends List<String>> headers, String name) {
        for (Map.Entry<String, ? extends List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
