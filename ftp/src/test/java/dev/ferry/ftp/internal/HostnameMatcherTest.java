package dev.ferry.ftp.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostnameMatcherTest {
    @Test
    void wildcardsCoverExactlyOneLeftMostLabel() {
        assertTrue(HostnameMatcher.matchesPattern("ftp.example.com", "*.example.com"));
        assertFalse(HostnameMatcher.matchesPattern("a.ftp.example.com", "*.example.com"));
        assertFalse(HostnameMatcher.matchesPattern("example.com", "*.example.com"));
        assertFalse(HostnameMatcher.matchesPattern("example.com", "*.com"));
        assertTrue(HostnameMatcher.matchesPattern("ftp.example.com", "ftp.example.com"));
        assertFalse(HostnameMatcher.matchesPattern("ftp.example.com.evil", "ftp.example.com"));
    }

    @Test
    void ipLiteralsAreRecognised() {
        assertTrue(HostnameMatcher.isIpLiteral("127.0.0.1"));
        assertTrue(HostnameMatcher.isIpLiteral("::1"));
        assertFalse(HostnameMatcher.isIpLiteral("localhost"));
    }
}
