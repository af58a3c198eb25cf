package dev.ferry.dropbox.internal;

import com.dropbox.core.BadRequestException;
import com.dropbox.core.DbxApiException;
import com.dropbox.core.DbxException;
import com.dropbox.core.InvalidAccessTokenException;
import com.dropbox.core.NetworkIOException;
import com.dropbox.core.RateLimitException;
import com.dropbox.core.RetryException;
import com.dropbox.core.ServerException;
import com.dropbox.core.oauth.DbxOAuthException;
import com.dropbox.core.v2.auth.AuthError;
import com.dropbox.core.v2.files.DeleteErrorException;
import com.dropbox.core.v2.files.GetMetadataErrorException;
import com.dropbox.core.v2.files.UploadErrorException;
import com.dropbox.core.v2.files.UploadSessionFinishErrorException;
import com.dropbox.core.v2.files.WriteError;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;

/** Turns the SDK's exceptions into {@link TransferException}s with a {@link Reason} and a hint naming the API call. */
final class DropboxErrors {
    static final String WRITE_SCOPE = "files.content.write";

    private DropboxErrors() {
    }

    /**
     * @param call the API call, for the message ({@code files/upload_session/append_v2 /in/a.mp4})
     * @param refreshTried whether a refresh of the access token was tried during this call
     */
    static TransferException map(DbxException e, String call, Transcript t, boolean refreshTried) {
        String reply = e.getMessage();
        if (e instanceof InvalidAccessTokenException ia) {
            AuthError a = ia.getAuthError();
            if (a != null && a.isMissingScope()) {
                String scope = a.getMissingScopeValue() == null ? WRITE_SCOPE : a.getMissingScopeValue().getRequiredScope();
                return build(Reason.PERMISSION, "Dropbox refused " + call + ": the app's token lacks the scope " + scope, reply,
                        "enable " + scope + " (uploads need " + WRITE_SCOPE + ") in the app's Permissions tab in the Dropbox "
                                + "App Console, then authorize again for a new refresh token", t, false);
            }
            boolean expired = a != null && a.isExpiredAccessToken();
            return build(Reason.AUTH, "Dropbox refused the access token for " + call + " ("
                    + (expired ? "expired" : "invalid or revoked") + "; " + (refreshTried ? "a refresh was tried and did not help"
                    : "no refresh was tried") + ")", reply, expired && !refreshTried
                    ? "a bare access token lasts 4 hours: give a refresh token and the app key instead"
                    : "authorize the app again for a new refresh token (it may have been revoked in the account's settings)", t, false);
        }
        if (e instanceof DbxOAuthException oa) {
            String err = oa.getDbxOAuthError() == null ? "?" : oa.getDbxOAuthError().getError();
            return build(Reason.AUTH, "Dropbox refused the refresh token (" + err + ") when getting an access token for "
                    + call, reply, "check the app key (and secret, for a confidential app); a revoked refresh token needs the "
                    + "app to be authorized again", t, false);
        }
        if (e instanceof RateLimitException r) {
            return build(Reason.TIMEOUT, "Dropbox kept answering 429 (rate limited) to " + call + "; last wait asked: "
                    + r.getBackoffMillis() + " ms", reply, "many writes to one folder at once contend for its lock: "
                    + "upload fewer files in parallel", t, true);
        }
        if (e instanceof RetryException r) {
            return build(Reason.PROTOCOL, "Dropbox kept answering 503 (unavailable) to " + call, reply,
                    "try again later; see status.dropbox.com", t, true);
        }
        if (e instanceof ServerException) {
            return build(Reason.PROTOCOL, "Dropbox had a server error on " + call, reply,
                    "try again later; quote the request id to Dropbox support if it persists", t, true);
        }
        if (e instanceof NetworkIOException n) {
            return io(n.getCause(), call, t);
        }
        if (e instanceof UploadErrorException u && u.errorValue.isPath()) {
            return write(u.errorValue.getPathValue().getReason(), call, reply, t);
        }
        if (e instanceof UploadErrorException u && u.errorValue.isContentHashMismatch()
                || e instanceof UploadSessionFinishErrorException f && f.errorValue.isContentHashMismatch()) {
            return build(Reason.VERIFY_FAILED, "Dropbox's content hash of " + call + " differs from the source's", reply, null, t, true);
        }
        if (e instanceof UploadSessionFinishErrorException f && f.errorValue.isPath()) {
            return write(f.errorValue.getPathValue(), call, reply, t);
        }
        if (e instanceof UploadSessionFinishErrorException f && f.errorValue.isTooManyWriteOperations()) {
            return build(Reason.PROTOCOL, "Dropbox refused " + call + ": too many write operations", reply,
                    "write-lock contention: upload fewer files to one folder at once", t, true);
        }
        if (e instanceof GetMetadataErrorException g && g.errorValue.isPath() && g.errorValue.getPathValue().isNotFound()) {
            return build(Reason.NOT_FOUND, call + ": not found", reply, null, t, false);
        }
        if (e instanceof DeleteErrorException d && d.errorValue.isPathLookup() && d.errorValue.getPathLookupValue().isNotFound()) {
            return build(Reason.NOT_FOUND, call + ": not found", reply, null, t, false);
        }
        if (e instanceof BadRequestException) {
            return build(Reason.PROTOCOL, "Dropbox refused " + call + " as a bad request", reply,
                    "the app may lack a scope, or this SDK version is too old for the API", t, false);
        }
        if (e instanceof DbxApiException) {
            return build(Reason.PROTOCOL, "Dropbox refused " + call, reply, null, t, false);
        }
        return build(Reason.PROTOCOL, "Dropbox call " + call + " failed", reply, null, t, true);
    }

