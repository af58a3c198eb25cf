package dev.ferry.sftp.internal;

import dev.ferry.core.HostKeys;
import dev.ferry.core.spi.Transcript;
import org.apache.sshd.common.BaseBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The known_hosts rules of {@link HostKeyChecker}, without a server: the verdict on a key the server would show. */
class HostKeyCheckerTest {
    static final String HOST = "127.0.0.1";
    @TempDir
    static Path dir;
    static KeyPair server;
    static KeyPair other;
    static KeyPair ed;

    @BeforeAll
    static void keys() throws Exception {
        SshClients.configureProvidersOnce();
        KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(KeyUtils.EC_ALGORITHM);
        g.initialize(256);
        server = g.generateKeyPair();
        other = g.generateKeyPair();
        KeyPairGenerator eg = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        eg.initialize(new org.bouncycastle.jcajce.spec.EdDSAParameterSpec("Ed25519"));
        ed = eg.generateKeyPair();
    }

    static String key(KeyPair k) {
        return PublicKeyEntry.toString(k.getPublic());
    }

    static HostKeys knownHosts(String... lines) throws Exception {
        return HostKeys.knownHosts(Files.writeString(Files.createTempFile(dir, "known_hosts", ""), String.join("\n", lines) + "\n"));
    }

    static HostKeyChecker.Verdict verdict(HostKeys keys, int port) {
        HostKeyChecker c = new HostKeyChecker(keys, HOST, port, new Transcript());
        c.verifyServerKey(null, null, server.getPublic());
        return c.verdict();
    }

    @Test
    void aRevokedKeyIsRefusedEvenWhenAnEarlierLineAcceptsIt() throws Exception {
        assertEquals(HostKeyChecker.Verdict.REVOKED, verdict(knownHosts("[" + HOST + "]:2222 " + key(server),
                "@revoked [" + HOST + "]:2222 " + key(server)), 2222));
        assertEquals(HostKeyChecker.Verdict.REVOKED, verdict(knownHosts(HOST + " " + key(server), "@revoked " + HOST + " " + key(server)), 22));
        // Another key revoked does not touch this one.
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("@revoked " + HOST + " " + key(other), HOST + " " + key(server)), 22));
    }

    @Test
    void aRevokedKeyIsRefusedEvenWhenItIsPinned() throws Exception {
        HostKeys keys = knownHosts("@revoked [" + HOST + "]:2222 " + key(server)).withPin(HostKeyChecker.fingerprint(server.getPublic()));
        assertEquals(HostKeyChecker.Verdict.REVOKED, verdict(keys, 2222));
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("@revoked " + HOST + " " + key(other))
                .withPin(HostKeyChecker.fingerprint(server.getPublic())), 2222));
    }

    @Test
    void aPatternWithoutAPortAppliesToOtherPortsAsInOpenSsh() throws Exception {
        // OpenSSH matches each pattern against "[host]:port" for a port other than 22.
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("* " + key(server)), 2222));
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("* " + key(server)), 22));
        assertEquals(HostKeyChecker.Verdict.REVOKED, verdict(knownHosts("[" + HOST + "]:2222 " + key(server), "@revoked * " + key(server)), 2222));
        assertEquals(HostKeyChecker.Verdict.CHANGED, verdict(knownHosts("*:2222 " + key(other)), 2222));
        // A plain host name is not "[host]:port": it is for port 22 only.
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts(HOST + " " + key(server)), 2222));
        // A negated pattern that matches "[host]:port" rules the line out, whatever else matches.
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts("*,!*:2222 " + key(server)), 2222));
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("*,!*:2222 " + key(server)), 2223));
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts("*,!127.0.0.? " + key(server)), 22));
    }

    @Test
    void certAuthorityLinesAreNeitherAcceptanceNorChange() throws Exception {
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts("@cert-authority * " + key(server)), 2222));
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts("@cert-authority " + HOST + " " + key(server)), 22));
        // A CA of the server key's type is no sign that the host key changed.
        assertEquals(HostKeyChecker.Verdict.UNKNOWN, verdict(knownHosts("@cert-authority [" + HOST + "]:2222 " + key(other)), 2222));
        assertEquals(HostKeyChecker.Verdict.ACCEPTED, verdict(knownHosts("@cert-authority * " + key(other), "* " + key(server)), 2222));
    }

    @Test
    void theKeyTypesKnownForTheHostAreAskedForFirstThenEd25519() throws Exception {
        HostKeys keys = knownHosts("other.example " + key(ed), "[" + HOST + "]:2222 " + key(server), "@revoked * " + key(ed),
                "@cert-authority * " + key(ed));
        HostKeyChecker c = new HostKeyChecker(keys, HOST, 2222, new Transcript());
        assertEquals(List.of("ecdsa-sha2-nistp256"), c.knownKeyTypes());
        List<NamedFactory<Signature>> mina = new ArrayList<>(BaseBuilder.DEFAULT_SIGNATURE_PREFERENCE);
        assertEquals(List.of("ecdsa-sha2-nistp256", "ssh-ed25519", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
                "rsa-sha2-256"), names(HostKeyChecker.hostKeyAlgorithms(mina, c.knownKeyTypes())).subList(0, 6));
        // Nothing known (a pin names no key type): ed25519 first, as OpenSSH asks; certificates last.
        List<String> none = names(HostKeyChecker.hostKeyAlgorithms(mina, List.of()));
        assertEquals(List.of("ssh-ed25519", "ecdsa-sha2-nistp256"), none.subList(0, 2));
        assertTrue(none.get(none.size() - 1).endsWith("-cert-v01@openssh.com"), none.toString());
        assertEquals(mina.size(), none.size());
        // An RSA key: both SHA-2 signatures (and SHA-1 after them) come first.
        assertEquals(List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"),
                names(HostKeyChecker.hostKeyAlgorithms(mina, List.of("ssh-rsa"))).subList(0, 4));
    }

    static List<String> names(List<NamedFactory<Signature>> factories) {
        return factories.stream().map(NamedFactory::getName).toList();
    }
}
