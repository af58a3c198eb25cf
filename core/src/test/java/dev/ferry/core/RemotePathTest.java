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

    @Test
    void absoluteBaseDirectories() throws TransferException {
        assertEquals("/", RemotePath.absolute("").toString());
        assertEquals("/srv/in", RemotePath.absolute("/srv//in/").toString());
        assertEquals("/srv/in/a/b.mp4", RemotePath.absolute("/srv/in").resolve(RemotePath.relative("a/b.mp4")).toString());
        assertThrows(TransferException.class, () -> RemotePath.absolute("/../etc"));
    }
}