    /** The reason of a failed write ({@code path/...} errors of upload and finish). */
    static TransferException write(WriteError w, String call, String reply, Transcript t) {
        if (w.isConflict()) {
            return build(Reason.EXISTS, call + ": a file is already there", reply, "choose another name, or the "
                    + "ExistingFile.OVERWRITE or RENAME_UNIQUE policy (CLI: --exists overwrite|rename)", t, false);
        }
        if (w.isInsufficientSpace()) {
            return build(Reason.NO_SPACE, call + ": the Dropbox account has no space left", reply,
                    "free space in the account or upgrade its plan", t, false);
        }
        if (w.isNoWritePermission() || w.isTeamFolder() || w.isAccessRestricted()) {
            return build(Reason.PERMISSION, call + ": no permission to write there", reply,
                    "check the folder's sharing rights, or the app's access (an app-folder app writes in its folder only)", t, false);
        }
        if (w.isMalformedPath() || w.isDisallowedName()) {
            return build(Reason.BAD_INPUT, call + ": Dropbox does not allow this path or name", reply,
                    "avoid names Dropbox refuses (desktop.ini, thumbs.db, trailing dots or spaces)", t, false);
        }
        if (w.isTooManyWriteOperations()) {
            return build(Reason.PROTOCOL, call + ": too many write operations in this namespace", reply,
                    "write-lock contention: upload fewer files to one folder at once", t, true);
        }
        return build(Reason.PROTOCOL, call + ": write failed (" + w.tag() + ")", reply, null, t, false);
    }

    /** A failure of the connection itself. */
    static TransferException io(Throwable cause, String call, Transcript t) {
        String msg = cause == null ? "?" : cause.toString();
        if (cause instanceof SSLHandshakeException && hasCause(cause, CertificateException.class)) {
            return build(Reason.CERTIFICATE, "the certificate of the Dropbox endpoint is not trusted (" + call + ")", msg,
                    "a test server needs its CA in TlsOptions; a proxy that intercepts TLS needs its CA too", t, false);
        }
        if (cause instanceof SSLHandshakeException) {
            return build(Reason.TLS_HANDSHAKE, "the TLS handshake with the Dropbox endpoint failed (" + call + ")", msg, null, t, false);
        }
        if (cause instanceof UnknownHostException) {
            return build(Reason.DNS, "cannot resolve the Dropbox endpoint (" + call + ")", msg, "check DNS and the network", t, true);
        }
        if (cause instanceof ConnectException) {
            return build(Reason.CONNECT, "cannot connect to the Dropbox endpoint (" + call + ")", msg,
                    "check that a firewall or proxy lets HTTPS out", t, true);
        }
        if (cause instanceof SocketTimeoutException) {
            return build(Reason.TIMEOUT, "Dropbox did not answer in time (" + call + ")", msg, null, t, true);
        }
        return build(Reason.DATA_CHANNEL, "the connection broke during " + call, msg,
                "a retry continues the upload session where Dropbox has it", t, true);
    }

    static TransferException io(IOException e, String call, Transcript t) {
        return io((Throwable) e, call, t);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static TransferException build(Reason r, String message, String reply, String hint, Transcript t, boolean retryable) {
        TransferException.Builder b = TransferException.builder(r, message).serverReply(reply).retryable(retryable).transcript(t);
        if (hint != null) {
            b.hint(hint);
        }
        return b.build();
    }
}
