package dev.ferry.core;

import dev.ferry.core.spi.Transcript;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscriptTest {
    private static final String SECRET = "Sup3r-S3cret!pw";

    @Test
    void masksPassCommandWhateverTheCase() {
        Transcript t = new Transcript();
        t.sent("USER alice");
        t.sent("PASS " + SECRET);
        t.sent("pass " + SECRET + "\r\n");
        List<String> lines = t.render();
        assertEquals(List.of("> USER alice", "> PASS ****", "> pass ****"), lines);
        assertFalse(String.join("\n", lines).contains(SECRET));
    }

    @Test
    void masksRegisteredSecretsInEveryLineAlsoRetroactively() {
        Transcript t = new Transcript();
        t.received("530 Login incorrect for " + SECRET);
        t.addSecret(SECRET);
        t.note("echo " + SECRET + " again");
        String all = String.join("\n", t.render());
        assertFalse(all.contains(SECRET), all);
        assertTrue(all.contains("530 Login incorrect for ****"), all);
        assertTrue(all.contains("* echo **** again"), all);
    }

    @Test
    void credentialsRegisterTheirSecrets() {
        Transcript t = new Transcript();
        t.addSecretsOf(Credentials.password("bob", SECRET.toCharArray()).withPrivateKey(java.nio.file.Path.of("k"),
                "PassPhr4se-x".toCharArray()));
        t.received("weird server echoing " + SECRET + " and PassPhr4se-x");
        assertEquals("< weird server echoing **** and ****", t.render().get(0));
    }

    @Test
    void isBoundedAndKeepsFirstAndLastLines() {
        Transcript t = new Transcript(10);
        for (int i = 0; i < 100; i++) {
            t.sent("NOOP " + i);
        }
        List<String> lines = t.render();
        assertEquals(10, lines.size(), lines.toString());
        assertEquals("> NOOP 0", lines.get(0));
        assertEquals("> NOOP 4", lines.get(4));
        assertTrue(lines.get(5).contains("omitted"), lines.get(5));
        assertEquals("> NOOP 99", lines.get(9));
        assertEquals(91, t.omittedLines());
    }

    @Test
    void escapesControlCharactersInsideLines() {
        Transcript t = new Transcript();
        t.received("550 bad\rname\0");
        assertEquals("< 550 bad\\rname\\0", t.render().get(0));
    }

    @Test
    void renderSinceGivesOnlyTheLinesAfterTheMarkWhereverTheyAreKept() {
        Transcript t = new Transcript(10); // 5 head lines, 4 tail lines, 1 note
        t.sent("AUTH TLS");
        long m1 = t.mark();
        t.sent("USER alice");
        t.sent("PASS " + SECRET);
        assertEquals(List.of("> USER alice", "> PASS ****"), t.renderSince(m1));
        assertEquals(List.of(), t.renderSince(t.mark()));
        assertEquals(t.render(), t.renderSince(0));
        for (int i = 0; i < 20; i++) {
            t.sent("CMD " + i);
        }
        long m2 = t.mark();
        t.sent("STOR a");
        t.received("226 ok");
        assertEquals(List.of("> STOR a", "< 226 ok"), t.renderSince(m2), "lines after the mark, taken from the tail");
        // From m1: the head lines after it, a note for what was dropped, then the tail.
        List<String> since1 = t.renderSince(m1);
        assertEquals(List.of("> USER alice", "> PASS ****", "> CMD 0", "> CMD 1", "* [16 lines omitted]", "> CMD 18", "> CMD 19",
                "> STOR a", "< 226 ok"), since1);
        // A mark whose lines were partly dropped: the note counts only the dropped lines after it.
        assertEquals(List.of("* [2 lines omitted]", "> CMD 18", "> CMD 19", "> STOR a", "< 226 ok"), t.renderSince(m2 - 4));
        assertThrows(IllegalArgumentException.class, () -> t.renderSince(t.mark() + 1));
    }

    @Test
    void aSecretAcrossTheLineCutAndASecretInsideAnotherAreMaskedWhole() {
        Transcript t = new Transcript();
        t.addSecret("TopSecretValue42");
        t.addSecret("Secret");
        t.note("x".repeat(4090) + "TopSecretValue42 and more");
        t.note("the key TopSecretValue42 then Secret");
        String all = String.join("\n", t.render());
        for (String part : new String[] {"TopSec", "Value42", "Secret"}) {
            assertFalse(all.contains(part), part + " in " + all.substring(Math.max(0, all.length() - 300)));
        }
    }
}
