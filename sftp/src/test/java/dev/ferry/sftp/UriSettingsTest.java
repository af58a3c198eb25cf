package dev.ferry.sftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.sftp.internal.SftpSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SFTP settings from a URI query and from the builder: parsed once into SftpSettings, range-checked once. No connection is made. */
class UriSettingsTest {
    static TargetConfig config(String query) throws TransferException {
        return TargetConfig.builder("sftp://bob@127.0.0.1:1/in?" + query).credentials(Credentials.password("bob", "pw".toCharArray()))
                .hostKeys(HostKeys.insecureAcceptAny()).build();
    }

    @Test
    void theQueryBecomesTypedSettings() throws Exception {
        assertEquals(new SftpSettings(Duration.ofSeconds(5), 4096), SftpSettings.from(config("keepalive=5&write-size=4096")));
        assertEquals(new SftpSettings(SftpSettings.DEFAULT_KEEPALIVE, SftpSettings.DEFAULT_WRITE_SIZE), SftpSettings.from(config("")));
        StorageTargets.open(config("keepalive=%2010%20&write-size=1048576")).close();
    }

    @Test
    void aBadValueIsBadInputNamingTheParameter() throws Exception {
        String[][] cases = {
                {"keepalive=abc", "keepalive=abc: not a whole number of seconds"},
                {"keepalive=-5", "keepalive must not be negative"},
                {"write-size=12k", "write-size=12k: not a whole number"},
                {"write-size=99999999999", "write-size=99999999999: not a whole number"},
                {"write-size=1023", "write-size must be from 1024 to 1048576 bytes, got 1023"},
                {"write-size=1048577", "write-size must be from 1024 to 1048576 bytes, got 1048577"}};
        for (String[] c : cases) {
            TargetConfig cfg = config(c[0]);
            TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(cfg).close(), c[0]);
            assertEquals(Reason.BAD_INPUT, e.reason(), c[0]);
            assertTrue(e.getMessage().startsWith("invalid SFTP parameter in sftp://bob@127.0.0.1:1/in: ")
                    && e.getMessage().contains(c[1]), e.getMessage());
            assertEquals("valid parameters: keepalive=SECONDS, write-size=BYTES", e.hint());
        }
    }

    @Test
    void theBuilderMeetsTheSameChecks() {
        SftpTarget.Builder b = SftpTarget.builder().host("127.0.0.1").credentials(Credentials.password("bob", "pw".toCharArray()))
                .hostKeys(HostKeys.insecureAcceptAny());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.writeSize(512).build());
        assertTrue(e.getMessage().contains("write-size must be from 1024"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.writeSize(4096).keepAlive(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().contains("keepalive must not be negative"), e.getMessage());
    }
}
