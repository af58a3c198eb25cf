package dev.ferry.sftp.internal;

import java.io.IOException;
import java.util.List;

import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.session.ClientConnectionServiceFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientUserAuthService;
import org.apache.sshd.client.session.ClientUserAuthServiceFactory;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.ServiceFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Ferry's user-auth service: set up with the connection's own {@link GivenCredentials}, and recording
 * the authentication methods the server says "can continue" in its
 * {@code SSH_MSG_USERAUTH_FAILURE} replies (RFC 4252 §5.1), so that a refused login can tell the
 * user what the server would accept (e.g. "publickey" only). MINA's {@link ClientUserAuthService}
 * keeps that list to itself; this subclass reads it before MINA acts on the reply.
 */
final class ServerAuthMethods {
    private ServerAuthMethods() {
    }

    /** The last list the server sent, comma separated as on the wire. */
    static final AttributeKey<String> OFFERED = new AttributeKey<>();

    /** MINA's client service factories, with the user-auth service replaced by the recording one. */
    static List<ServiceFactory> serviceFactories() {
        return List.of(new Factory(), ClientConnectionServiceFactory.INSTANCE);
    }

    /** The methods the server offered, or {@code null} when it never sent a failure reply. */
    static String offered(ClientSession session) {
        return session.getAttribute(OFFERED);
    }

    private static final class Factory extends ClientUserAuthServiceFactory {
        @Override
        public Service create(Session session) throws IOException {
            // MINA makes this service while it constructs the session, and the service reads the session's
            // user-auth methods right then: this is the one place to set them per connection.
            AttributeRepository context = session instanceof ClientSession cs ? cs.getConnectionContext() : null;
            GivenCredentials given = context == null ? null : context.getAttribute(GivenCredentials.KEY);
            if (given == null) {
                throw new IOException("no credentials were given for this SSH connection");
            }
            given.applyTo((ClientSession) session);
            return new Recording(session);
        }
    }

    private static final class Recording extends ClientUserAuthService {
        Recording(Session s) {
            super(s);
        }

        @Override
        protected void processUserAuth(int cmd, Buffer buffer, AuthFuture authFuture) throws Exception {
            if (cmd == SshConstants.SSH_MSG_USERAUTH_FAILURE) {
                int pos = buffer.rpos();
                String methods = buffer.getString();
                buffer.rpos(pos);
                // Before MINA handles the reply: once it gives up, the waiting thread must see the list.
                getClientSession().setAttribute(OFFERED, methods);
            }
            super.processUserAuth(cmd, buffer, authFuture);
        }
    }
}
