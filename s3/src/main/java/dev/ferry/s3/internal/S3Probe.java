package dev.ferry.s3.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProbeRun;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The connection test of an S3 target: a TCP connection and (for https) a TLS handshake of its own to show the version
 * and certificate; then, through the target's client, a signed listing of the prefix (credentials, bucket, region), a
 * small test object written with its CRC32C, read back by HEAD, and deleted. One instance per test.
 */
final class S3Probe implements ProbeRun.Steps {
    private final S3StorageTarget target;
    private final S3Settings s;
    private final Transcript t;
    private ConnectionInfo seen;
    private S3Client s3;
    private AwsServiceException listRefused;
    private String sentCrc;

    S3Probe(S3StorageTarget target, Transcript t) {
        this.target = target;
        this.s = target.settings();
        this.t = t;
    }

    ProbeReport run() {
        return ProbeRun.run(target.info(), t, this);
    }

    @Override
    public String connect() throws TransferException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(s.serviceHost(), s.servicePort()), timeout());
            return "connected to " + s.serviceHost() + ":" + s.servicePort() + " (" + socket.getInetAddress().getHostAddress() + ")";
        } catch (IOException e) {
            throw TransferException.builder(Reason.CONNECT, "cannot connect to " + s.serviceHost() + ":" + s.servicePort()
                    + ": " + e.getMessage()).cause(e).hint("check the endpoint, and that a firewall lets HTTPS out").build();
        }
    }

    @Override
    public String secure() throws TransferException {
        if (s.isPlainHttp()) {
            seen = ConnectionInfo.plain("S3 " + s.serviceHost());
            return "none: plain HTTP, as set in code (insecurePlainHttpEndpoint); data and signatures travel in clear";
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, target.trustManagersForProbe(), null);
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress(s.serviceHost(), s.servicePort()), timeout());
                raw.setSoTimeout(timeout());
                try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, s.serviceHost(), s.servicePort(), false)) {
                    SSLParameters params = tls.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS"); // as the HTTPS client checks the name
                    if (!s.serviceHost().matches("[0-9.:]+")) {
                        params.setServerNames(List.of(new SNIHostName(s.serviceHost())));
                    }
                    tls.setSSLParameters(params);
                    tls.startHandshake();
                    SSLSession session = tls.getSession();
                    Certificate[] chain = session.getPeerCertificates();
                    X509Certificate leaf = (X509Certificate) chain[0];
                    String fp = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
                    seen = new ConnectionInfo(session.getProtocol(), session.getCipherSuite(), fp, "S3 " + s.serviceHost());
                    return session.getProtocol() + " " + session.getCipherSuite() + "; certificate " + leaf.getSubjectX500Principal()
                            + " issued by " + leaf.getIssuerX500Principal() + ", " + fp;
                }
            }
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw TransferException.builder(Reason.CERTIFICATE, "the TLS handshake with " + s.serviceHost() + " failed: "
                    + e.getMessage()).cause(e).hint("for a private CA, give it with TlsOptions.builder().trustCertificate(...)").build();
        } catch (IOException | GeneralSecurityException e) {
            throw TransferException.builder(Reason.TLS_HANDSHAKE, "TLS with " + s.serviceHost() + " failed: " + e.getMessage())
                    .cause(e).build();
        }
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return seen;
    }

    @Override
    public String login() throws TransferException {
        s3 = target.client();
        String who = target.defaultCredentials() ? "credentials from the SDK's default chain"
                : "access key " + target.config().credentials().username();
        try {
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(s.bucket()).prefix(s.prefix()).maxKeys(1)
                    .overrideConfiguration(attributes()));
            return who + " accepted; " + (r.keyCount() == null ? 0 : r.keyCount()) + "+ objects under the prefix";
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if ("AccessDenied".equals(code)) {
                // The signature was checked before the refusal: the credentials are good; listing is not needed to upload.
                listRefused = e;
                return who + " accepted (the signature is valid; s3:ListBucket is not granted, which uploads do not need)";
            }
            if (e.statusCode() == 404 || e.statusCode() == 301 || "AuthorizationHeaderMalformed".equals(code)) {
                listRefused = e;
                return who + " used; the bucket is checked next";
            }
            throw S3Errors.of(e, "ListObjectsV2", "s3://" + s.bucket() + "/" + s.prefix(), s, t);
        } catch (SdkException e) {
            throw S3Errors.of(e, "ListObjectsV2", "s3://" + s.bucket() + "/" + s.prefix(), s, t);
        }
    }

    @Override
    public String directory() throws TransferException {
        if (listRefused != null && !"AccessDenied".equals(listRefused.awsErrorDetails().errorCode())) {
            throw S3Errors.of(listRefused, "ListObjectsV2", "s3://" + s.bucket() + "/" + s.prefix(), s, t);
        }
        String region = listRefused == null ? "region " + s.region() : "region not shown without s3:ListBucket";
        return "bucket " + s.bucket() + " (" + region + "), prefix '" + s.prefix() + "' (S3 has no directories to create)";
    }

    @Override
    public String upload(String name, byte[] content) throws TransferException {
        CRC32C crc = new CRC32C();
        crc.update(content);
        sentCrc = Checksums.crc32cBase64((int) crc.getValue());
        try {
            s3.putObject(b -> b.bucket(s.bucket()).key(s.prefix() + name).contentType("text/plain")
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).overrideConfiguration(attributes()), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw S3Errors.of(e, "PutObject", "s3://" + s.bucket() + "/" + s.prefix() + name, s, t);
        }
        return "stored " + s.prefix() + name + " (" + content.length + " bytes, CRC32C " + sentCrc + ")";
    }

    @Override
    public String verify(String name, long expectedSize) throws TransferException {
        HeadObjectResponse r;
        try {
            r = s3.headObject(b -> b.bucket(s.bucket()).key(s.prefix() + name).checksumMode(ChecksumMode.ENABLED)
                    .overrideConfiguration(attributes()));
        } catch (SdkException e) {
            throw S3Errors.of(e, "HeadObject", "s3://" + s.bucket() + "/" + s.prefix() + name, s, t);
        }
        if (r.contentLength() == null || r.contentLength() != expectedSize) {
            throw TransferException.builder(Reason.VERIFY_FAILED, "the test object has " + r.contentLength()
                    + " bytes on the server instead of " + expectedSize).build();
        }
        if (r.checksumCRC32C() != null) {
            if (!r.checksumCRC32C().equals(sentCrc)) {
                throw TransferException.builder(Reason.VERIFY_FAILED, "the test object's CRC32C is " + r.checksumCRC32C()
                        + " on the server, " + sentCrc + " was sent").build();
            }
            return "size " + expectedSize + " and CRC32C " + sentCrc + " as sent";
        }
        return "size " + expectedSize + " as sent (the server keeps no CRC32C; ETag " + r.eTag() + ")";
    }

    @Override
    public boolean testFileMayExist(String name) {
        return s3 != null; // a PUT whose answer was lost may have stored it
    }

    @Override
    public String delete(String name, boolean uploaded) throws TransferException {
        try {
            s3.deleteObject(b -> b.bucket(s.bucket()).key(s.prefix() + name).overrideConfiguration(attributes()));
        } catch (SdkException e) {
            TransferException te = S3Errors.of(e, "DeleteObject", "s3://" + s.bucket() + "/" + s.prefix() + name, s, t);
            throw te.toBuilder().hint("the test object " + s.prefix() + name + " may be left in bucket " + s.bucket()
                    + " (remove it by hand, or grant s3:DeleteObject)").build();
        }
        return "deleted " + s.prefix() + name;
    }

    @Override
    public String quit() {
        return "done (S3 has no session to end; the target's HTTP connections close with it)";
    }

    private int timeout() {
        return (int) Math.min(Integer.MAX_VALUE, target.config().connectTimeout().toMillis());
    }

    private AwsRequestOverrideConfiguration attributes() {
        return AwsRequestOverrideConfiguration.builder().putExecutionAttribute(TranscriptInterceptor.TRANSCRIPT, t).build();
    }
}
