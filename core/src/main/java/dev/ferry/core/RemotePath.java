package dev.ferry.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated path on the server: a list of names that contain no CR, LF, NUL, {@code /} or
 * {@code \}, are not empty, {@code .}, {@code ..} or only dots and spaces, and are at most
 * {@value #MAX_NAME_BYTES} UTF-8 bytes each.
 *
 * <p>Validation happens once, at the edge ({@link #relative(String)}, {@link #absolute(String)}):
 * a bad path is a {@link TransferException.Reason#BAD_INPUT} before any connection is opened.
 * {@code ..} is resolved lexically and refused if it would leave the base directory. A remote path
 * (relative) may not have a name that starts with {@code ~}; a base directory (absolute, from the
 * configuration) may, as SFTP's {@code /~/dir} for a directory under the login directory.
 */
public final class RemotePath {
    /** The longest accepted name, in UTF-8 bytes (the common file system limit). */
    public static final int MAX_NAME_BYTES = 255;
    /** The longest accepted path, in UTF-8 bytes. */
    public static final int MAX_PATH_BYTES = 4096;

    private static final RemotePath ROOT = new RemotePath(List.of(), true);

    private final List<String> names;
    private final boolean absolute;

    private RemotePath(List<String> names, boolean absolute) {
        this.names = List.copyOf(names);
        this.absolute = absolute;
    }

    /** The root directory {@code /}. */
    public static RemotePath root() {
        return ROOT;
    }

    /**
     * A path relative to a base directory, e.g. {@code recordings/2026/a.mp4}. A leading {@code /}
     * is allowed and still means "relative to the base directory".
     *
     * @throws TransferException {@code BAD_INPUT} if it is empty, names a directory, contains CR, LF,
     *         NUL or {@code \}, has a name that starts with {@code ~}, or escapes the base directory with {@code ..}
     */
    public static RemotePath relative(String path) throws TransferException {
        RemotePath p = parse(path, false, "remote path");
        if (p.names.isEmpty()) {
            throw bad("remote path \"" + printable(path) + "\" names no file", "give a file name, e.g. video.mp4");
        }
        return p;
    }

    /**
     * An absolute base directory, e.g. {@code /srv/in}. An empty string means the root; a path
     * without a leading slash is taken from the root.
     *
     * @throws TransferException {@code BAD_INPUT} on CR, LF, NUL, {@code \}, over-long names, or {@code ..} above the root
     */
    public static RemotePath absolute(String path) throws TransferException {
        return parse(path == null ? "" : path, true, "base directory");
    }

    /**
     * A single file name (no {@code /}).
     *
     * @throws TransferException {@code BAD_INPUT} as for {@link #relative(String)}
     */
    public static String validateName(String name) throws TransferException {
        RemotePath p = relative(name);
        if (p.names.size() != 1) {
            throw bad("\"" + printable(name) + "\" is not a single file name", "remove the / from the name");
        }
        return p.names.get(0);
    }

    private static RemotePath parse(String path, boolean absolute, String what) throws TransferException {
        if (path == null) {
            throw bad(what + " is missing", null);
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                String name = c == '\r' ? "CR" : c == '\n' ? "LF" : "NUL";
                throw bad(what + " \"" + printable(path) + "\" contains " + name + " at index " + i
                        + "; it would end the protocol command early and could inject another one",
                        "remove control characters from the name");
            }
        }
        if (path.indexOf('\\') >= 0) {
            // Windows servers (IIS FTP, Windows OpenSSH) read \ as a separator: "..\..\x" would climb out unseen.
            throw bad(what + " \"" + printable(path) + "\" contains \\ at index " + path.indexOf('\\')
                    + "; some servers read it as a directory separator", "separate directories with / only");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw bad(what + " is " + path.length() + " characters long; at most " + MAX_PATH_BYTES + " bytes are allowed",
                    "shorten the path");
        }
        List<String> out = new ArrayList<>();
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (!absolute && seg.startsWith("~")) {
                // vsftpd answers "CWD ~" with 250 in the login directory (ProFTPD expands ~user too): outside the base.
                throw bad(what + " \"" + printable(path) + "\" has a name that starts with ~, which FTP servers expand to a "
                        + "home directory outside the base directory", "rename it so that no name starts with ~");
            }
            if (seg.equals("..")) {
                if (out.isEmpty()) {
                    throw bad(what + " \"" + printable(path) + "\" climbs above "
                            + (absolute ? "the root" : "the base directory") + " with ..",
                            "remote paths are relative to the target's base directory and must stay inside it");
                }
                out.remove(out.size() - 1);
                continue;
            }
            if (seg.chars().allMatch(c -> c == '.' || c == ' ')) {
                // Windows drops trailing dots and spaces from a name: "... " or ".. " would become "..".
                throw bad(what + " \"" + printable(path) + "\" has a name made only of dots and spaces",
                        "give each directory and file a name with a letter or digit in it");
            }
            if (seg.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw bad(what + " has a name of " + seg.length() + " characters; at most " + MAX_NAME_BYTES
                        + " UTF-8 bytes are allowed per name", "shorten the file name");
            }
            out.add(seg);
        }
        if (!absolute && path.endsWith("/") && !out.isEmpty()) {
            throw bad(what + " \"" + printable(path) + "\" ends with / and so names a directory, not a file",
                    "give a file name");
        }
        return new RemotePath(out, absolute);
    }

    private static TransferException bad(String message, String hint) {
        return TransferException.builder(TransferException.Reason.BAD_INPUT, message).hint(hint).build();
    }

    private static String printable(String s) {
        String t = s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }

    /** The names from the top down. */
    public List<String> names() {
        return names;
    }

    /** Whether this is an absolute path. */
    public boolean isAbsolute() {
        return absolute;
    }

    /** The last name, or {@code ""} for the root. */
    public String fileName() {
        return names.isEmpty() ? "" : names.get(names.size() - 1);
    }

    /** The parent path (the root's parent is the root). */
    public RemotePath parent() {
        return names.isEmpty() ? this : new RemotePath(names.subList(0, names.size() - 1), absolute);
    }

    /** This path with a relative path appended. */
    public RemotePath resolve(RemotePath relative) {
        if (relative.absolute) {
            throw new IllegalArgumentException("cannot resolve an absolute path: " + relative);
        }
        List<String> n = new ArrayList<>(names);
        n.addAll(relative.names);
        return new RemotePath(n, absolute);
    }

    /** This path with one validated name appended. */
    public RemotePath resolve(String name) throws TransferException {
        return resolve(relative(validateName(name)));
    }

    /** A sibling: the same directory, another name (validated by the caller). */
    public RemotePath withFileName(String name) throws TransferException {
        return parent().resolve(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemotePath p && p.absolute == absolute && p.names.equals(names);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, absolute);
    }

    /** {@code /a/b} or {@code a/b}; the root is {@code /}. */
    @Override
    public String toString() {
        String joined = String.join("/", names);
        return absolute ? "/" + joined : joined;
    }
}
