package dev.ferry.s3.internal;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records every HTTP request the SDK sends (operation, query and headers, as they go on the wire), and fails those a
 * test picks: S3Proxy does not check multipart checksums, so the tests check the requests themselves.
 */
final class RecordingInterceptor implements ExecutionInterceptor {
    record Sent(String operation, String method, Map<String, List<String>> query, Map<String, List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }

        Integer partNumber() {
            List<String> v = query.get("partNumber");
            return v == null ? null : Integer.valueOf(v.get(0));
        }
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile Predicate<Sent> fail = s -> false;

    /** Breaks off the request bodies {@code which} picks, asked at each attempt, until changed. */
    void failWhen(Predicate<Sent> which) {
        this.fail = which;
    }

    List<Sent> of(String operation) {
        return sent.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkHttpRequest r = context.httpRequest();
        sent.add(new Sent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), r.method().name(),
                r.rawQueryParameters(), r.headers()));
    }

    /**
     * A body that breaks off after 64 KiB, like a connection reset, in each attempt the test picks: the SDK sees an I/O
     * error in transmission, as from the network, and retries it as such.
     */
    @Override
    public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        Optional<RequestBody> body = context.requestBody();
        if (body.isEmpty()) {
            return body;
        }
        SdkHttpRequest r = context.httpRequest();
        Sent request = new Sent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), r.method().name(),
                r.rawQueryParameters(), r.headers());
        RequestBody original = body.get();
        ContentStreamProvider breaking = () -> {
            InputStream in = original.contentStreamProvider().newStream();
            if (!fail.test(request)) {
                return in;
            }
            return new FilterInputStream(in) {
                private long read;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (read >= 64 * 1024) {
                        throw new IOException("injected failure of " + request.operation()
                                + (request.partNumber() != null ? " part " + request.partNumber() : ""));
                    }
                    int n = super.read(b, off, (int) Math.min(len, 64 * 1024 - read));
                    read += Math.max(n, 0);
                    return n;
                }
            };
        };
        return Optional.of(RequestBody.fromContentProvider(breaking, original.optionalContentLength().orElse(-1L),
                original.contentType()));
    }
}
