package dev.ferry.ftp.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the server's answers to SIZE and to the checksum commands are taken to mean. */
class RemoteSizeAndChecksumsTest {
    @Test
    void aSizeIsANonNegativeNumberAndAnythingElseIsUnknownNotAbsent() {
        assertEquals(RemoteSize.of(1234), RemoteSize.parse(" 1234 "));
        assertEquals(RemoteSize.UNKNOWN, RemoteSize.parse("12a"));
        // Not "no file": the old -1 sentinel would have read "213 -1" as absent.
        assertEquals(RemoteSize.UNKNOWN, RemoteSize.parse("-1"));
        assertEquals(-1, RemoteSize.ABSENT.orNone());
        assertEquals(-1, RemoteSize.UNKNOWN.orNone());
        assertTrue(RemoteSize.UNKNOWN.unknown() && RemoteSize.ABSENT.absent() && RemoteSize.of(0).present());
        assertThrows(IllegalArgumentException.class, () -> RemoteSize.of(-3));
        assertThrows(IllegalArgumentException.class, () -> new RemoteSize(RemoteSize.State.ABSENT, 5));
    }

    @Test
    void theOfferedChecksumsComeBestFirstFromFeat() {
        List<Checksums.Command> offered = Checksums.offered(Set.of("HASH", "HASH:SHA-256;MD5*", "XMD5", "SIZE"));
        assertEquals(List.of(new Checksums.Command("HASH", "SHA-256"), new Checksums.Command("HASH", "MD5"),
                new Checksums.Command("XMD5", "MD5")), offered);
        assertEquals(List.of(), Checksums.offered(Set.of("SIZE", "MLST")));
    }

    @Test
    void theChecksumIsTheTokenOfTheAlgorithmsLength() {
        String sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
        Checksums.Command hash = new Checksums.Command("HASH", "SHA-256");
        assertEquals(Optional.of(new Checksums.Remote("SHA-256", sha256.toLowerCase(java.util.Locale.ROOT))),
                Checksums.hexIn("213 SHA-256 0-4 " + sha256 + " test.txt", hash));
        assertEquals(Optional.empty(), Checksums.hexIn("213 SHA-256 0-4 d41d8cd98f00b204e9800998ecf8427e test.txt", hash));
        assertEquals(Optional.empty(), Checksums.hexIn("2", hash));
    }
}
