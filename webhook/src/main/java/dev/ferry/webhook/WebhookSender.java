package dev.ferry.webhook;

import dev.ferry.webhook.internal.DestinationLimiter;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers webhooks over HTTP with OkHttp: timeouts on connect, read and the whole call; retries with
 * exponential backoff and jitter on network errors, {@code 5xx}, {@code 408} and {@code 429} (honouring
 * {@code Retry-After}, capped at 30 s by default); success only on {@code 2xx}; no retry on other {@code 4xx};
 * redirects are not followed. Every attempt carries the same id. Thread-safe.
 *
 * <p>Where it sends: public addresses only unless an {@link AddressPolicy} allows more
 * ({@link Builder#allowLoopback()}, {@link Builder#allowPrivateAddresses()}). The policy is checked on the
 * addresses connected to, after DNS; a refused destination ends the send at once with
 * {@link DeliveryResult.Failure#ADDRESS_REFUSED}. Through a proxy the policy sees the proxy's address, not the
 * receiver's: the proxy then decides where requests may go.
 *
 * <p>One slow receiver does not hold up the others: at most {@link Builder#maxInFlightPerDestination} sends
 * (default 2) run at once to one scheme, host and port; more wait, queued ones off the sender's threads, until
 * their deadline ({@link Builder#deliveryTimeout}, 5 minutes by default, all attempts and waits included), then
 * end as {@link DeliveryResult.Failure#DESTINATION_BUSY}, which is retryable. {@link #sendAsync} queues on a
 * bounded queue; {@link #shutdown(Duration)} finishes or reports what is pending.
 *
 * <pre>{@code
 * try (WebhookSender sender = WebhookSender.builder().build()) {
 *     DeliveryResult r = sender.send(WebhookRequest.builder(url, payload).signer(WebhookSigner.standard(secret)).build());
 *     if (!r.delivered() && r.retryable()) { ... try again later ... }
 * }
 * }</pre>
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
    private static final int SNIPPET = 1024;

    /** Sleeps between attempts; a seam for this package's tests, not API. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final OkHttpClient http;
    /** Whether {@link #http} shares its dispatcher and pool with a client the caller owns. */
    private final boolean callersClient;
    private final AddressPolicy addressPolicy;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final Duration callTimeout;
    private final Duration deliveryTimeout;
    private final double jitter;
    private final dev.ferry.core.RetryPolicy backoff;
    private final Sleeper sleeper;
    private final Clock clock;
    private final int queueCapacity;
    private final DestinationLimiter limiter;
    private final ThreadPoolExecutor async;
    /** Ends queued sends whose deadline passes while they wait for their destination. */
    private final ScheduledThreadPoolExecutor expiry;
    /** Requests taken by {@link #sendAsync} and not finished; guards {@link #active} and {@link #closed} too. */
    private final List<WebhookRequest> queued = new ArrayList<>();
    /** Futures of {@link #sendAsync} not yet complete. */
    private int active;
    private boolean closed;

    private WebhookSender(Builder b) {
        this.callersClient = b.client != null;
        OkHttpClient base = callersClient ? b.client : new OkHttpClient();
        this.http = base.newBuilder().connectTimeout(b.connectTimeout).readTimeout(b.readTimeout).writeTimeout(b.readTimeout)
                .callTimeout(b.callTimeout).followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false)
                .dns(new PolicyDns(base.dns(), b.addressPolicy)).build();
        this.addressPolicy = b.addressPolicy;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.callTimeout = b.callTimeout;
        this.deliveryTimeout = b.deliveryTimeout;
        this.jitter = b.jitter;
        // The same exponential back-off as uploads use; the sender decides itself which failures are retried.
        this.backoff = dev.ferry.core.RetryPolicy.builder().maxAttempts(Math.max(1, b.maxAttempts)).initialBackoff(b.initialBackoff)
                .maxBackoff(b.maxBackoff).multiplier(2).jitter(b.jitter).build();
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.queueCapacity = b.queueCapacity;
        this.limiter = new DestinationLimiter(b.maxInFlightPerDestination);
        // Unbounded here: sendAsync admits no more than queueCapacity waiting tasks, and a task handed a permit
        // by a send that ended must never be turned away.
        this.async = new ThreadPoolExecutor(b.asyncThreads, b.asyncThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("ferry-webhook-sender"));
        this.async.allowCoreThreadTimeOut(true);
        this.expiry = new ScheduledThreadPoolExecutor(1, daemon("ferry-webhook-expiry"));
        this.expiry.setRemoveOnCancelPolicy(true);
        this.expiry.setKeepAliveTime(30, TimeUnit.SECONDS);
        this.expiry.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A builder with the defaults: public addresses only, 10 s connect, 30 s read, 60 s per call, 5 attempts from
     * 1 s backoff up to 60 s, {@code Retry-After} up to 30 s, 2 sends in flight per destination, 5 minutes per send.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Delivers a webhook on the calling thread, retrying as described, within the {@link Builder#deliveryTimeout}
     * (a wait for the destination included); never throws for HTTP or network failures (see the result).
     */
    public DeliveryResult send(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        long deadline = start + deliveryTimeout.toNanos();
        String key = destination(request);
        try {
            if (!limiter.acquire(key, deliveryTimeout.toNanos())) {
                return busy(request, key, start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.failed(request.id(), List.of(new DeliveryResult.Attempt(1, -1, Duration.ofNanos(System.nanoTime() - start),
                    "interrupted while waiting for a send to " + key + " to end", null)), DeliveryResult.Failure.INTERRUPTED);
        }
        try {
            return attempt(request, deadline);
        } finally {
            release(key);
        }
    }

    /** Scheme, host and port: what the per-destination limit counts by (never the path or query). */
    private static String destination(WebhookRequest request) {
        HttpUrl u = HttpUrl.get(request.url());
        return u.scheme() + "://" + (u.host().contains(":") ? "[" + u.host() + "]" : u.host()) + ":" + u.port();
    }

    private DeliveryResult busy(WebhookRequest request, String key, long start) {
        String why = "nothing was sent: " + key + " already had " + limiter.limit() + " webhook(s) in flight (the limit per destination)"
                + " until this send's deadline (" + deliveryTimeout.toSeconds() + " s); the receiver is slow or down, send it again later";
        LOG.debug("webhook {}: {}", request.id(), why);
        return DeliveryResult.failed(request.id(), List.of(new DeliveryResult.Attempt(1, -1, Duration.ofNanos(System.nanoTime() - start),
                why, null)), DeliveryResult.Failure.DESTINATION_BUSY);
    }

    /** The attempts of one send that holds a permit for its destination, up to {@code deadline} ({@link System#nanoTime}). */
    private DeliveryResult attempt(WebhookRequest request, long deadline) {
        String json = request.payload().toJson();
        byte[] body = request.encoding() == WebhookRequest.Encoding.JSON ? json.getBytes(StandardCharsets.UTF_8)
                : ("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        MediaType type = request.encoding() == WebhookRequest.Encoding.JSON ? JSON : FORM;
        List<DeliveryResult.Attempt> attempts = new ArrayList<>();
        try {
            checkLiteral(HttpUrl.get(request.url()).host());
        } catch (RefusedAddressException e) {
            return refused(request, attempts, 1, 0, e);
        }
        for (int n = 1; n <= maxAttempts; n++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // Only a queued send can get here on its first attempt: it waited out its deadline.
                return DeliveryResult.failed(request.id(), attempts, n == 1 ? DeliveryResult.Failure.DESTINATION_BUSY
                        : DeliveryResult.Failure.UNAVAILABLE);
            }
            long timestamp = clock.instant().getEpochSecond();
            Request.Builder rb = new Request.Builder().url(request.url()).post(RequestBody.create(body, type))
                    .header("User-Agent", "ferry-webhook").header("webhook-id", request.id());
            if (request.signer() != null) {
                for (Map.Entry<String, String> h : request.signer().headers(request.url(), request.id(), timestamp, body, json).entrySet()) {
                    rb.header(h.getKey(), h.getValue());
                }
            }
            long start = System.nanoTime();
            Call call = http.newCall(rb.build());
            // The call timeout shrinks to what is left of the send's deadline (0 would mean none at all).
            call.timeout().timeout(callTimeout.isZero() ? left : Math.min(callTimeout.toNanos(), left), TimeUnit.NANOSECONDS);
            Duration wait;
            try (Response resp = call.execute()) {
                int code = resp.code();
                String snippet = snippet(resp);
                attempts.add(new DeliveryResult.Attempt(n, code, Duration.ofNanos(System.nanoTime() - start), null, snippet));
                LOG.debug("webhook {} attempt {}: HTTP {}", request.id(), n, code);
                if (code >= 200 && code < 300) {
                    return new DeliveryResult(request.id(), true, attempts, null);
                }
                if (!(code >= 500 || code == 408 || code == 429)) {
                    return DeliveryResult.failed(request.id(), attempts, DeliveryResult.Failure.REJECTED);
                }
                wait = retryAfter(resp.header("Retry-After")).orElse(backoff(n));
            } catch (RefusedAddressException e) {
                return refused(request, attempts, n, System.nanoTime() - start, e);
            } catch (IOException e) {
                attempts.add(new DeliveryResult.Attempt(n, -1, Duration.ofNanos(System.nanoTime() - start), e.toString(), null));
                LOG.debug("webhook {} attempt {}: {}", request.id(), n, e.toString());
                wait = backoff(n);
            }
            if (n < maxAttempts) {
                if (System.nanoTime() + wait.toNanos() - deadline > 0) {
                    // Waiting would outlast the deadline only to give up then: give up now, the caller can retry later.
                    LOG.debug("webhook {}: the next attempt in {} would pass the deadline", request.id(), wait);
                    break;
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return DeliveryResult.failed(request.id(), attempts, DeliveryResult.Failure.INTERRUPTED);
                }
            }
        }
        return DeliveryResult.failed(request.id(), attempts, DeliveryResult.Failure.UNAVAILABLE);
    }

    /** Refuses an IP literal the policy does not allow; OkHttp connects to literals without asking its {@code Dns}. */
    private void checkLiteral(String host) throws RefusedAddressException {
        InetAddress literal;
        try {
            literal = AddressPolicy.literal(host);
        } catch (UnknownHostException e) {
            throw RefusedAddressException.badLiteral(e);
        }
        if (literal != null && !addressPolicy.allows(literal)) {
            throw RefusedAddressException.of(host, List.of(literal));
        }
    }

    private static DeliveryResult refused(WebhookRequest request, List<DeliveryResult.Attempt> attempts, int n, long nanos,
            RefusedAddressException e) {
        LOG.debug("webhook {}: {}", request.id(), e.getMessage());
        attempts.add(new DeliveryResult.Attempt(n, -1, Duration.ofNanos(nanos), e.getMessage(), null));
        return DeliveryResult.failed(request.id(), attempts, DeliveryResult.Failure.ADDRESS_REFUSED);
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
        return backoff.backoff(attempt);
    }

    /**
     * Queues a webhook for delivery on the sender's threads. While its destination already has as many sends in
     * flight as allowed, it waits without holding a thread; if its deadline passes meanwhile, it completes with
     * {@link DeliveryResult.Failure#DESTINATION_BUSY}.
     *
     * @return the result when done; completes exceptionally with {@link RejectedExecutionException} if the queue is full
     *         or the sender is shut down
     */
    public CompletableFuture<DeliveryResult> sendAsync(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        Task task = new Task(request, destination(request), System.nanoTime() + deliveryTimeout.toNanos());
        boolean startNow;
        synchronized (queued) {
            int waiting = limiter.waiting() + async.getQueue().size();
            if (closed || waiting >= queueCapacity) {
                task.future.completeExceptionally(new RejectedExecutionException(closed ? "the webhook sender is shut down"
                        : "the webhook queue is full (" + waiting + " waiting)"));
                return task.future;
            }
            queued.add(request);
            active++;
            task.future.whenComplete((r, e) -> {
                synchronized (queued) {
                    active--;
                    queued.notifyAll();
                }
            });
            startNow = limiter.offer(task.key, task);
            if (!startNow) {
                task.timer = expiry.schedule(task::expire, deliveryTimeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (startNow) {
            start(task);
        }
        return task.future;
    }

    /** Runs a task that holds a permit for its destination. */
    private void start(Task task) {
        ScheduledFuture<?> timer = task.timer;
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            async.execute(task);
        } catch (RejectedExecutionException e) { // shut down meanwhile
            task.future.completeExceptionally(new RejectedExecutionException("the webhook sender was shut down before webhook "
                    + task.request.id() + " was sent"));
            release(task.key);
        }
    }

    /** Ends a send to a destination; the first queued send waiting for that destination takes its place. */
    private void release(String key) {
        Runnable next = limiter.release(key);
        if (next != null) {
            start((Task) next);
        }
    }

    /** One queued delivery; a type of its own so that {@link #shutdown} can fail the futures of those it drops. */
    private final class Task implements Runnable {
        final WebhookRequest request;
        final String key;
        /** When the send must be over, from {@link #sendAsync} on ({@link System#nanoTime}). */
        final long deadline;
        final CompletableFuture<DeliveryResult> future = new CompletableFuture<>();
        /** The expiry of a task waiting for its destination, or {@code null}. */
        volatile ScheduledFuture<?> timer;

        Task(WebhookRequest request, String key, long deadline) {
            this.request = request;
            this.key = key;
            this.deadline = deadline;
        }

        /** Sends, holding a permit for {@link #key}. */
        @Override
        public void run() {
            DeliveryResult r = null;
            RuntimeException failure = null;
            try {
                r = System.nanoTime() - deadline >= 0 ? busy(request, key, deadline - deliveryTimeout.toNanos()) : attempt(request, deadline);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                release(key);
            }
            finish(r, failure);
        }

        /** Called when the deadline passes: ends the task if it is still waiting for its destination. */
        void expire() {
            if (limiter.remove(key, this)) {
                finish(busy(request, key, deadline - deliveryTimeout.toNanos()), null);
            }
        }

        private void finish(DeliveryResult r, RuntimeException e) {
            synchronized (queued) {
                queued.remove(request);
            }
            if (e != null) {
                future.completeExceptionally(e);
            } else {
                future.complete(r);
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
        long end = System.nanoTime() + grace.toNanos();
        synchronized (queued) {
            closed = true;
            try {
                for (long left = grace.toNanos(); active > 0 && left > 0; left = end - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(queued, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Runnable> dropped = new ArrayList<>(limiter.stop());
        expiry.shutdownNow();
        List<Runnable> started = async.shutdownNow();
        for (Runnable r : started) {
            release(((Task) r).key); // handed a permit, never ran: give it back for send() on the caller's threads
        }
        dropped.addAll(started);
        try {
            async.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // These never ran and are forgotten now: unless their futures fail here, a caller waiting on future.get()
        // waits for ever.
        for (Runnable r : dropped) {
            Task t = (Task) r;
            t.future.completeExceptionally(new RejectedExecutionException("the webhook sender was shut down before webhook "
                    + t.request.id() + " was sent"));
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
        return "WebhookSender[attempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff + ", " + addressPolicy
                + ", perDestination=" + limiter.limit() + "]";
    }

    /** Builds a {@link WebhookSender}; {@link #build()} checks the options together and the builder can be reused. */
    public static final class Builder {
        private OkHttpClient client;
        private AddressPolicy addressPolicy = AddressPolicy.publicOnly();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration deliveryTimeout = Duration.ofMinutes(5);
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private double jitter = 0.2;
        private int queueCapacity = 1000;
        private int asyncThreads = 4;
        private int maxInFlightPerDestination = 2;
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * A base OkHttp client (shares its connection pool and dispatcher); Ferry's timeouts, redirect rules and
         * address policy are applied on a copy (the policy wraps the client's {@link okhttp3.Dns}).
         * {@link WebhookSender#close()} leaves it working: closing it is the caller's part.
         */
        public Builder client(OkHttpClient c) { this.client = Objects.requireNonNull(c, "client"); return this; }

        /** Which addresses webhooks may go to (default {@link AddressPolicy#publicOnly()}). */
        public Builder addressPolicy(AddressPolicy p) { this.addressPolicy = Objects.requireNonNull(p, "addressPolicy"); return this; }

        /** Also allows loopback addresses ({@code 127.0.0.0/8}, {@code ::1}): a receiver on this machine, e.g. in tests. */
        public Builder allowLoopback() { this.addressPolicy = addressPolicy.allowLoopback(); return this; }

        /**
         * Also allows private (RFC 1918, {@code fc00::/7}) and shared CGNAT ({@code 100.64.0.0/10}) addresses: only for
         * receivers in your own network, never for URLs that customers give (they could reach internal services).
         */
        public Builder allowPrivateAddresses() { this.addressPolicy = addressPolicy.allowPrivateAddresses(); return this; }

        public Builder connectTimeout(Duration d) { this.connectTimeout = Objects.requireNonNull(d, "connectTimeout"); return this; }
        public Builder readTimeout(Duration d) { this.readTimeout = Objects.requireNonNull(d, "readTimeout"); return this; }

        /** The longest one attempt may take, from connecting to the end of the response (default 60 s). */
        public Builder callTimeout(Duration d) { this.callTimeout = Objects.requireNonNull(d, "callTimeout"); return this; }

        /**
         * The longest one send may take, every attempt and wait included, and a wait in line for a busy destination
         * too (default 5 minutes; from {@link WebhookSender#sendAsync} on for queued sends). A wait for a retry that
         * would pass it ends the send at once as {@link DeliveryResult.Failure#UNAVAILABLE}.
         */
        public Builder deliveryTimeout(Duration d) { this.deliveryTimeout = Objects.requireNonNull(d, "deliveryTimeout"); return this; }

        public Builder maxAttempts(int n) { this.maxAttempts = n; return this; }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial backoff");
            this.maxBackoff = Objects.requireNonNull(max, "max backoff");
            return this;
        }

        /** The longest {@code Retry-After} honoured (longer ones are cut to this; default 30 s). */
        public Builder maxRetryAfter(Duration d) { this.maxRetryAfter = Objects.requireNonNull(d, "maxRetryAfter"); return this; }

        public Builder jitter(double j) { this.jitter = j; return this; }

        /** How many {@link WebhookSender#sendAsync} deliveries may wait to start (default 1000); more are refused. */
        public Builder queueCapacity(int n) { this.queueCapacity = n; return this; }

        /** The sender's threads for {@link WebhookSender#sendAsync} (default 4); keep it above {@link #maxInFlightPerDestination}. */
        public Builder asyncThreads(int n) { this.asyncThreads = n; return this; }

        /**
         * How many sends may be in flight at once to one scheme, host and port (default 2), so that a slow receiver
         * holds at most that many of the sender's threads; others to it wait, queued ones without a thread.
         */
        public Builder maxInFlightPerDestination(int n) { this.maxInFlightPerDestination = n; return this; }

        /** For this package's tests: waits between attempts without sleeping. */
        Builder sleeper(Sleeper s) { this.sleeper = Objects.requireNonNull(s, "sleeper"); return this; }

        /** For this package's tests: the time signatures and {@code Retry-After} dates are read against. */
        Builder clock(Clock c) { this.clock = Objects.requireNonNull(c, "clock"); return this; }

        /**
         * Checks the options and builds.
         *
         * @throws IllegalArgumentException naming the first option out of range
         */
        public WebhookSender build() {
            require(maxAttempts >= 1, "maxAttempts must be at least 1");
            require(jitter >= 0 && jitter < 1, "jitter must be from 0 to below 1");
            require(queueCapacity >= 1, "queueCapacity must be at least 1");
            require(asyncThreads >= 1, "asyncThreads must be at least 1");
            require(maxInFlightPerDestination >= 1, "maxInFlightPerDestination must be at least 1");
            require(deliveryTimeout.compareTo(Duration.ZERO) > 0, "deliveryTimeout must be positive");
            for (Duration d : new Duration[] {connectTimeout, readTimeout, callTimeout, initialBackoff, maxBackoff, maxRetryAfter}) {
                require(!d.isNegative(), "timeouts, backoff and maxRetryAfter must not be negative");
            }
            return new WebhookSender(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
