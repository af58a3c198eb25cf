package dev.ferry.ftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;

/**
 * A logged-in FTP session of the pool; each file is uploaded by an {@link FtpUploader}. It replaces its control
 * connection by itself when the server cannot resume more data connections on it (see {@link FtpStorageTarget}); the
 * pool sees one session throughout. Not thread-safe: used by one thread at a time.
 */
final class FtpSession implements AbstractStorageTarget.Session {
    private final FtpStorageTarget target;
    private FtpConnection conn;

    private FtpSession(FtpStorageTarget target, FtpConnection conn) {
        this.target = target;
        this.conn = conn;
    }

    static FtpSession open(FtpStorageTarget target, Transcript t) throws TransferException {
        return new FtpSession(target, target.openConnection(t));
    }

    @Override
    public UploadResult upload(PreparedUpload p, Transcript t) throws TransferException {
        conn.useTranscript(t);
        int limit = target.transfersPerConnection(conn);
        if (limit > 0 && conn.transfers() >= limit) {
            t.note("reconnecting: this server resumed only " + limit + " data connection(s) per control connection here");
            reconnect(t);
        }
        try {
            return new FtpUploader(target, conn, t).upload(p);
        } catch (DataTransfer.Failure refused) {
            t.note(reuseRefusalNote(refused.reuseChange()));
            reconnect(t);
            try {
                return new FtpUploader(target, conn, t).upload(p);
            } catch (DataTransfer.Failure again) {
                throw again.error();
            }
        }
    }

    private String reuseRefusalNote(FtpStorageTarget.ReuseChange change) {
        return switch (change) {
            case TO_TLS_1_2 -> "the server refused to resume the TLS 1.3 session after " + conn.transfers()
                    + " data connection(s) on this control connection (it sent no new session ticket): this target "
                    + "uses TLS 1.2 from now on, which resumes by session ID without that limit; reconnecting and continuing";
            case BACK_TO_TLS_1_3 -> "the server did not resume the TLS 1.2 session either: this target goes back "
                    + "to TLS 1.3 and opens a new control connection whenever one has resumed as many data connections "
                    + "as the server allows; reconnecting and continuing";
            case NONE -> "the server refused to resume the TLS session after " + conn.transfers()
                    + " data connection(s) on this control connection (it sent no new session ticket); reconnecting and "
                    + "continuing";
        };
    }

    private void reconnect(Transcript t) throws TransferException {
        conn.close();
        conn = target.openConnection(t);
    }

    @Override
    public boolean isUsable(Transcript transcript) {
        conn.useTranscript(transcript);
        // While the session sat in the pool its directory may have been removed: change into it again.
        conn.forgetWorkingDirectory();
        return conn.isOpen() && conn.noop();
    }

    @Override
    public boolean isOpen() {
        return conn.isOpen();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return conn.info();
    }

    @Override
    public void close() {
        conn.close();
    }
}
