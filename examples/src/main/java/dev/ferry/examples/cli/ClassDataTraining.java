package dev.ferry.examples.cli;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * For the run in which the launcher ({@code examples/ferry}) makes its class-data archive: the JVM
 * archives the classes that run loaded, so a later run that takes another path loads that path's classes
 * from the jar, parsing and verifying each. An FTPS upload over TLS 1.3 uses the JDK's TLS engine; one over
 * TLS 1.2 (vsftpd's session reuse, ProFTPD's batches) uses Bouncy Castle's, ~500 classes. So the
 * training run also loads, without initialising them, the classes of Bouncy Castle's engine: a TLS 1.2
 * upload after a TLS 1.3 training run took 0.77 s (median of 10) without them, 0.66 s with them, as after
 * a TLS 1.2 training run.
 */
final class ClassDataTraining {
    /** The system property the launcher sets, to the kind of archive ({@code ftp}, {@code sftp}), for that run. */
    static final String PROPERTY = "ferry.cds.training";

    /**
     * What is loaded for each kind: for FTP, Bouncy Castle's TLS engine and JSSE provider (whole packages,
     * {@code **}) and the packages of its provider jar they use (those packages only, {@code *}).
     */
    private static final Map<String, List<String>> PREFIXES = Map.of(
            "ftp", List.of("org/bouncycastle/tls/**", "org/bouncycastle/jsse/**", "org/bouncycastle/asn1/*",
                    "org/bouncycastle/asn1/x509/*", "org/bouncycastle/asn1/x9/*", "org/bouncycastle/asn1/pkcs/*",
                    "org/bouncycastle/asn1/nist/*", "org/bouncycastle/util/*", "org/bouncycastle/util/io/*",
                    "org/bouncycastle/util/encoders/*", "org/bouncycastle/crypto/*", "org/bouncycastle/crypto/prng/**",
                    "org/bouncycastle/crypto/digests/*", "org/bouncycastle/crypto/params/*", "org/bouncycastle/math/ec/*",
                    "org/bouncycastle/math/field/*", "org/bouncycastle/jcajce/util/*"));
    /** Parts of those packages Ferry never uses: the lightweight crypto back end and SRP. */
    private static final List<String> EXCLUDED = List.of("org/bouncycastle/tls/crypto/impl/bc/", "org/bouncycastle/tls/crypto/impl/jcajce/srp/");

    private static final String VERSIONS = "META-INF/versions/";

    private ClassDataTraining() {
    }

    /** {@code p/**} matches everything under p, {@code p/*} the entries directly in p. */
    static boolean matches(List<String> patterns, String entry) {
        for (String p : patterns) {
            String dir = p.substring(0, p.lastIndexOf('/') + 1);
            if (entry.startsWith(dir) && (p.endsWith("/**") || entry.indexOf('/', dir.length()) < 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Loads the classes for {@code kind} from the jar this class came from; returns how many. Never throws.
     * (The JDK's own TLS classes need not be: the JVM loads them from its module image without verifying them.)
     */
    static int load(String kind) {
        List<String> prefixes = PREFIXES.get(kind);
        if (prefixes == null) {
            return 0;
        }
        File jar;
        try {
            CodeSource source = ClassDataTraining.class.getProtectionDomain().getCodeSource();
            jar = source == null ? null : new File(source.getLocation().toURI());
        } catch (URISyntaxException | SecurityException e) {
            return 0;
        }
        if (jar == null || !jar.isFile()) {
            return 0;
        }
        ClassLoader loader = ClassDataTraining.class.getClassLoader();
        int n = 0;
        try (JarFile file = new JarFile(jar)) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.startsWith(VERSIONS)) { // a class for a newer Java: load it by its own name
                    int slash = name.indexOf('/', VERSIONS.length());
                    name = slash < 0 ? name : name.substring(slash + 1);
                }
                if (!name.endsWith(".class") || !matches(prefixes, name) || EXCLUDED.stream().anyMatch(name::startsWith)) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
                    n++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // not loadable here (a newer Java's class): nothing to archive
                }
            }
        } catch (IOException e) {
            return n;
        }
        return n;
    }
}
