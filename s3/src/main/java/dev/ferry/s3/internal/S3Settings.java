package dev.ferry.s3.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProviderParameters;
import dev.ferry.s3.S3Encryption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The S3 provider's options, validated once by {@link #of} for both sources: the target URI's query
 * ({@link #from(TargetConfig)}) and {@link dev.ferry.s3.S3Target.Builder}. A plain-HTTP endpoint is never taken from a
 * URI (it sends every byte and the request signatures in clear); only code can ask for one
 * ({@link #withPlainHttpEndpoint(URI)}).
 *
 * @param bucket the bucket, validated
 * @param prefix the key prefix: empty, or ending with '/'
 * @param region the signing region
 * @param endpoint an S3-compatible endpoint, or {@code null} for AWS
 * @param pathStyle {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}
 * @param storageClass a storage class, or {@code null} for the bucket's default
 * @param acl a canned ACL, or {@code null} for none
 * @param encryption server-side encryption
 * @param metadata user metadata for every object ({@code x-amz-meta-*})
 * @param multipartThreshold files of this size and larger go by multipart upload
 * @param partSize the smallest part size (raised so a file fits in {@link #MAX_PARTS} parts)
 * @param partsInFlight how many parts of one file are sent at once
 * @param interceptors extra SDK interceptors (tests watch the requests with them); never from a URI
 */
public record S3Settings(String bucket, String prefix, String region, URI endpoint, boolean pathStyle, String storageClass,
                         String acl, S3Encryption encryption, Map<String, String> metadata, long multipartThreshold,
                         long partSize, int partsInFlight, List<ExecutionInterceptor> interceptors) {
    /** S3's smallest part (except the last). */
    public static final long MIN_PART = 5L << 20;
    /** S3's largest part. */
    public static final long MAX_PART = 5L << 30;
    /** S3's most parts of one upload. */
    public static final int MAX_PARTS = 10_000;
    /** S3's largest object. */
    public static final long MAX_OBJECT = 5L << 40;
    /** The platform's rule: files above 100 MiB go by multipart upload. */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 100L << 20;
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;
    public static final String DEFAULT_REGION = "us-east-1";
    /** S3's limit on a key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{2,40}");
    private static final Pattern META_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
    private static final Set<String> KNOWN = Set.of("region", "endpoint", "path-style", "storage-class", "acl", "sse",
            "sse-kms-key-id", "multipart-threshold", "part-size", "parts-in-flight");
    private static final String OPTIONS = "region, endpoint (https), path-style, storage-class, acl, sse (AES256 or aws:kms), "
            + "sse-kms-key-id, meta.NAME, multipart-threshold, part-size, parts-in-flight";

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(encryption, "encryption");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        interceptors = List.copyOf(interceptors);
    }

    /**
     * Reads the options from the configuration: the URI's host is the bucket, its path the key prefix, its query the
     * options (read through {@link ProviderParameters}, then checked by {@link #of}, as the builder's are).
     *
     * @throws TransferException {@code BAD_INPUT} naming the option that is wrong
     */
    public static S3Settings from(TargetConfig config) throws TransferException {
        ProviderParameters p = ProviderParameters.of(config, "S3", OPTIONS);
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : config.properties().entrySet()) {
            if (e.getKey().startsWith("meta.")) {
                meta.put(e.getKey().substring(5), e.getValue().strip());
            } else if (!KNOWN.contains(e.getKey())) {
                throw p.invalid("unknown option '" + e.getKey() + "'");
            }
        }
        return of(config, p.get("region", v -> v, DEFAULT_REGION), p.get("endpoint", v -> v, null),
                p.get("path-style", S3Settings::bool, false), p.get("storage-class", v -> v, null), p.get("acl", v -> v, null),
                encryption(p.get("sse", v -> v, null), p.get("sse-kms-key-id", v -> v, null)), meta,
                p.get("multipart-threshold", S3Settings::bytes, DEFAULT_MULTIPART_THRESHOLD),
                p.get("part-size", S3Settings::bytes, DEFAULT_PART_SIZE),
                p.get("parts-in-flight", S3Settings::bytes, (long) DEFAULT_PARTS_IN_FLIGHT));
    }

    /**
     * Checks the S3 options, from a URI or from {@code S3Target.Builder} alike, against the bucket (the configuration's
     * host) and key prefix (its base directory).
     *
     * @param endpoint an https endpoint of S3-compatible storage, or {@code null} for AWS
     * @param storageClass {@code null} for the bucket's default
     * @param acl {@code null} for none
     * @throws TransferException {@code BAD_INPUT} naming the option that is wrong
     */
    public static S3Settings of(TargetConfig config, String region, String endpoint, boolean pathStyle, String storageClass,
                                String acl, S3Encryption encryption, Map<String, String> metadata, long multipartThreshold,
                                long partSize, long partsInFlight) throws TransferException {
        String bucket = validBucket(config.host());
        String base = config.baseDirectory().toString();
        String prefix = base.equals("/") ? "" : base.substring(1) + "/";
        validKey(prefix + "x");
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            meta.put(validMetaName(e.getKey()), validMetaValue("meta." + e.getKey(), e.getValue()));
        }
        return new S3Settings(bucket, prefix, validRegion(region), endpoint == null ? null : validEndpoint(endpoint, false),
                pathStyle,
                storageClass == null ? null : validStorageClass(storageClass), acl == null ? null : validAcl(acl),
                encryption, meta, range("multipart-threshold", multipartThreshold, MIN_PART, MAX_OBJECT),
                range("part-size", partSize, MIN_PART, MAX_PART), (int) range("parts-in-flight", partsInFlight, 1, 16),
                List.of());
    }

    /** These settings with an {@code http://} endpoint: only ever from code, as it sends everything in clear. */
    public S3Settings withPlainHttpEndpoint(URI plain) throws TransferException {
        return new S3Settings(bucket, prefix, region, validEndpoint(Objects.requireNonNull(plain, "endpoint").toString(), true),
                pathStyle, storageClass, acl, encryption, metadata, multipartThreshold, partSize, partsInFlight, interceptors);
    }

    /** These settings with extra SDK interceptors. */
    public S3Settings withInterceptors(List<ExecutionInterceptor> extra) {
        List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
        all.addAll(extra);
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, storageClass, acl, encryption, metadata,
                multipartThreshold, partSize, partsInFlight, all);
    }

    /** The host the SDK sends requests to. */
    public String serviceHost() {
        String host = endpoint != null ? endpoint.getHost() : "s3." + region + ".amazonaws.com";
        return pathStyle ? host : bucket + "." + host;
    }

    /** The port the SDK sends requests to. */
    public int servicePort() {
        if (endpoint != null && endpoint.getPort() > 0) {
            return endpoint.getPort();
        }
        return isPlainHttp() ? 80 : 443;
    }

    public boolean isPlainHttp() {
        return endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme());
    }

    /** The object's URL, without any secret: what results and webhooks report. */
    public String objectUrl(String key) {
        StringBuilder path = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        String scheme = isPlainHttp() ? "http" : "https";
        String host = endpoint != null ? endpoint.getHost() : "s3." + region + ".amazonaws.com";
        String port = endpoint != null && endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "";
        return pathStyle ? scheme + "://" + host + port + "/" + bucket + path
                : scheme + "://" + bucket + "." + host + port + path;
    }

    /**
     * Checks a whole object key: at most {@value #MAX_KEY_BYTES} UTF-8 bytes, no control characters (S3's XML
     * replies cannot carry them). The core path rules (no {@code ..}, CR, LF, NUL) were applied before.
     */
    public static String validKey(String key) throws TransferException {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw bad("the S3 key " + key.substring(0, Math.min(key.length(), 80)) + "... is longer than " + MAX_KEY_BYTES
                    + " bytes", "shorten the prefix or the file's path");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw bad("the S3 key " + key.replaceAll("\\p{Cntrl}", "?") + " contains a control character",
                        "remove control characters from the path");
            }
        }
        return key;
    }

    /** S3's bucket naming rules (general purpose buckets), so a typo fails before any request. */
    public static String validBucket(String name) throws TransferException {
        String hint = "bucket names have 3-63 characters: lower-case letters, digits, dots and hyphens, beginning and "
                + "ending with a letter or digit (s3://BUCKET/prefix)";
        if (name == null || !BUCKET.matcher(name).matches()) {
            throw bad("invalid S3 bucket name '" + name + "'", hint);
        }
        if (name.contains("..") || name.contains(".-") || name.contains("-.") || IPV4.matcher(name).matches()
                || name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias")
                || name.endsWith("--ol-s3")) {
            throw bad("invalid S3 bucket name '" + name + "'", hint + "; not like an IP address, no '..', and no reserved "
                    + "prefix (xn--, sthree-) or suffix (-s3alias, --ol-s3)");
        }
        return name;
    }

    public static String validRegion(String region) throws TransferException {
        if (!REGION.matcher(region).matches()) {
            throw bad("invalid S3 region '" + region + "'", "a region looks like us-east-1 or eu-central-1");
        }
        return region;
    }

    /** An endpoint URI: https (or http when {@code allowPlain}), a host, an optional port, nothing else. */
    public static URI validEndpoint(String text, boolean allowPlain) throws TransferException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad("invalid S3 endpoint '" + text + "': " + e.getReason(), "use https://host[:port]");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && !allowPlain) {
            throw bad("the S3 endpoint " + text + " is plain HTTP, which a target URI may not ask for: it would send the "
                    + "data and the request signatures in clear", "use an https:// endpoint, or (in code only) "
                    + "S3Target.Builder.insecurePlainHttpEndpoint");
        }
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw bad("invalid S3 endpoint '" + text + "'", "use https://host[:port], with no path, user or query");
        }
        return uri;
    }

    public static String validStorageClass(String v) throws TransferException {
        String upper = v.toUpperCase(Locale.ROOT);
        if (StorageClass.fromValue(upper) == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw bad("unknown S3 storage class '" + v + "'", "one of " + StorageClass.knownValues());
        }
        return upper;
    }

    public static String validAcl(String v) throws TransferException {
        String lower = v.toLowerCase(Locale.ROOT);
        if (ObjectCannedACL.fromValue(lower) == ObjectCannedACL.UNKNOWN_TO_SDK_VERSION) {
            throw bad("unknown S3 canned ACL '" + v + "'", "one of " + ObjectCannedACL.knownValues()
                    + " (bucket-owner-full-control for a bucket of another account)");
        }
        return lower;
    }

    public static String validMetaName(String name) throws TransferException {
        if (!META_NAME.matcher(name).matches()) {
            throw bad("invalid S3 metadata name '" + name + "'", "use letters, digits and - _ .");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    public static String validMetaValue(String name, String value) throws TransferException {
        if (value.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw bad("the S3 metadata " + name + " must be printable ASCII", "encode other characters first");
        }
        return value;
    }

    private static S3Encryption encryption(String sse, String kmsKey) throws TransferException {
        if (sse == null || sse.isEmpty()) {
            if (kmsKey != null) {
                throw bad("sse-kms-key-id is set but sse is not aws:kms", "add sse=aws:kms");
            }
            return S3Encryption.bucketDefault();
        }
        switch (sse.toLowerCase(Locale.ROOT)) {
            case "aes256", "sse-s3" -> {
                if (kmsKey != null) {
                    throw bad("sse-kms-key-id needs sse=aws:kms, not " + sse, "use sse=aws:kms");
                }
                return S3Encryption.s3Managed();
            }
            case "aws:kms", "sse-kms" -> {
                try {
                    return kmsKey == null || kmsKey.isEmpty() ? S3Encryption.kms() : S3Encryption.kms(kmsKey);
                } catch (IllegalArgumentException e) {
                    throw bad("invalid sse-kms-key-id: " + e.getMessage(), null);
                }
            }
            default -> throw bad("unknown sse '" + sse + "'", "sse=AES256 (SSE-S3) or sse=aws:kms (SSE-KMS)");
        }
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static long bytes(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
    }

    private static long range(String k, long n, long min, long max) throws TransferException {
        if (n < min || n > max) {
            throw bad("the S3 option " + k + " must be from " + min + " to " + max + ", not " + n, null);
        }
        return n;
    }

    static TransferException bad(String message, String hint) {
        return TransferException.builder(Reason.BAD_INPUT, message).hint(hint).build();
    }
}
