package dev.ferry.examples.demo;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo runs green inside the test JVM: every check of its report passes. */
class DemoTest {
    @Test
    void theDemoPassesEveryCheck() throws Exception {
        StringWriter s = new StringWriter();
        int exit = Demo.run(new PrintWriter(s));
        String out = s.toString();
        assertEquals(0, exit, out);
        assertTrue(out.contains(" 0 failed"), out);
        assertTrue(out.contains("> PROT P"), out);
        assertTrue(out.contains("video_copied_ftp protocol=sftp"), out);
        assertTrue(out.contains("firewall"), out);
    }
}
