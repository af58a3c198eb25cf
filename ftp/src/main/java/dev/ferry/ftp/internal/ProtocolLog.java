package dev.ferry.ftp.internal;

import dev.ferry.core.spi.Transcript;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.slf4j.Logger;

import java.util.function.Supplier;

/** Writes each command sent and each reply line received to the transcript and the DEBUG log, secrets masked. */
final class ProtocolLog implements ProtocolCommandListener {
    private final SecretMask secrets;
    private final Supplier<Transcript> transcript;
    private final Logger log;

    /** @param transcript the connection's transcript now (a pooled connection serves several batches) */
    ProtocolLog(SecretMask secrets, Supplier<Transcript> transcript, Logger log) {
        this.secrets = secrets;
        this.transcript = transcript;
        this.log = log;
    }

    @Override
    public void protocolCommandSent(ProtocolCommandEvent event) {
        String line = secrets.mask(Transcript.maskCommand(strip(event.getMessage())));
        transcript.get().sent(line);
        log.debug("> {}", line);
    }

    @Override
    public void protocolReplyReceived(ProtocolCommandEvent event) {
        // The server may echo the password: masked here, whatever the transcript or the log do.
        for (String line : secrets.mask(strip(event.getMessage())).split("\r?\n")) {
            transcript.get().received(line);
            log.debug("< {}", line);
        }
    }

    private static String strip(String s) {
        return s == null ? "" : s.replaceAll("[\r\n]+$", "");
    }
}
