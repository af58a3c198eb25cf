package dev.ferry.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostKeysTest {
    static final String PIN = "SHA256:" + "A".repeat(43);

    /** OpenSSH users write UserKnownHostsFile=/dev/null for "no known hosts": it is empty, not missing. */
    @Test
    void devNullIsAnEmptyKnownHostsFileNotAMissingOne(@TempDir Path dir) throws Exception {
        assertFalse(HostKeys.knownHosts(Path.of("/dev/null")).knownHostsMissing());
        assertFalse(HostKeys.knownHosts(Path.of("/dev/null")).withPin(PIN).knownHostsMissing());
        assertFalse(HostKeys.knownHosts(Files.writeString(dir.resolve("known_hosts"), "")).knownHostsMissing());
        assertTrue(HostKeys.knownHosts(dir.resolve("absent")).knownHostsMissing());
        assertTrue(HostKeys.knownHosts(dir).knownHostsMissing(), "a directory is no known_hosts file");
        assertFalse(HostKeys.pinned(PIN).knownHostsMissing());
    }
}
