package dev.ferry.ftp.internal;

import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FtpRepliesTest {
    @Test
    void repliesMapToReasons() {
        assertEquals(Reason.AUTH, FtpReplies.classify("PASS", 530, "530 Login incorrect.").reason());
        assertEquals(Reason.NO_SPACE, FtpReplies.classify("STOR", 452, "452 Insufficient storage").reason());
        assertEquals(Reason.NO_SPACE, FtpReplies.classify("STOR", 552, "552 Exceeded quota").reason());
        assertEquals(Reason.PERMISSION, FtpReplies.classify("STOR", 550, "550 Permission denied.").reason());
        assertEquals(Reason.NOT_FOUND, FtpReplies.classify("CWD", 550, "550 No such file or directory").reason());
        assertEquals(Reason.PERMISSION, FtpReplies.classify("STOR", 553, "553 Could not create file: permission denied").reason());
        assertEquals(Reason.BAD_INPUT, FtpReplies.classify("STOR", 553, "553 File name not allowed").reason());
        assertEquals(Reason.DATA_CHANNEL, FtpReplies.classify("STOR", 425, "425 Can't open data connection").reason());
        assertEquals(Reason.PROTOCOL, FtpReplies.classify("STOR", 451, "451 Local error").reason());
        assertTrue(FtpReplies.classify("STOR", 451, "451 Local error").retryable());
        assertFalse(FtpReplies.classify("PASS", 530, "530").retryable());
        FtpReplies.Verdict v551 = FtpReplies.classify("STOR", 551, "551 /in/a.bin: Error on output file.");
        assertEquals(Reason.PERMISSION, v551.reason());
        assertTrue(v551.hint().contains("could not write the file"), v551.hint());
    }

    @Test
    void sessionReuseRefusalsAreRecognised() {
        assertTrue(FtpReplies.isSessionReuseRefusal(522, "522 SSL connection failed: session reuse required"));
        assertTrue(FtpReplies.isSessionReuseRefusal(425, "425 Unable to build data connection: TLS session reuse required"));
        assertTrue(FtpReplies.isSessionReuseRefusal(450, "450 TLS session of data connection not resumed."));
        assertFalse(FtpReplies.isSessionReuseRefusal(425, "425 Can't open data connection."));
        FtpReplies.Verdict v = FtpReplies.classify("STOR", 522, "522 SSL connection failed: session reuse required");
        assertEquals(Reason.DATA_CHANNEL, v.reason());
        assertEquals(FtpReplies.REUSE_HINT, v.hint());
    }

    @Test
    void theFirewallHintNamesHostPortAndWhyFtpsMatters() {
        String h = FtpReplies.firewallHint("203.0.113.5", 30012, true);
        assertTrue(h.contains("203.0.113.5:30012"), h);
        assertTrue(h.contains("passive port range"), h);
        assertTrue(h.contains("FTPS encrypts the PASV reply"), h);
        assertFalse(FtpReplies.firewallHint("h", 1, false).contains("FTPS"));
    }
}
