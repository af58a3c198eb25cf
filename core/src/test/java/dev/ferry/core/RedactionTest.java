package dev.ferry.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one URL rule, as target URIs, webhook URLs and CLI usage errors meet it: scheme, user, host, port and path stay;
 * the password becomes {@code ****}, the query {@code ?…}, the fragment goes. Every secret below contains "Sx".
 */
class RedactionTest {
    static final String URL = "url";
    static final String TEXT = "urlsIn";

    static Stream<Arguments> table() {
        return Stream.of(
                // target URIs
                row(URL, "ftps://alice@ftp.example.com:2121/in?passive-nat=control-host", "ftps://alice@ftp.example.com:2121/in?…"),
                row(URL, "sftp://bob@host/~/in", "sftp://bob@host/~/in"),
                row(URL, "ftps://alice:plainSx9@host/dir", "ftps://alice:****@host/dir"),
                row(URL, "ftps://alice:Pa@ssSx9@host/dir", "ftps://alice:****@host/dir"),
                row(URL, "ftps://alice:Se/cretSx9@host/dir", "ftps://alice:****@host/dir"),
                row(URL, "ftps://alice:qu?erySx7@host/dir", "ftps://alice:****@host/dir"),
                row(URL, "ftps://alice:ha#shSx77@host/dir", "ftps://alice:****@host/dir"),
                row(URL, "ftps://alice:a@b/c?d#eSx@host:21/dir?k=v", "ftps://alice:****@host:21/dir?…"),
                row(URL, "ftps://us%40er:p%3AwSx@host/x", "ftps://us%40er:****@host/x"),
                row(URL, "ftps://alice:pwSx@host/dir#Sx-fragment", "ftps://alice:****@host/dir"),
                // IPv6 hosts
                row(URL, "sftp://bob@[2001:db8::7]:2222/srv", "sftp://bob@[2001:db8::7]:2222/srv"),
                row(URL, "sftp://bob:pwSx@[::1]:2222/srv", "sftp://bob:****@[::1]:2222/srv"),
                row(URL, "http://[::1]/a@b?tSx=1", "http://[::1]/a@b?…"),
                // webhook URLs: tokens in the query, an explicit port as written
                row(URL, "https://customer.example/hook?token=S3cr3tSx", "https://customer.example/hook?…"),
                row(URL, "https://customer.example:443/hook?a=1&sig=Sx", "https://customer.example:443/hook?…"),
                row(URL, "http://[::1]:8080/h#frag-Sx", "http://[::1]:8080/h"),
                row(URL, "https://hooks.example/in/@team?t=Sx", "https://hooks.example/in/@team?…"),
                // malformed: a bad port, no host, no scheme, control characters
                row(URL, "https://u:pw-HunterSx@customer.example:99999/hook?token=Sx", "https://u:****@customer.example:99999/hook?…"),
                row(URL, "https://u:pw/HunterSx@customer.example:99999/hook#Sx", "https://u:****@customer.example:99999/hook"),
                row(URL, "ftps:///dir?k=Sx", "ftps:///dir?…"),
                row(URL, "alice:pwSx@host/in", "alice:****@host/in"),
                row(URL, "no-scheme/x?k=Sx", "no-scheme/x?…"),
                row(URL, "ftps://alice:pw\r\nSx@host/in", "ftps://alice:****@host/in"),
                row(URL, "ftps://host/in\r\nQUIT", "ftps://host/in\\r\\nQUIT"),
                row(URL, "::::", "::::"),
                row(URL, "", ""),
                // read either way: taken as a password, hiding more
                row(URL, "ftps://host:21/a@b", "ftps://host:****@b"),
                // URLs inside free text (CLI usage errors)
                row(TEXT, "Invalid value for option '--timeout': 'ftps://alice:Hunter2Sx@host/in?token=Tok3nSx' is not an int",
                        "Invalid value for option '--timeout': 'ftps://alice:****@host/in?…' is not an int"),
                row(TEXT, "see https://h:8443/p?a=Sx and sftp://bob@h/d", "see https://h:8443/p?… and sftp://bob@h/d"),
                row(TEXT, "two: ftp://a:x1Sx@h1/p, \"ftp://b:x/2Sx@h2/q?z\" end", "two: ftp://a:****@h1/p, \"ftp://b:****@h2/q?…\" end"),
                row(TEXT, "Unmatched arguments: sftp://u:p@wSx@[::1]/in#Sx\nnext line", "Unmatched arguments: sftp://u:****@[::1]/in\nnext line"),
                row(TEXT, "ferry: x?token=…", "ferry: x?token=…"),
                row(TEXT, "no url here: a:b@c", "no url here: a:b@c"));
    }

    static Arguments row(String function, String in, String expected) {
        return Arguments.of(function, in, expected);
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("table")
    void redacts(String function, String in, String expected) {
        String out = function.equals(URL) ? Redaction.url(in) : Redaction.urlsIn(in);
        assertEquals(expected, out);
        assertFalse(out.contains("Sx"), out);
        if (function.equals(URL)) {
            assertFalse(out.contains("\r") || out.contains("\n"), out);
            assertTrue(Redaction.url(null).isEmpty() && Redaction.urlsIn(null).isEmpty());
        }
    }
}
