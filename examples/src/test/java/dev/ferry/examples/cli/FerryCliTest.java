package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FerryCliTest {
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FerryCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aTlsMinimumAboveTheMaximumIsBadInput(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--json", "--tls-min", "1.3", "--tls-max", "1.2", a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("BAD_INPUT", r.json().get("reason").asText());
        assertTrue(r.json().get("message").asText().contains("above"), r.out());
    }

    @Test
    void aCaCertFileWithoutACertificateIsBadInput(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        Run r = run("upload", "--json", "--ca-cert", notPem.toString(), a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("BAD_INPUT", r.json().get("reason").asText());
        assertTrue(r.json().get("message").asText().contains(notPem.toString()), r.out());

        Path missing = dir.resolve("absent.pem");
        r = run("upload", "--json", "--ca-cert", missing.toString(), a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.json().get("message").asText().contains("cannot read the certificate " + missing), r.out());
    }

    @Test
    void uploadHelpShowsItsArgumentsOnce() {
        Run r = run("upload", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("FILE... URI"), r.out());
        assertFalse(r.out().contains("URI FILE"), "the arguments are shown once: " + r.out());
        assertTrue(r.out().contains("--tls-min"), r.out());
    }

    @Test
    void knownHostsDevNullMeansNoneSoOnlyThePinCounts(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--json", "--known-hosts", "/dev/null", "--host-key-pin", "SHA256:" + "A".repeat(43), a.toString(),
                "mem://alice@host/in");
        assertEquals(0, r.code(), r.out() + r.err());

        Path missing = dir.resolve("absent_known_hosts");
        r = run("upload", "--json", "--known-hosts", missing.toString(), a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("the known_hosts file " + missing + " does not exist", r.json().get("message").asText());
        assertTrue(r.json().get("hint").asText().contains("/dev/null"), r.out());
    }

    @Test
    void version() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("ferry "), r.out());
    }

    @Test
    void uploadJsonOverAProvider(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "AAAA");
        Path b = Files.writeString(dir.resolve("b.bin"), "BB");
        Run r = run("upload", "--json", a.toString(), b.toString(), "mem://alice@host/in");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertTrue(j.get("ok").asBoolean());
        assertEquals("mem", j.get("protocol").asText());
        assertEquals("TLSv1.3", j.get("tls").asText());
        assertEquals("/in/a.bin", j.get("files").get(0).get("remotePath").asText());
        assertEquals(2, j.get("files").get(1).get("bytes").asLong());
        assertEquals("SIZE", j.get("files").get(0).get("verification").asText());
        assertTrue(j.get("transcript").toString().contains("> USER alice"));
        assertArrayEquals("AAAA".getBytes(StandardCharsets.UTF_8), MemoryProvider.FILES.get("/in/a.bin"));
    }

    @Test
    void passwordComesFromTheEnvironmentAndIsMasked(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        String envName = System.getenv().keySet().stream().filter(k -> System.getenv(k).length() >= 3
                && !System.getenv(k).contains("/")).findFirst().orElse(null);
        if (envName == null) {
            return;
        }
        String secret = System.getenv(envName);
        Run r = run("upload", "--json", "--password-env", envName, a.toString(), "mem://alice@host/in");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PASS ****"), r.out());
        assertFalse(r.out().contains("PASS " + secret), r.out());
    }

    @Test
    void missingPasswordVariableIsBadUsage(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--password-env", "FERRY_SURELY_UNSET_VAR_42", a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("FERRY_SURELY_UNSET_VAR_42"), r.err());
    }

    @Test
    void passwordInUriIsRefusedWithExit2AndNotEchoed(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--json", a.toString(), "mem://alice:Hunter2-Distinct@host/in");
        assertEquals(2, r.code());
        assertEquals("BAD_INPUT", r.json().get("reason").asText());
        assertFalse((r.out() + r.err()).contains("Hunter2-Distinct"));
    }

    @Test
    void unknownSchemeNamesInstalledSchemes(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", a.toString(), "gopher://alice@host/in");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("installed schemes:") && r.err().contains("mem"), r.err());
    }

    @Test
    void badRemoteNameIsBadInput(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--json", "--remote-name", "../../etc/x", a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code());
        assertEquals("BAD_INPUT", r.json().get("reason").asText());
        Run r2 = run("upload", "--remote-name", "x", a.toString(), a.toString(), "mem://alice@host/in");
        assertEquals(2, r2.code());
    }

    /** "~/x.bin" into ftps://.../base made vsftpd store the file in the login directory while Ferry reported /base/~/x.bin. */
    @Test
    void aRemoteNameLeavingTheBaseByTildeOrBackslashIsBadInput(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        for (String name : new String[] {"~/x.bin", "sub/~/x.bin", "..\\..\\x.bin"}) {
            Run r = run("upload", "--json", "--remote-name", name, a.toString(), "mem://alice@host/tilde-base");
            assertEquals(2, r.code(), name + ": " + r.out() + r.err());
            assertEquals("BAD_INPUT", r.json().get("reason").asText(), r.out());
            assertFalse(MemoryProvider.FILES.keySet().stream().anyMatch(k -> k.startsWith("/tilde-base")), "nothing was stored");
        }
    }

    /** %0d%0a in the URI's user name made Credentials throw, and the CLI died with a stack trace (exit 3). */
    @Test
    void aControlCharacterInTheUriIsAUsageErrorWithoutAStackTrace(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        for (String uri : new String[] {"mem://al%0d%0aice@host/in", "mem://al%0Aice@host/in", "mem://al%00ice@host/in",
                "mem://alice@host/in?x=%0a", "mem://alice@host/i%0an", "mem://al%zzice@host/in", "mem://alice@host/%5C..%5Cx"}) {
            for (String[] line : new String[][] {{"upload", "--json", a.toString(), uri}, {"probe", "--json", uri}}) {
                Run r = run(line);
                String what = String.join(" ", line) + ": " + r.out() + r.err();
                assertEquals(2, r.code(), what);
                assertEquals("BAD_INPUT", r.json().get("reason").asText(), what);
                assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what);
            }
            Run text = run("upload", a.toString(), uri);
            assertEquals(2, text.code(), text.err());
            assertTrue(text.err().startsWith("ferry: BAD_INPUT: "), text.err());
            assertFalse(text.err().contains("Exception") || text.err().contains("\tat "), text.err());
        }
        Run nul = run("upload", "--json", "a\0b.bin", "mem://alice@host/in");
        assertEquals(2, nul.code(), nul.out() + nul.err());
        assertEquals("BAD_INPUT", nul.json().get("reason").asText());
    }

    @Test
    void connectFailureExits3WithHint(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.bin"), "x");
        Run r = run("upload", "--json", "--timeout", "1", a.toString(), "mem://alice@down/in");
        assertEquals(3, r.code(), r.out() + r.err());
        JsonNode j = r.json();
        assertFalse(j.get("ok").asBoolean());
        assertEquals("CONNECT", j.get("reason").asText());
        assertEquals("check the host and port", j.get("hint").asText());
    }

    @Test
    void probeJsonListsStepsInOrder() throws Exception {
        Run ok = run("probe", "--json", "mem://alice@host/in");
        assertEquals(0, ok.code(), ok.err());
        JsonNode steps = ok.json().get("steps");
        String[] order = {"DNS", "CONNECT", "SECURE", "LOGIN", "DIRECTORY", "UPLOAD", "VERIFY", "DELETE", "QUIT"};
        for (int i = 0; i < order.length; i++) {
            assertEquals(order[i], steps.get(i).get("step").asText());
            assertEquals("PASSED", steps.get(i).get("status").asText());
        }
        Run bad = run("probe", "--json", "mem://alice@down/in");
        assertEquals(3, bad.code());
        JsonNode s = bad.json().get("steps");
        assertEquals("FAILED", s.get(1).get("status").asText());
        assertEquals("open the port", s.get(1).get("hint").asText());
        assertEquals("SKIPPED", s.get(2).get("status").asText());
        assertEquals("PASSED", s.get(8).get("status").asText(), "QUIT is still tried");
    }

    /** A command line naming one subcommand builds only that one; anything else sees them all. */
    @Test
    void helpListsEveryCommandAndACommandsHelpHasItsFullName() {
        Run top = run("--help");
        assertEquals(0, top.code(), top.err());
        for (String command : new String[] {"upload", "probe", "webhook", "demo"}) {
            assertTrue(top.out().matches("(?s).*\\n\\s+" + command + "\\s.*"), command + " in: " + top.out());
        }
        Run typo = run("uplod", "x");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("upload"), "picocli suggests the command: " + typo.err());
        Run webhook = run("webhook", "--help");
        assertEquals(0, webhook.code(), webhook.err());
        assertTrue(webhook.out().contains("Usage: ferry webhook"), webhook.out());
        assertTrue(webhook.out().contains("send") && webhook.out().contains("verify"), webhook.out());
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run("upload").code());
        assertEquals(2, run("frobnicate").code());
        Run webhook = run("webhook");
        assertEquals(2, webhook.code(), "a command without its subcommand did nothing: " + webhook.err());
        assertTrue(webhook.err().contains("send or verify") && webhook.err().contains("ferry webhook --help"), webhook.err());
        assertEquals(0, run("probe", "--help").code());
    }

    static final String DATA = "{\"ftpUploadStatus\":\"upload success\",\"videoName\":\"a.mp4\",\"protocol\":\"sftp\"}";

    /** A variable every test JVM has: the pipe style takes any non-empty key. */
    static final String KEY_ENV = "PATH";

    @Test
    void webhookUrlsInMessagesShowNoQueryOrUserInfo(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("data.json"), DATA);
        for (String url : new String[] {"https://u:Hunter2@customer.example/h?token=S3cr3tT0ken",
                "https://u:Hunter2@customer.example:99999/h?token=S3cr3tT0ken"}) {
            Run r = run("webhook", "send", "--json", "--url", url, "--style", "pipe", "--secret-env", KEY_ENV,
                    "--event", "video_copied_ftp", "--data-file", data.toString());
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals("BAD_INPUT", r.json().get("reason").asText());
            assertTrue(r.json().get("message").asText().contains("customer.example"), r.out());
            assertFalse((r.out() + r.err()).contains("S3cr3tT0ken") || (r.out() + r.err()).contains("Hunter2"), r.out() + r.err());
        }
    }

    @Test
    void usageErrorsWithJsonPrintOneJsonObjectToo(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "x");
        String[][] lines = {
                {"upload", "--json", a.toString()},
                {"upload", "--json", "--bogus", a.toString(), "mem://alice@host/in"},
                {"upload", "--json", "--timeout", "abc", a.toString(), "mem://alice@host/in"},
                {"webhook", "send", "--json", "--url", "https://h/x", "--secret-env", KEY_ENV, "--event", "video_copied_ftp"},
                {"probe", "--json"},
        };
        for (String[] line : lines) {
            Run r = run(line);
            String what = String.join(" ", line) + ": " + r.out() + r.err();
            assertEquals(2, r.code(), what);
            JsonNode j = r.json();
            assertFalse(j.get("ok").asBoolean(), what);
            assertEquals("BAD_INPUT", j.get("reason").asText(), what);
            assertFalse(j.get("message").asText().isEmpty(), what);
            assertTrue(j.get("hint").asText().contains("--help"), what);
            assertEquals(1, r.out().strip().lines().count(), "one JSON object: " + what);
            assertTrue(r.err().contains("ferry: "), "the text stays on standard error: " + what);
        }
        Run text = run("upload", a.toString());
        assertEquals(2, text.code());
        assertEquals("", text.out(), "no JSON without --json");
    }

    @Test
    void webhookSendRefusesALoopbackOrPrivateUrlUnlessAllowPrivateIsGiven(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("data.json"), DATA);
        for (String url : new String[] {"http://127.0.0.1:9/h", "http://10.0.0.7/h", "http://169.254.169.254/latest/meta-data/"}) {
            Run r = run("webhook", "send", "--json", "--url", url, "--style", "pipe", "--secret-env", KEY_ENV, "--event", "video_copied_ftp",
                    "--data-file", data.toString());
            assertEquals(FerryCli.EXIT_FAILURE, r.code(), r.out() + r.err());
            assertEquals("ADDRESS_REFUSED", r.json().get("failure").asText(), r.out());
            assertFalse(r.json().get("retryable").asBoolean());
            String m = r.json().get("message").asText();
            assertTrue(m.contains(url.substring(7, url.indexOf('/', 7)).replaceAll(":\\d+$", "")), m);
            assertEquals(!url.contains("169.254"), m.contains("--allow-private"), "the flag does not allow link-local: " + m);
        }
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.start(InetAddress.getLoopbackAddress(), 0);
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            Run allowed = run("webhook", "send", "--json", "--allow-private", "--url", receiver.url("/h").toString(), "--style", "pipe",
                    "--secret-env", KEY_ENV, "--event", "video_copied_ftp", "--data-file", data.toString());
            assertEquals(0, allowed.code(), allowed.out() + allowed.err());
            assertEquals(1, receiver.getRequestCount());
        }
        Run text = run("webhook", "send", "--url", "http://127.0.0.1:9/h", "--style", "pipe", "--secret-env", KEY_ENV, "--event",
                "video_copied_ftp", "--data-file", data.toString());
        assertTrue(text.out().contains("a loopback address") && text.out().contains("--allow-private"), text.out());
    }

    @Test
    void webhookDataCannotReplaceTheEnvelope(@TempDir Path dir) throws Exception {
        String[] injections = {DATA + ", \"event\":\"video_recorded\"", DATA + "}, \"event\":\"video_recorded\", \"x\":{",
                "[" + DATA + "]", "\"text\"", ""};
        for (String text : injections) {
            Path data = Files.writeString(dir.resolve("data.json"), text);
            // Port 9 (discard) on loopback: nothing is sent if the data is refused first.
            Run r = run("webhook", "send", "--json", "--url", "http://127.0.0.1:9/h", "--style", "pipe", "--secret-env", KEY_ENV,
                    "--event", "video_copied_ftp", "--data-file", data.toString());
            assertEquals(2, r.code(), text + " -> " + r.out() + r.err());
            assertEquals("BAD_INPUT", r.json().get("reason").asText(), r.out());
            assertTrue(r.json().get("message").asText().contains("--data-file"), r.out());
        }
    }

    @Test
    void aUsageErrorShowsNoPasswordOrTokenOfAUrlItRepeats() {
        // A URL given where a number belongs: picocli's message quotes the value.
        Run r = run("upload", "--json", "--timeout", "ftps://alice:Hunter2pw@host/in?token=Tok3nSecret", "a.bin", "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        for (String secret : new String[] {"Hunter2pw", "Tok3nSecret"}) {
            assertFalse(r.err().contains(secret), r.err());
            assertFalse(r.out().contains(secret), r.out());
        }
        assertTrue(r.err().contains("ftps://alice:****@host/in?…"), r.err());
    }
}
