package dev.ferry.s3.internal;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** Fails the requests {@code which} picks (an I/O error before they are sent) until changed. */
    void failWhen(Predicate<Sent> which) {
        this.fail = which;
    }

    List<Sent> of(String operation) {
        return sent.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkHttpRequest r = context.httpRequest();
        Sent s = new Sent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), r.method().name(),
                r.rawQueryParameters(), r.headers());
        sent.add(s);
        if (fail.test(s)) {
            throw new UncheckedIOException(new IOException("injected failure of " + s.operation()
                    + (s.partNumber() != null ? " part " + s.partNumber() : "")));
        }
    }
}
