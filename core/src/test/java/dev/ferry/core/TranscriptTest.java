package dev.ferry.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Credentials.password("bob", SECRET.toCharArray()).withPrivateKey(java.nio.file.Path.of("k"), "PassPhr4se-x".toCharArray())
                .maskIn(t);
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
}
