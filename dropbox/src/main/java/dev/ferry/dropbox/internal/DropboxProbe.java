package dev.ferry.dropbox.internal;

import com.dropbox.core.DbxException;
import com.dropbox.core.v2.DbxClientV2;
import com.dropbox.core.v2.files.FileMetadata;
import com.dropbox.core.v2.files.FolderMetadata;
import com.dropbox.core.v2.files.GetMetadataErrorException;
import com.dropbox.core.v2.files.Metadata;
import com.dropbox.core.v2.files.WriteMode;
import com.dropbox.core.v2.users.FullAccount;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProbeRun;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The connection test of a Dropbox target: a TCP connection and a TLS handshake of its own (to show the TLS version),
 * then through the SDK the account the token belongs to, the folder (created if missing), a small test file written,
 * its content hash compared, and deleted. One instance per test.
 */
final class DropboxProbe implements ProbeRun.Steps {
    private final DropboxStorageTarget target;
    private final Transcript t;
    private final String host;
    private final int port;
    private final String base;
    private ConnectionInfo seen;
    private DbxClientV2 client;
    private String sentHash;

    DropboxProbe(DropboxStorageTarget target, Transcript t) {
        this.target = target;
        this.t = t;
        this.host = target.settings().apiUrl().getHost();
        this.port = target.settings().apiPort();
        this.base = target.config().baseDirectory().toString();
    }

    ProbeReport run() {
        return ProbeRun.run(target.info(), t, this);
    }

    private int timeout() {
        return (int) Math.min(Integer.MAX_VALUE, target.config().connectTimeout().toMillis());
    }

    @Override
    public String connect() throws TransferException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeout());
            return "connected to " + host + ":" + port + " (" + s.getInetAddress().getHostAddress() + ")";
        } catch (IOException e) {
            throw DropboxErrors.io(e, "connect to " + host + ":" + port, t);
        }
    }

    @Override
    public String secure() throws TransferException {
        SSLSocketFactory f = target.socketsForProbe() != null ? target.socketsForProbe()
                : (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), timeout());
            raw.setSoTimeout(timeout());
            try (SSLSocket s = (SSLSocket) f.createSocket(raw, host, port, false)) {
                javax.net.ssl.SSLParameters params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                s.startHandshake();
                seen = new ConnectionInfo(s.getSession().getProtocol(), s.getSession().getCipherSuite(), null,
                        "Dropbox API " + host);
                return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite() + ", certificate valid for " + host;
            }
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw DropboxErrors.io(e, "TLS handshake with " + host, t);
        } catch (IOException e) {
            throw DropboxErrors.io(e, "TLS handshake with " + host, t);
        }
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return seen;
    }

    @Override
    public String login() throws TransferException {
        DropboxHttp http = target.newHttp();
        http.transcript(t);
        client = target.newClient(http);
        try {
            FullAccount a = client.users().getCurrentAccount();
            // Names and ids only: the token and the refresh token never appear.
            return "logged in as " + a.getName().getDisplayName() + " <" + a.getEmail() + "> (" + a.getAccountId() + ", "
                    + a.getAccountType().toString().replace("\"", "") + (target.canRefresh() ? ", refresh token" : ", access token") + ")";
        } catch (DbxException e) {
            throw DropboxErrors.map(e, "users/get_current_account", t, false);
        }
    }

    @Override
    public String directory() throws TransferException {
        if ("/".equals(base)) {
            return "the root of the Dropbox (or of the app's folder), which always exists";
        }
        try {
            Metadata m = client.files().getMetadata(base);
            if (m instanceof FolderMetadata) {
                return base + " exists";
            }
            throw TransferException.builder(Reason.BAD_INPUT, base + " is a file, not a folder").transcript(t).build();
        } catch (GetMetadataErrorException e) {
            if (!(e.errorValue.isPath() && e.errorValue.getPathValue().isNotFound())) {
                throw DropboxErrors.map(e, "files/get_metadata " + base, t, false);
            }
        } catch (DbxException e) {
            throw DropboxErrors.map(e, "files/get_metadata " + base, t, false);
        }
        try {
            client.files().createFolderV2(base);
            return base + " created";
        } catch (DbxException e) {
            throw DropboxErrors.map(e, "files/create_folder_v2 " + base, t, false);
        }
    }

    private String path(String name) {
        return ("/".equals(base) ? "" : base) + "/" + name;
    }

    @Override
    public String upload(String name, byte[] content) throws TransferException {
        sentHash = ContentHash.of(content);
        try {
            FileMetadata f = client.files().uploadBuilder(path(name)).withMode(WriteMode.ADD)
                    .uploadAndFinish(new ByteArrayInputStream(content));
            return "wrote " + f.getPathDisplay() + " (" + f.getSize() + " bytes)";
        } catch (DbxException e) {
            throw DropboxErrors.map(e, "files/upload " + path(name), t, false);
        } catch (IOException e) {
            throw DropboxErrors.io(e, "files/upload " + path(name), t);
        }
    }

    @Override
    public String verify(String name, long expectedSize) throws TransferException {
        try {
            Metadata m = client.files().getMetadata(path(name));
            if (!(m instanceof FileMetadata f) || f.getSize() != expectedSize || !sentHash.equals(f.getContentHash())) {
                throw TransferException.builder(Reason.VERIFY_FAILED, path(name) + " on Dropbox is not what was sent (" + expectedSize
                        + " bytes, content_hash " + sentHash + ")").serverReply(String.valueOf(m)).transcript(t).build();
            }
            return "content_hash " + f.getContentHash() + " and size " + f.getSize() + " match";
        } catch (DbxException e) {
            throw DropboxErrors.map(e, "files/get_metadata " + path(name), t, false);
        }
    }

    @Override
    public boolean testFileMayExist(String name) {
        return client != null;
    }

    @Override
    public String delete(String name, boolean uploaded) throws TransferException {
        try {
            client.files().deleteV2(path(name));
            return "deleted " + path(name);
        } catch (DbxException e) {
            TransferException x = DropboxErrors.map(e, "files/delete_v2 " + path(name), t, false);
            if (!uploaded && x.reason() == Reason.NOT_FOUND) {
                return "nothing to delete: the upload left no file";
            }
            throw x.toBuilder().hint("delete " + path(name) + " by hand").build();
        }
    }

    @Override
    public String quit() {
        return "nothing to close: Dropbox's API is stateless HTTPS";
    }
}
