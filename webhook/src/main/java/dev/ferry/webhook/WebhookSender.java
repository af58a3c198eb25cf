package dev.ferry.webhook;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers webhooks over HTTP with OkHttp: timeouts on connect, read and the whole call; retries with
 * exponential backoff and jitter on network errors, {@code 5xx}, {@code 408} and {@code 429} (honouring
 * {@code Retry-After}, capped); success only on {@code 2xx}; no retry on other {@code 4xx}; redirects are not
 * followed. Every attempt carries the same id. Thread-safe; {@link #sendAsync} queues on a bounded queue,
 * {@link #shutdown(Duration)} finishes or reports what is pending.
 *
 * <pre>{@code
 * try (WebhookSender sender = WebhookSender.builder().build()) {
 *     DeliveryResult r = sender.send(WebhookRequest.builder(url, payload).signer(WebhookSigner.standard(secret)).build());
 * }
 * }</pre>
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
    private static final int SNIPPET = 1024;

    /** Sleeps between attempts; replaceable in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final OkHttpClient http;
    /** Whether {@link #http} shares its dispatcher and pool with a client the caller owns. */
    private final boolean callersClient;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final double jitter;
    private final Sleeper sleeper;
    private final Clock clock;
    private final ThreadPoolExecutor async;
    private final List<WebhookRequest> queued = new ArrayList<>();

    private WebhookSender(Builder b) {
        this.callersClient = b.client != null;
        OkHttpClient base = callersClient ? b.client : new OkHttpClient();
        this.http = base.newBuilder().connectTimeout(b.connectTimeout).readTimeout(b.readTimeout).writeTimeout(b.readTimeout)
                .callTimeout(b.callTimeout).followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false).build();
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.jitter = b.jitter;
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.async = new ThreadPoolExecutor(b.asyncThreads, b.asyncThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.queueCapacity), r -> {
                    Thread t = new Thread(r, "ferry-webhook-sender");
                    t.setDaemon(true);
                    return t;
                });
        this.async.allowCoreThreadTimeOut(true);
    }

    /** A builder with the defaults: 10 s connect, 30 s read, 60 s per call, 5 attempts from 1 s backoff up to 60 s. */
    public static Builder builder() {
        return new Builder();
    }

    /** Delivers a webhook, retrying as described; never throws for HTTP or network failures (see the result). */
    public DeliveryResult send(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        String json = request.payload().toJson();
        byte[] body = request.encoding() == WebhookRequest.Encoding.JSON ? json.getBytes(StandardCharsets.UTF_8)
                : ("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        MediaType type = request.encoding() == WebhookRequest.Encoding.JSON ? JSON : FORM;
        List<DeliveryResult.Attempt> attempts = new ArrayList<>();
        for (int n = 1; n <= maxAttempts; n++) {
            long timestamp = clock.instant().getEpochSecond();
            Request.Builder rb = new Request.Builder().url(request.url()).post(RequestBody.create(body, type))
                    .header("User-Agent", "ferry-webhook").header("webhook-id", request.id());
            if (request.signer() != null) {
                for (Map.Entry<String, String> h : request.signer().headers(request.url(), request.id(), timestamp, body, json).entrySet()) {
                    rb.header(h.getKey(), h.getValue());
                }
            }
            long start = System.nanoTime();
            Duration wait;
            try (Response resp = http.newCall(rb.build()).execute()) {
                int code = resp.code();
                String snippet = snippet(resp);
                attempts.add(new DeliveryResult.Attempt(n, code, Duration.ofNanos(System.nanoTime() - start), null, snippet));
                LOG.debug("webhook {} attempt {}: HTTP {}", request.id(), n, code);
                if (code >= 200 && code < 300) {
                    return new DeliveryResult(request.id(), true, attempts);
                }
                if (!(code >= 500 || code == 408 || code == 429)) {
                    return new DeliveryResult(request.id(), false, attempts);
                }
                wait = retryAfter(resp.header("Retry-After")).orElse(backoff(n));
            } catch (IOException e) {
                attempts.add(new DeliveryResult.Attempt(n, -1, Duration.ofNanos(System.nanoTime() - start), e.toString(), null));
                LOG.debug("webhook {} attempt {}: {}", request.id(), n, e.toString());
                wait = backoff(n);
            }
            if (n < maxAttempts) {
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return new DeliveryResult(request.id(), false, attempts);
    }

    /**
     * The start of the body, or {@code null}. Best effort: the status line decides the outcome, so a body that
     * stalls or breaks after a {@code 2xx} must not turn a delivered webhook into a network error (and a resend).
     */
    private static String snippet(Response resp) {
        try {
            String s = resp.peekBody(SNIPPET).string();
            return s.isEmpty() ? null : s;
        } catch (IOException e) {
            return null;
        }
    }

    private java.util.Optional<Duration> retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return java.util.Optional.empty();
        }
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(clock.instant(), ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (RuntimeException ignored) {
                return java.util.Optional.empty();
            }
        }
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        return java.util.Optional.of(d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d);
    }

    private Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(2, attempt - 1);
        millis = Math.min(millis, maxBackoff.toMillis());
        millis = millis * (1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(0, (long) millis));
    }

    /**
     * Queues a webhook for delivery on the sender's threads.
     *
     * @return the result when done; completes exceptionally with {@link RejectedExecutionException} if the queue is full
     *         or the sender is shut down
     */
    public CompletableFuture<DeliveryResult> sendAsync(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        Task task = new Task(request);
        synchronized (queued) {
            queued.add(request);
        }
        try {
            async.execute(task);
        } catch (RejectedExecutionException e) {
            synchronized (queued) {
                queued.remove(request);
            }
            task.future.completeExceptionally(new RejectedExecutionException(async.isShutdown() ? "the webhook sender is shut down"
                    : "the webhook queue is full (" + async.getQueue().size() + " waiting)", e));
        }
        return task.future;
    }

    /** One queued delivery; a type of its own so that {@link #shutdown} can fail the futures of those it drops. */
    private final class Task implements Runnable {
        final WebhookRequest request;
        final CompletableFuture<DeliveryResult> future = new CompletableFuture<>();

        Task(WebhookRequest request) {
            this.request = request;
        }

        @Override
        public void run() {
            try {
                future.complete(send(request));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            } finally {
                synchronized (queued) {
                    queued.remove(request);
                }
            }
        }
    }

    /**
     * Stops taking work, waits up to {@code grace} for queued and running deliveries, then interrupts them.
     * The futures of queued deliveries that had not started by then complete exceptionally with
     * {@link RejectedExecutionException}.
     *
     * @return the requests that were not finished
     */
    public List<WebhookRequest> shutdown(Duration grace) {
        List<Runnable> dropped = List.of();
        async.shutdown();
        try {
            if (!async.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                dropped = async.shutdownNow();
                async.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            dropped = async.shutdownNow();
            Thread.currentThread().interrupt();
        }
        // shutdownNow() hands back the tasks that never ran and forgets them: unless their futures fail here,
        // a caller waiting on future.get() waits for ever.
        for (Runnable r : dropped) {
            if (r instanceof Task t) {
                t.future.completeExceptionally(new RejectedExecutionException("the webhook sender was shut down before webhook "
                        + t.request.id() + " was sent"));
            }
        }
        synchronized (queued) {
            List<WebhookRequest> pending = List.copyOf(queued);
            if (!pending.isEmpty()) {
                LOG.warn("{} webhook(s) not delivered at shutdown: {}", pending.size(), pending);
            }
            return pending;
        }
    }

    /**
     * {@link #shutdown(Duration)} with 30 s of grace; also releases OkHttp's connections and threads if the
     * sender made its own client. A client passed to {@link Builder#client} stays the caller's to close.
     */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(30));
        // newBuilder() shares the dispatcher and the connection pool: shutting them down would break the
        // host application's own client, which goes on being used after this sender.
        if (!callersClient) {
            http.connectionPool().evictAll();
            http.dispatcher().executorService().shutdown();
        }
    }

    @Override
    public String toString() {
        return "WebhookSender[attempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff + "]";
    }

    /** Builds a {@link WebhookSender}. */
    public static final class Builder {
        private OkHttpClient client;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofSeconds(60);
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private Duration maxRetryAfter = Duration.ofMinutes(5);
        private double jitter = 0.2;
        private int queueCapacity = 1000;
        private int asyncThreads = 2;
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * A base OkHttp client (shares its connection pool and dispatcher); Ferry's timeouts and redirect rules are
         * applied on a copy. {@link WebhookSender#close()} leaves it working: closing it is the caller's part.
         */
        public Builder client(OkHttpClient c) { this.client = Objects.requireNonNull(c); return this; }
        public Builder connectTimeout(Duration d) { this.connectTimeout = Objects.requireNonNull(d); return this; }
        public Builder readTimeout(Duration d) { this.readTimeout = Objects.requireNonNull(d); return this; }
        public Builder callTimeout(Duration d) { this.callTimeout = Objects.requireNonNull(d); return this; }

        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = n;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial);
            this.maxBackoff = Objects.requireNonNull(max);
            return this;
        }

        /** The longest {@code Retry-After} honoured (longer ones are cut to this). */
        public Builder maxRetryAfter(Duration d) { this.maxRetryAfter = Objects.requireNonNull(d); return this; }

        public Builder jitter(double j) {
            if (j < 0 || j > 1) {
                throw new IllegalArgumentException("jitter must be from 0 to 1");
            }
            this.jitter = j;
            return this;
        }

        public Builder queueCapacity(int n) { this.queueCapacity = n; return this; }
        public Builder asyncThreads(int n) { this.asyncThreads = n; return this; }
        public Builder sleeper(Sleeper s) { this.sleeper = Objects.requireNonNull(s); return this; }
        public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c); return this; }

        public WebhookSender build() {
            return new WebhookSender(this);
        }
    }
}
