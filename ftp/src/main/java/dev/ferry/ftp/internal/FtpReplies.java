package dev.ferry.ftp.internal;

import dev.ferry.core.TransferException.Reason;

import java.util.Locale;

/** Maps FTP replies to {@link Reason}s and hints; pure functions, tested on their own. */
public final class FtpReplies {
    private FtpReplies() {
    }

    /** A classified reply: why, whether a retry may help, and what to tell a human. */
    public record Verdict(Reason reason, boolean retryable, String hint) {
    }

    /** Whether a reply says the server refused a data connection for lack of TLS session reuse. */
    public static boolean isSessionReuseRefusal(int code, String text) {
        String t = text == null ? "" : text.toLowerCase(Locale.ROOT);
        return code == 522 || (code == 425 || code == 450 || code == 426) && (t.contains("tls") || t.contains("ssl")
                || t.contains("reuse"));
    }

    /**
     * Classifies the reply to a command.
     *
     * @param command the command, e.g. {@code STOR}
     * @param code the reply code
     * @param text the reply text
     */
    public static Verdict classify(String command, int code, String text) {
        String t = text == null ? "" : text.toLowerCase(Locale.ROOT);
        if (isSessionReuseRefusal(code, text)) {
            return new Verdict(Reason.DATA_CHANNEL, true, REUSE_HINT);
        }
        if (code == 530 || code == 331 || code == 332) {
            return new Verdict(Reason.AUTH, false, "check the user name and password; the server refused them");
        }
        if (code == 421) {
            return new Verdict(Reason.CONNECT, true, "the server closed the connection (too many connections, or idle); try again later");
        }
        if (code == 452 || code == 552) {
            return new Verdict(Reason.NO_SPACE, false, "the server has no space (or the quota is used up); free space on the server");
        }
        if (code == 425 || code == 426) {
            return new Verdict(Reason.DATA_CHANNEL, true, "the data connection failed; if this repeats, a firewall may block the passive port range");
        }
        if (code == 553) {
            return t.contains("permission") || t.contains("denied") || t.contains("access")
                    ? new Verdict(Reason.PERMISSION, false, "the user may not write there; check the server's permissions")
                    : new Verdict(Reason.BAD_INPUT, false, "the server refused the file name; use a simpler name");
        }
        if (code == 550) {
            if (t.contains("no such") || t.contains("not found") || t.contains("not exist") || t.contains("can't find")
                    || t.contains("cannot find")) {
                return new Verdict(Reason.NOT_FOUND, false, "the file or directory does not exist on the server");
            }
            if (t.contains("exist")) {
                return new Verdict(Reason.EXISTS, false, "the file already exists on the server");
            }
            return new Verdict(Reason.PERMISSION, false, "the server refused " + command
                    + "; check that the user may write to this directory");
        }
        if (code == 551) {
            // RFC 959's "page type unknown"; servers use it for a file they could not write.
            return new Verdict(Reason.PERMISSION, false, "the server could not write the file; check that the directory "
                    + "exists, the user may write to it, and the server's disk");
        }
        if (code >= 400 && code < 500) {
            return new Verdict(Reason.PROTOCOL, true, "a temporary server error; it may work on a retry");
        }
        return new Verdict(Reason.PROTOCOL, false, "the server does not accept " + command + " here");
    }

    /** The hint for a data connection refused for lack of TLS session reuse. */
    public static final String REUSE_HINT = "the server requires the data connection to reuse the control connection's TLS "
            + "session (vsftpd require_ssl_reuse, ProFTPD's default); Ferry resumes it, so this points to a server or proxy "
            + "that changed the session (a TLS-terminating load balancer?) or a server that issues too few session tickets";

    /**
     * The hint for a passive data connection that could not be opened while the control connection works: a
     * firewall most likely blocks the passive range, which it cannot see under FTPS.
     */
    public static String firewallHint(String host, int port, boolean tls) {
        return "the control connection works but the data connection to " + host + ":" + port + " could not be opened; "
                + "a firewall probably blocks the server's passive port range"
                + (tls ? " (FTPS encrypts the PASV reply, so firewalls cannot open the data port by themselves)" : "")
                + ": ask for the passive range (this time port " + port + ") to be opened to you";
    }
}
