package dev.ferry.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The address policy refused every address of a destination. An {@link UnknownHostException} because that is
 * what OkHttp lets a {@link okhttp3.Dns} throw; the sender turns it into a result that is not retried.
 */
final class RefusedAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedAddressException(String message) {
        super(message);
    }

    /** Names the host, its addresses with their classes, and the builder call that would allow each class. */
    static RefusedAddressException of(String host, List<InetAddress> refused) {
        Set<AddressPolicy.AddressClass> classes = new LinkedHashSet<>();
        refused.forEach(a -> classes.add(AddressPolicy.AddressClass.of(a)));
        String addresses = refused.stream().map(a -> a.getHostAddress() + " (" + AddressPolicy.AddressClass.of(a).description() + ")")
                .distinct().collect(Collectors.joining(", "));
        boolean literal = refused.size() == 1 && refused.get(0).getHostAddress().equalsIgnoreCase(host);
        String allow = classes.stream().map(AddressPolicy.AddressClass::howToAllow).distinct().collect(Collectors.joining(" and "));
        return new RefusedAddressException("webhook destination " + host + (literal ? " is " + addresses : " resolves only to " + addresses)
                + ", which the sender's address policy refuses (webhooks go to public addresses unless allowed); if this receiver"
                + " is meant to be there, allow it with " + allow);
    }

    /** A host written as an IP address in a form that is refused rather than guessed at. */
    static RefusedAddressException badLiteral(UnknownHostException e) {
        return new RefusedAddressException("webhook destination refused: " + e.getMessage());
    }
}
