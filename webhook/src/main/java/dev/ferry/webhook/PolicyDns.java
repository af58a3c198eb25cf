package dev.ferry.webhook;

import okhttp3.Dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves with the client's own {@link Dns}, then keeps only the addresses the policy allows. OkHttp connects to
 * exactly what this returns, so the check and the connection use the same answer (no DNS rebinding between them).
 * IP literals never come here (OkHttp does not look them up): the sender checks those itself.
 */
final class PolicyDns implements Dns {
    private final Dns base;
    private final AddressPolicy policy;

    PolicyDns(Dns base, AddressPolicy policy) {
        this.base = base;
        this.policy = policy;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        List<InetAddress> all = base.lookup(hostname);
        List<InetAddress> allowed = new ArrayList<>();
        List<InetAddress> refused = new ArrayList<>();
        for (InetAddress a : all) {
            (policy.allows(a) ? allowed : refused).add(a);
        }
        if (allowed.isEmpty() && !refused.isEmpty()) {
            throw RefusedAddressException.of(hostname, refused);
        }
        return allowed.isEmpty() ? all : allowed;
    }
}
