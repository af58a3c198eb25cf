package dev.ferry.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Access to the real servers that {@code interop/servers.sh start} runs on loopback, described in
 * {@code $FERRY_INTEROP_DIR/servers.properties} (default directory {@code /var/tmp/ferry-interop}).
 *
 * <p>When a server is missing, an {@code *IT} test is skipped with a loud message; with
 * {@code -Dinterop=required} (as {@code .ci/run} sets) it fails instead.
 */
public final class Interop {
    private static final Properties PROPS = load();

    private Interop() {
    }

    /** The interop state directory. */
    public static Path dir() {
        String d = System.getenv("FERRY_INTEROP_DIR");
        return Path.of(d == null || d.isBlank() ? "/var/tmp/ferry-interop" : d);
    }

    /** Whether a missing server fails the test instead of skipping it. */
    public static boolean required() {
        return "required".equalsIgnoreCase(System.getProperty("interop", "auto"));
    }

    /** A property of servers.properties; skips or fails the test if the file or key is missing. */
    public static String get(String key) {
        String v = PROPS.getProperty(key);
        if (v == null) {
            unavailable("no '" + key + "' in " + dir().resolve("servers.properties"));
        }
        return v;
    }

    /** An integer property. */
    public static int port(String server) {
        return Integer.parseInt(get(server + ".port"));
    }

    /**
     * Requires that {@code server}'s port (key {@code <server>.port}) accepts connections on 127.0.0.1;
     * skips or fails the test otherwise.
     */
    public static int requireServer(String server) {
        int port = port(server);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        } catch (IOException e) {
            unavailable(server + " is not listening on 127.0.0.1:" + port + " (" + e.getMessage() + ")");
        }
        return port;
    }

    private static void unavailable(String why) {
        String msg = "INTEROP SERVER MISSING: " + why + ". Start the servers with 'sudo bash interop/servers.sh start'.";
        if (required()) {
            throw new AssertionError(msg + " (-Dinterop=required)");
        }
        System.err.println("*** SKIPPED: " + msg);
        Assumptions.abort(msg);
    }

    private static Properties load() {
        Properties p = new Properties();
        Path f = dir().resolve("servers.properties");
        if (Files.isRegularFile(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }
}
