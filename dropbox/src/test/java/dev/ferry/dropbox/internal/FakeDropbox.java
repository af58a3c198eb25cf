package dev.ferry.dropbox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fake of the parts of Dropbox's HTTP API that Ferry uses, over TLS on loopback with a throwaway certificate, written
 * from https://www.dropbox.com/developers/documentation/http/documentation: the RPC endpoints (JSON body) on the "api"
 * path prefix and the upload endpoints ({@code Dropbox-API-Arg} header, octet-stream body) on the "content" prefix,
 * errors as {@code {"error_summary", "error": {".tag": ...}}} with 409 (endpoint errors), 401 (auth), 429 and 503
 * (Retry-After), 400 and 500. It checks the bearer token, the upload-session offsets (answering
 * {@code incorrect_offset} with {@code correct_offset}), 4 MiB alignment of appended chunks and the 150 MB cap per
 * request, computes content hashes itself, and stores each file's bytes. Faults are queued per endpoint.
 */
final class FakeDropbox implements AutoCloseable {
    static final int BLOCK = 4 * 1024 * 1024;
    static final long MAX_REQUEST = 150_000_000L;
    static final String APP_KEY = "fake-app-key";
    static final String APP_SECRET = "fake-app-s3cret-Q7";
    static final String REFRESH_TOKEN = "fake-refresh-t0ken-Z9";

    /** What the next request to an endpoint gets instead of the normal answer. */
    enum Fault {
        /** The normal answer (to let a fault hit a later request). */
        NONE,
        /** 429 too_many_requests with Retry-After: 1. */
        RATE_LIMIT,
        /** 429 too_many_write_operations with Retry-After: 1. */
        WRITE_CONTENTION,
        /** 503 with Retry-After: 1. */
        UNAVAILABLE,
        /** 500. */
        SERVER_ERROR,
        /** 401 expired_access_token; the token stops being valid. */
        EXPIRE_TOKEN,
        /** Half of the body is read, then the connection is closed: nothing of it is kept. */
        CUT_MID_BODY,
        /** The request is carried out, then the connection is closed before the answer. */
        LOSE_REPLY,
        /** The file is stored but its metadata has another content hash. */
        WRONG_HASH
    }

    record Call(String endpoint, int status, long bodyBytes, JsonNode arg) {
    }

    record StoredFile(String pathDisplay, byte[] bytes, String rev) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final X509Certificate certificate;
    final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    final Set<String> folders = ConcurrentHashMap.newKeySet();
    private final Map<String, ByteArrayOutputStream> sessions = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    final List<String> authorizationHeaders = Collections.synchronizedList(new ArrayList<>());
    /** Endpoints the app's tokens lack files.content.write for: always 401 missing_scope. */
    final Set<String> withoutWriteScope = ConcurrentHashMap.newKeySet();
    volatile long quota = Long.MAX_VALUE;
    volatile int refreshes;

