package dev.ferry.ftp;

import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that echoes the password in its replies: the password appears in no exception (message, server reply, hint,
 * causes), transcript, probe report or log line. Its own surefire execution logs the protocol lines (DEBUG), so what
 * would reach a log is really written and captured here.
 */
class PasswordEchoWireLogTest {
    static final String PASSWORD = "Echo-Secret-5150";

    @TempDir
    static Path dir;
    static TestCertificates certs;
    ScriptedFtpServer server;
    PrintStream originalErr;
    ByteArrayOutputStream log;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(dir);
    }

    @BeforeEach
    void captureLog() {
        // slf4j-simple writes to System.err as it is at each call.
        originalErr = System.err;
        log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws Exception {
        System.setErr(originalErr);
        if (server != null) {
            server.close();
        }
    }

    StorageTarget target() throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", PASSWORD.toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).build();
        return StorageTargets.open(cfg);
    }

    TransferException uploadFails() throws Exception {
        try (StorageTarget t = target()) {
            return assertThrows(TransferException.class, () -> t.upload(Upload.builder()
                    .source(ContentSource.ofBytes(new byte[100])).remotePath("rec.mp4").build()));
        }
    }

    void assertNoPassword(TransferException e) {
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
        assertFalse(e.toString().contains(PASSWORD), e.toString());
        assertFalse(e.serverReply() != null && e.serverReply().contains(PASSWORD), e.serverReply());
        assertFalse(e.hint() != null && e.hint().contains(PASSWORD), e.hint());
        assertFalse(String.join("\n", e.transcript()).contains(PASSWORD), String.join("\n", e.transcript()));
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t).contains(PASSWORD), "a cause: " + t);
        }
        assertLogClean();
    }

    void assertLogClean() {
        System.err.flush();
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains(PASSWORD), text);
        if (Boolean.getBoolean("ferry.wirelog.expected")) {
            assertTrue(LoggerFactory.getLogger("dev.ferry.ftp.internal.FtpConnection").isDebugEnabled(),
                    "this execution must log the protocol lines");
        }
    }

    /** The replies were logged (so the log was really looked at), masked. */
    void assertLogged(String masked) {
        if (LoggerFactory.getLogger("dev.ferry.ftp.internal.FtpConnection").isDebugEnabled()) {
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains(masked), text);
        }
    }

    @Test
    void aLoginRefusalThatEchoesThePasswordShowsItNowhere() throws Exception {
        server = new ScriptedFtpServer(certs).on("PASS", pw -> "530 Login incorrect for PASS " + pw);
        TransferException e = uploadFails();
        assertEquals(Reason.AUTH, e.reason(), e.toString());
        assertTrue(e.serverReply().startsWith("530 Login incorrect for PASS ****"), e.serverReply());
        assertNoPassword(e);
        assertLogged("< 530 Login incorrect for PASS ****");
    }

    @Test
    void aMultiLineRefusalThatEchoesThePasswordShowsItNowhere() throws Exception {
        server = new ScriptedFtpServer(certs).on("PASS", pw -> "530-You sent " + pw + "\r\n530-which was " + pw + "\r\n530 Bye");
        TransferException e = uploadFails();
        assertEquals(Reason.AUTH, e.reason(), e.toString());
        assertNoPassword(e);
        assertLogged("< 530-which was ****");
    }

    @Test
    void aMalformedReplyThatEchoesThePasswordShowsItNowhere() throws Exception {
        // Commons Net puts an unparsable reply into its exception's message.
        server = new ScriptedFtpServer(certs).on("PASS", pw -> "5x0 no " + pw);
        TransferException e = uploadFails();
        assertNoPassword(e);
    }

    @Test
    void aLaterRefusalThatEchoesThePasswordShowsItNowhere() throws Exception {
        server = new ScriptedFtpServer(certs).on("STOR", a -> "553 Could not create file (user bob, password " + PASSWORD + ").");
        TransferException e = uploadFails();
        assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
        assertTrue(e.serverReply().contains("password ****"), e.serverReply());
        assertNoPassword(e);
    }

    @Test
    void theConnectionTestShowsAnEchoedPasswordNowhere() throws Exception {
        server = new ScriptedFtpServer(certs).on("PASS", pw -> "530 Login incorrect for PASS " + pw);
        try (StorageTarget t = target()) {
            ProbeReport r = t.probe();
            ProbeStep login = r.step(ProbeStep.Step.LOGIN);
            assertEquals(ProbeStep.Status.FAILED, login.status());
            assertFalse(r.toString().contains(PASSWORD), r.toString());
            assertTrue(login.reply().contains("PASS ****"), login.reply());
        }
        assertLogClean();
    }
}
