package dev.ferry.s3.internal;

import dev.ferry.core.spi.Transcript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Writes one transcript line per HTTP request and one per response: the operation, method, bucket-relative path, and
 * then the status and S3's request ids. Built only from those fields, never from headers or the query string, so no
 * {@code Authorization} header, signature (a presigned query) or security token can reach a transcript or the log.
 * The transcript of a call travels in the request's execution attribute {@link #TRANSCRIPT}.
 */
final class TranscriptInterceptor implements ExecutionInterceptor {
    /** The transcript a request's lines go to. */
    static final ExecutionAttribute<Transcript> TRANSCRIPT = new ExecutionAttribute<>("ferry.transcript");

    private static final Logger LOG = LoggerFactory.getLogger(TranscriptInterceptor.class);

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkHttpRequest r = context.httpRequest();
        String line = operation(attributes) + ": " + r.method() + " " + r.encodedPath() + query(r)
                + r.firstMatchingHeader("Content-Length").map(n -> " (" + n + " bytes)").orElse("");
        Transcript t = attributes.getAttribute(TRANSCRIPT);
        if (t != null) {
            t.sent(line);
        }
        LOG.debug("> {}", line);
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        SdkHttpResponse r = context.httpResponse();
        String line = r.statusCode() + (r.statusText().map(s -> " " + s).orElse("")) + " to " + operation(attributes)
                + r.firstMatchingHeader("x-amz-request-id").map(id -> ", request id " + id).orElse("")
                + r.firstMatchingHeader("x-amz-id-2").map(id -> ", host id " + abbreviate(id)).orElse("");
        Transcript t = attributes.getAttribute(TRANSCRIPT);
        if (t != null) {
            t.received(line);
        }
        LOG.debug("< {}", line);
    }

    private static String operation(ExecutionAttributes attributes) {
        String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return op == null ? "S3" : op;
    }

    /**
     * The query's parameter names that say what a request is ({@code ?uploads}, {@code ?partNumber=3&uploadId=...}),
     * never a presigned URL's signature or credential parameters.
     */
    private static String query(SdkHttpRequest r) {
        StringBuilder q = new StringBuilder();
        r.rawQueryParameters().forEach((name, values) -> {
            if (name.startsWith("X-Amz-") || name.startsWith("x-amz-") || name.equalsIgnoreCase("Signature")
                    || name.equalsIgnoreCase("AWSAccessKeyId")) {
                return;
            }
            String v = values.isEmpty() || values.get(0) == null ? "" : "=" + abbreviate(values.get(0));
            q.append(q.length() == 0 ? "?" : "&").append(name).append(v);
        });
        return q.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 20) + "..." : s;
    }
}
