package dev.ferry.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemotePathTest {
    @ParameterizedTest
    @ValueSource(strings = {"a\rb.mp4", "a\nb.mp4", "a\0b.mp4", "dir/x\r\nDELE y", "", "/", "dir/", "../x", "a/../../x",
            "./..", "a/b/../../../c"})
    void refusesBadRelativePathsAsBadInput(String path) {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative(path));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().length() > 10, e.getMessage());
        // the message shows control characters escaped, never raw
        assertTrue(!e.getMessage().contains("\r") && !e.getMessage().contains("\n") && !e.getMessage().contains("\0"));
    }

    @Test
    void namesTheControlCharacter() {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative("x\ny"));
        assertTrue(e.getMessage().contains("LF"), e.getMessage());
    }

    @Test
    void resolvesDotDotInsideTheBase() throws TransferException {
        assertEquals("b/c.mp4", RemotePath.relative("a/../b/./c.mp4").toString());
        assertEquals("a.mp4", RemotePath.relative("/a.mp4").toString());
    }

    @Test
    void refusesOverlongNames() {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative("x".repeat(10_000)));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        TransferException e2 = assertThrows(TransferException.class, () -> RemotePath.relative("d/" + "y".repeat(256)));
        assertEquals(TransferException.Reason.BAD_INPUT, e2.reason());
    }

    /** vsftpd answered "CWD ~" with 250 and stored the file in the login directory while Ferry reported /base/~/x.bin. */
    @ParameterizedTest
    @ValueSource(strings = {"~/x.bin", "~", "~root/x.bin", "a/~/x.bin", "a/~b/x.bin", "~x.bin", "a/../~/x.bin"})
    void refusesANameStartingWithTildeInARemotePath(String path) {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative(path));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("starts with ~"), e.getMessage());
        assertThrows(TransferException.class, () -> RemotePath.absolute("/in").resolve(RemotePath.relative(path)));
    }

    @Test
    void aTildeInsideANameIsAllowed() throws TransferException {
        assertEquals("a~b/x.bin~", RemotePath.relative("a~b/x.bin~").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..\\..\\x.bin", "a\\b.bin", "\\x.bin", "dir/x\\"})
    void refusesABackslashInARemotePath(String path) {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative(path));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("separator"), e.getMessage());
        TransferException single = assertThrows(TransferException.class, () -> RemotePath.validateName(path));
        assertEquals(TransferException.Reason.BAD_INPUT, single.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/srv\\in", "\\..\\x", "/in/a\\b"})
    void refusesABackslashInABaseDirectory(String dir) {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.absolute(dir));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
    }

    /** Windows strips trailing dots and spaces, so these names would mean "..". */
    @ParameterizedTest
    @ValueSource(strings = {"...", ".. ", ". ", "a/.../x.bin", " "})
    void refusesNamesOfOnlyDotsAndSpaces(String path) {
        TransferException e = assertThrows(TransferException.class, () -> RemotePath.relative(path));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
    }

    /** The base directory comes from the configuration: /~/in (under the login directory, for SFTP) stays allowed. */
    @Test
    void aBaseDirectoryMayStartWithTilde() throws TransferException {
        assertEquals("/~/in", RemotePath.absolute("/~/in").toString());
        assertEquals("/~", RemotePath.absolute("/~").toString());
        assertEquals("/~/in/a/x.bin", RemotePath.absolute("/~/in").resolve(RemotePath.relative("a/x.bin")).toString());
    }

    @Test
    void absoluteBaseDirectories() throws TransferException {
        assertEquals("/", RemotePath.absolute("").toString());
        assertEquals("/srv/in", RemotePath.absolute("/srv//in/").toString());
        assertEquals("/srv/in/a/b.mp4", RemotePath.absolute("/srv/in").resolve(RemotePath.relative("a/b.mp4")).toString());
        assertThrows(TransferException.class, () -> RemotePath.absolute("/../etc"));
    }
}
