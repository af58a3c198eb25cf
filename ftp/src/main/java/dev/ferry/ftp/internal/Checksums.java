package dev.ferry.ftp.internal;

import dev.ferry.core.ContentSource;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.apache.commons.net.ftp.FTPReply;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A file's checksum as the server computes it ({@code HASH}, or the older {@code XSHA256}, {@code XSHA1}, {@code XMD5},
 * {@code MD5}), and the same checksum of the source.
 */
final class Checksums {
    /** A checksum the server reported. */
    record Remote(String algorithm, String hex) {
    }

    /** A command that asks for a checksum with {@code algorithm} (a {@link MessageDigest} name). */
    record Command(String verb, String algorithm) {
        int hexLength() {
            return algorithm.equals("SHA-256") ? 64 : algorithm.equals("SHA-1") ? 40 : 32;
        }
    }

    private Checksums() {
    }

    /** The commands the server's {@code FEAT} offers, best first. */
    static List<Command> offered(Set<String> features) {
        List<Command> candidates = new ArrayList<>();
        if (features.contains("HASH")) {
            for (String f : features) {
                if (f.startsWith("HASH:")) {
                    String list = f.substring(5);
                    for (String alg : new String[] {"SHA-256", "SHA-1", "MD5"}) {
                        if (list.contains(alg)) {
                            candidates.add(new Command("HASH", alg));
                        }
                    }
                }
            }
        }
        if (features.contains("XSHA256")) {
            candidates.add(new Command("XSHA256", "SHA-256"));
        }
        if (features.contains("XSHA1")) {
            candidates.add(new Command("XSHA1", "SHA-1"));
        }
        if (features.contains("XMD5")) {
            candidates.add(new Command("XMD5", "MD5"));
        }
        if (features.contains("MD5")) {
            candidates.add(new Command("MD5", "MD5"));
        }
        return candidates;
    }

    /** Asks the server for a checksum of {@code name}; empty if it offers none that answers. */
    static Optional<Remote> ask(FtpConnection c, String name) throws TransferException {
        for (Command cmd : offered(c.features())) {
            int code;
            if (cmd.verb().equals("HASH")) {
                if (!FTPReply.isPositiveCompletion(c.send("OPTS", "HASH " + cmd.algorithm()))) {
                    continue;
                }
                code = c.send("HASH", name);
            } else {
                code = c.send(cmd.verb(), name);
            }
            if (FTPReply.isPositiveCompletion(code)) {
                Optional<Remote> found = hexIn(c.rawReply(), cmd);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** The first token of the reply's text that is a checksum of the command's length. */
    static Optional<Remote> hexIn(String reply, Command cmd) {
        for (String token : reply.substring(Math.min(3, reply.length())).split("[\\s]+")) {
            if (token.length() == cmd.hexLength() && token.matches("[0-9a-fA-F]+")) {
                return Optional.of(new Remote(cmd.algorithm(), token.toLowerCase(Locale.ROOT)));
            }
        }
        return Optional.empty();
    }

    /** The source's checksum with {@code algorithm}, in lower-case hex. */
    static String local(ContentSource source, String algorithm) throws TransferException {
        try (InputStream in = source.open()) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new TransferException(Reason.BAD_INPUT, "cannot read the source for its checksum: " + e.getMessage(), e);
        }
    }
}