    private FakeDropbox() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=fake-dropbox");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plusSeconds(86400)), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        certificate = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("fake", kp.getPrivate(), "x".toCharArray(), new Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeDropbox start() throws Exception {
        return new FakeDropbox();
    }

    X509Certificate certificate() {
        return certificate;
    }

    URI apiUrl() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/api");
    }

    URI contentUrl() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/content");
    }

    /** The next request to {@code endpoint} ({@code files/upload_session/append_v2}) gets {@code fault}. */
    void fail(String endpoint, Fault fault) {
        faults.computeIfAbsent(endpoint, k -> new ArrayDeque<>()).add(fault);
    }

    /** A valid access token, as an app's short-lived one. */
    String issueAccessToken() {
        String token = "sl.fake-" + UUID.randomUUID();
        validTokens.add(token);
        return token;
    }

    List<Call> calls(String endpoint) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.endpoint().equals(endpoint)).toList();
        }
    }

    StoredFile file(String path) {
        return files.get(path.toLowerCase(Locale.ROOT));
    }

    /** Dropbox's content hash, computed here independently of the code under test. */
    static String contentHash(byte[] data) throws Exception {
        MessageDigest overall = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < data.length; i += BLOCK) {
            overall.update(MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(data, i,
                    Math.min(data.length, i + BLOCK))));
        }
        return HexFormat.of().formatHex(overall.digest());
    }

    private Fault nextFault(String endpoint) {
        Deque<Fault> q = faults.get(endpoint);
        return q == null ? null : q.poll();
    }

    private void handle(HttpExchange ex) throws IOException {
        String full = ex.getRequestURI().getPath();
        String endpoint;
        boolean content;
        if (full.startsWith("/content/2/")) {
            endpoint = full.substring("/content/2/".length());
            content = true;
        } else if (full.startsWith("/api/2/")) {
            endpoint = full.substring("/api/2/".length());
            content = false;
        } else if (full.equals("/api/oauth2/token")) {
            token(ex);
            return;
        } else {
            reply(ex, "?" + full, 404, "text/plain", "no such endpoint".getBytes(StandardCharsets.UTF_8), null, 0);
            return;
        }
        try {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizationHeaders.add(auth == null ? "" : auth);
            JsonNode arg;
            if (content) {
                String header = ex.getRequestHeaders().getFirst("Dropbox-API-Arg");
                if (header == null) {
                    error(ex, endpoint, 400, "Error in call to API function \"" + endpoint + "\": Missing Dropbox-API-Arg header", 0, null);
                    return;
                }
                arg = JSON.readTree(header);
                if (!"application/octet-stream".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                    error(ex, endpoint, 400, "Bad HTTP \"Content-Type\" header; expecting application/octet-stream", 0, arg);
                    return;
                }
            } else {
                byte[] body = ex.getRequestBody().readAllBytes();
                arg = body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
            }
            Fault fault = nextFault(endpoint);
            if (withoutWriteScope.contains(endpoint)) {
                drain(ex);
                apiError(ex, endpoint, 401, "missing_scope/", JSON.createObjectNode().put(".tag", "missing_scope")
                        .put("required_scope", "files.content.write"), 0, arg);
                return;
            }
            if (fault == Fault.EXPIRE_TOKEN && auth != null) {
                validTokens.remove(auth.substring("Bearer ".length()));
            }
            if (auth == null || !auth.startsWith("Bearer ") || !validTokens.contains(auth.substring("Bearer ".length()))) {
                drain(ex);
                apiError(ex, endpoint, 401, "expired_access_token/", JSON.createObjectNode().put(".tag", "expired_access_token"), 0, arg);
                return;
            }
            if (fault == Fault.RATE_LIMIT || fault == Fault.WRITE_CONTENTION) {
                String tag = fault == Fault.RATE_LIMIT ? "too_many_requests" : "too_many_write_operations";
                ObjectNode e = JSON.createObjectNode();
                e.putObject("reason").put(".tag", tag);
                e.put("retry_after", 1);
                ex.getResponseHeaders().add("Retry-After", "1");
                drain(ex);
                apiError(ex, endpoint, 429, tag + "/", e, 0, arg);
                return;
            }
            if (fault == Fault.UNAVAILABLE) {
                ex.getResponseHeaders().add("Retry-After", "1");
                drain(ex);
                reply(ex, endpoint, 503, "text/plain", "service unavailable".getBytes(StandardCharsets.UTF_8), arg, 0);
                return;
            }
            if (fault == Fault.SERVER_ERROR) {
                drain(ex);
                reply(ex, endpoint, 500, "text/plain", "internal server error".getBytes(StandardCharsets.UTF_8), arg, 0);
                return;
            }
            byte[] body = new byte[0];
            if (content) {
                if (fault == Fault.CUT_MID_BODY) {
                    InputStream in = ex.getRequestBody();
                    in.readNBytes(BLOCK / 2);
                    calls.add(new Call(endpoint, -1, BLOCK / 2, arg));
                    // Closing the connection without an answer, as a broken network does; nothing of the body is kept.
                    throw new IOException("fake: connection cut in the middle of the body");
                }
                body = ex.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_REQUEST + 1));
                if (body.length > MAX_REQUEST) {
                    error(ex, endpoint, 400, "request body over 150 MB", body.length, arg);
                    return;
                }
            }
            switch (endpoint) {
                case "users/get_current_account" -> account(ex, endpoint, arg);
                case "check/user" -> json(ex, endpoint, 200, JSON.createObjectNode().put("result", arg.path("query").asText()), 0, arg);
                case "files/get_metadata" -> getMetadata(ex, endpoint, arg);
                case "files/create_folder_v2" -> createFolder(ex, endpoint, arg);
                case "files/delete_v2" -> delete(ex, endpoint, arg);
                case "files/upload" -> {
                    Object r = commit(arg, body, fault);
                    answerCommit(ex, endpoint, r, body.length, arg, "", fault);
                }
                case "files/upload_session/start" -> {
                    String id = "pid_upload_session:" + UUID.randomUUID();
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    data.write(body);
                    sessions.put(id, data);
                    json(ex, endpoint, 200, JSON.createObjectNode().put("session_id", id), body.length, arg);
                }
                case "files/upload_session/append_v2" -> append(ex, endpoint, arg, body, fault);
                case "files/upload_session/finish" -> finish(ex, endpoint, arg, body, fault);
                default -> error(ex, endpoint, 400, "Unknown API function: \"" + endpoint + "\"", body.length, arg);
            }
        } finally {
            ex.close();
        }
    }

    private static void drain(HttpExchange ex) throws IOException {
        ex.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = new HashMap<>();
            for (String kv : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String basic = ex.getRequestHeaders().getFirst("Authorization");
            String clientId = form.get("client_id");
            String secret = form.get("client_secret");
            if (basic != null && basic.startsWith("Basic ")) {
                String[] kv = new String(java.util.Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
                clientId = kv[0];
                secret = kv.length > 1 ? kv[1] : null;
            }
            boolean ok = "refresh_token".equals(form.get("grant_type")) && REFRESH_TOKEN.equals(form.get("refresh_token"))
                    && APP_KEY.equals(clientId) && (secret == null || APP_SECRET.equals(secret));
            if (!ok) {
                byte[] b = JSON.createObjectNode().put("error", "invalid_grant").put("error_description", "refresh token is invalid or revoked")
                        .toString().getBytes(StandardCharsets.UTF_8);
                reply(ex, "oauth2/token", 400, "application/json", b, null, 0);
                return;
            }
            refreshes++;
            ObjectNode r = JSON.createObjectNode().put("access_token", issueAccessToken()).put("expires_in", 14400)
                    .put("token_type", "bearer");
            reply(ex, "oauth2/token", 200, "application/json", r.toString().getBytes(StandardCharsets.UTF_8), null, 0);
        }
    }

    private void account(HttpExchange ex, String endpoint, JsonNode arg) throws IOException {
        ObjectNode a = JSON.createObjectNode();
        a.put("account_id", "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc");
        ObjectNode n = a.putObject("name");
        n.put("given_name", "Franz").put("surname", "Ferdinand").put("familiar_name", "Franz")
                .put("display_name", "Franz Ferdinand (Personal)").put("abbreviated_name", "FF");
        a.put("email", "franz@example.com").put("email_verified", true).put("disabled", false).put("locale", "en")
                .put("referral_link", "https://db.tt/ZITNuhtI").put("is_paired", false).put("country", "US");
        a.putObject("account_type").put(".tag", "basic");
        a.putObject("root_info").put(".tag", "user").put("root_namespace_id", "3235641").put("home_namespace_id", "3235641");
        json(ex, endpoint, 200, a, 0, arg);
    }

    private void getMetadata(HttpExchange ex, String endpoint, JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        StoredFile f = file(path);
        if (f != null) {
            json(ex, endpoint, 200, fileMetadata(f, contentHashOf(f), true), 0, arg);
        } else if (folders.contains(path.toLowerCase(Locale.ROOT))) {
            json(ex, endpoint, 200, folderMetadata(path).put(".tag", "folder"), 0, arg);
        } else {
            ObjectNode e = JSON.createObjectNode().put(".tag", "path");
            e.putObject("path").put(".tag", "not_found");
            apiError(ex, endpoint, 409, "path/not_found/", e, 0, arg);
        }
    }

    private void createFolder(HttpExchange ex, String endpoint, JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        folders.add(path.toLowerCase(Locale.ROOT));
        ObjectNode r = JSON.createObjectNode();
        r.set("metadata", folderMetadata(path));
        json(ex, endpoint, 200, r, 0, arg);
    }

    private void delete(HttpExchange ex, String endpoint, JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        StoredFile f = files.remove(path.toLowerCase(Locale.ROOT));
        if (f == null) {
            ObjectNode e = JSON.createObjectNode().put(".tag", "path_lookup");
            e.putObject("path_lookup").put(".tag", "not_found");
            apiError(ex, endpoint, 409, "path_lookup/not_found/", e, 0, arg);
            return;
        }
        ObjectNode r = JSON.createObjectNode();
        r.set("metadata", fileMetadata(f, contentHashOf(f), true));
        json(ex, endpoint, 200, r, 0, arg);
    }

    private void append(HttpExchange ex, String endpoint, JsonNode arg, byte[] body, Fault fault) throws IOException {
        String id = arg.path("cursor").path("session_id").asText();
        long offset = arg.path("cursor").path("offset").asLong(-1);
        ByteArrayOutputStream data = sessions.get(id);
        if (data == null) {
            apiError(ex, endpoint, 409, "not_found/", JSON.createObjectNode().put(".tag", "not_found"), body.length, arg);
            return;
        }
        synchronized (data) {
            if (offset != data.size()) {
                apiError(ex, endpoint, 409, "incorrect_offset/", JSON.createObjectNode().put(".tag", "incorrect_offset")
                        .put("correct_offset", data.size()), body.length, arg);
                return;
            }
            if (body.length % BLOCK != 0) {
                // Ferry's chunks are multiples of 4 MiB (needed for concurrent sessions); the fake holds it to that.
                error(ex, endpoint, 400, "append of " + body.length + " bytes: not a multiple of 4 MiB", body.length, arg);
                return;
            }
            data.write(body);
        }
        if (fault == Fault.LOSE_REPLY) {
            calls.add(new Call(endpoint, -1, body.length, arg));
            throw new IOException("fake: the answer is lost");
        }
        json(ex, endpoint, 200, null, body.length, arg);
    }

    private void finish(HttpExchange ex, String endpoint, JsonNode arg, byte[] body, Fault fault) throws IOException {
        String id = arg.path("cursor").path("session_id").asText();
        long offset = arg.path("cursor").path("offset").asLong(-1);
        ByteArrayOutputStream data = sessions.get(id);
        if (data == null) {
            ObjectNode e = JSON.createObjectNode().put(".tag", "lookup_failed");
            e.putObject("lookup_failed").put(".tag", "not_found");
            apiError(ex, endpoint, 409, "lookup_failed/not_found/", e, body.length, arg);
            return;
        }
        byte[] all;
        synchronized (data) {
            if (offset != data.size()) {
                ObjectNode e = JSON.createObjectNode().put(".tag", "lookup_failed");
                e.putObject("lookup_failed").put(".tag", "incorrect_offset").put("correct_offset", data.size());
                apiError(ex, endpoint, 409, "lookup_failed/incorrect_offset/", e, body.length, arg);
                return;
            }
            data.write(body);
            all = data.toByteArray();
        }
        Object r = commit(arg.path("commit"), all, fault);
        if (r instanceof StoredFile) {
            sessions.remove(id);
        } else {
            // A write error leaves the session as it was before this request, as a retry of finish expects.
            synchronized (data) {
                data.reset();
                data.write(all, 0, all.length - body.length);
            }
        }
        answerCommit(ex, endpoint, r, body.length, arg, "path", fault);
    }

    /** Stores a file as {@code commit} asks; a {@link StoredFile}, or the write error's tag. */
    private synchronized Object commit(JsonNode commit, byte[] bytes, Fault fault) {
        String path = commit.path("path").asText();
        String mode = commit.path("mode").isTextual() ? commit.path("mode").asText() : commit.path("mode").path(".tag").asText("add");
        boolean autorename = commit.path("autorename").asBoolean(false);
        if (path.isEmpty() || !path.startsWith("/") || path.endsWith("/")) {
            return "malformed_path";
        }
        long used = files.values().stream().mapToLong(f -> f.bytes().length).sum();
        if (used + bytes.length > quota) {
            return "insufficient_space";
        }
        String target = path;
        if (!"overwrite".equals(mode) && files.containsKey(path.toLowerCase(Locale.ROOT))) {
            if (!autorename) {
                return "conflict";
            }
            int slash = path.lastIndexOf('/');
            int dot = path.lastIndexOf('.');
            String stem = dot > slash + 1 ? path.substring(0, dot) : path;
            String ext = dot > slash + 1 ? path.substring(dot) : "";
            for (int i = 1; files.containsKey(target.toLowerCase(Locale.ROOT)); i++) {
                target = stem + " (" + i + ")" + ext;
            }
        }
        StoredFile f = new StoredFile(target, bytes, Long.toHexString(System.nanoTime()) + "0000000001");
        files.put(target.toLowerCase(Locale.ROOT), f);
        return f;
    }

    private void answerCommit(HttpExchange ex, String endpoint, Object r, long bodyBytes, JsonNode arg, String wrapper, Fault fault)
            throws IOException {
        if (r instanceof StoredFile f) {
            String hash;
            try {
                hash = fault == Fault.WRONG_HASH ? contentHash(new byte[] {1}) : contentHash(f.bytes());
            } catch (Exception e) {
                throw new IOException(e);
            }
            json(ex, endpoint, 200, fileMetadata(f, hash, false), bodyBytes, arg);
            return;
        }
        String tag = (String) r;
        ObjectNode reason = JSON.createObjectNode().put(".tag", tag);
        if ("conflict".equals(tag)) {
            reason.putObject("conflict").put(".tag", "file");
        }
        ObjectNode e = JSON.createObjectNode().put(".tag", "path");
        if (wrapper.isEmpty()) {
            // files/upload: UploadError.path is an UploadWriteFailed {reason, upload_session_id}.
            e.set("reason", reason);
            e.put("upload_session_id", "");
        } else {
            e.set("path", reason);
        }
        apiError(ex, endpoint, 409, "path/" + tag + "/", e, bodyBytes, arg);
    }

    private static String contentHashOf(StoredFile f) throws IOException {
        try {
            return contentHash(f.bytes());
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static ObjectNode fileMetadata(StoredFile f, String hash, boolean tagged) {
        ObjectNode m = JSON.createObjectNode();
        if (tagged) {
            m.put(".tag", "file");
        }
        String display = f.pathDisplay();
        m.put("name", display.substring(display.lastIndexOf('/') + 1)).put("id", "id:" + Integer.toHexString(display.hashCode()) + "AAAAAAAA")
                .put("client_modified", "2026-12-04T10:00:00Z").put("server_modified", "2026-12-04T10:00:01Z")
                .put("rev", f.rev()).put("size", f.bytes().length).put("path_lower", display.toLowerCase(Locale.ROOT))
                .put("path_display", display).put("is_downloadable", true).put("content_hash", hash);
        return m;
    }

    private static ObjectNode folderMetadata(String path) {
        return JSON.createObjectNode().put("name", path.substring(path.lastIndexOf('/') + 1)).put("id", "id:folder" + path.hashCode())
                .put("path_lower", path.toLowerCase(Locale.ROOT)).put("path_display", path);
    }

    private void apiError(HttpExchange ex, String endpoint, int status, String summary, ObjectNode error, long bodyBytes, JsonNode arg)
            throws IOException {
        ObjectNode e = JSON.createObjectNode().put("error_summary", summary);
        e.set("error", error);
        json(ex, endpoint, status, e, bodyBytes, arg);
    }

    private void error(HttpExchange ex, String endpoint, int status, String text, long bodyBytes, JsonNode arg) throws IOException {
        reply(ex, endpoint, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), arg, bodyBytes);
    }

    private void json(HttpExchange ex, String endpoint, int status, JsonNode body, long bodyBytes, JsonNode arg) throws IOException {
        reply(ex, endpoint, status, "application/json", (body == null ? "null" : body.toString()).getBytes(StandardCharsets.UTF_8),
                arg, bodyBytes);
    }

    private void reply(HttpExchange ex, String endpoint, int status, String type, byte[] body, JsonNode arg, long bodyBytes)
            throws IOException {
        calls.add(new Call(endpoint, status, bodyBytes, arg));
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Dropbox-Request-Id", UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
