package dev.ferry.ftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.ftp.internal.FtpStorageTarget.ReuseChange;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What an FTPS target learns from the server refusing a data connection that did not resume the control
 * connection's TLS session, and which engine (hence TLS version) its next connections use.
 */
class ReuseLearningTest {
    private static FtpStorageTarget target(TlsOptions tls) throws Exception {
        TargetConfig config = TargetConfig.builder(URI.create("ftps://u@127.0.0.1:2121/"))
                .credentials(Credentials.password("u", "Pw-reuse-test".toCharArray())).tls(tls).build();
        return new FtpStorageTarget(config, FtpSettings.from(config));
    }

    @Test
    void tooFewTls13ResumptionsSwitchTheTargetToTls12AndBackIfThatDoesNotResumeEither() throws Exception {
        FtpStorageTarget t = target(TlsOptions.defaults());
        assertEquals(TlsEngine.JDK, t.engineFor());
        assertEquals(0, t.transfersPerConnection(TlsEngine.JDK));

        // A TLS 1.3 control connection resumed one data connection, then the server refused the second.
        assertEquals(ReuseChange.TO_TLS_1_2, t.noteReuseRefusal(TlsEngine.JDK, "TLSv1.3", 1));
        assertEquals(TlsEngine.BOUNCY_CASTLE, t.engineFor());
        assertEquals(1, t.transfersPerConnection(TlsEngine.JDK));
        assertEquals(0, t.transfersPerConnection(TlsEngine.BOUNCY_CASTLE), "1.2 resumes by session ID: no limit");
        // Another session of the pool, opened before the switch, reports the same: nothing more changes.
        assertEquals(ReuseChange.NONE, t.noteReuseRefusal(TlsEngine.JDK, "TLSv1.3", 1));

        // The first TLS 1.2 data connection is refused too: back to 1.3 with the learned limit, once and for all.
        assertEquals(ReuseChange.BACK_TO_TLS_1_3, t.noteReuseRefusal(TlsEngine.BOUNCY_CASTLE, "TLSv1.2", 0));
        assertEquals(TlsEngine.JDK, t.engineFor());
        assertEquals(1, t.transfersPerConnection(TlsEngine.JDK));
        assertEquals(ReuseChange.NONE, t.noteReuseRefusal(TlsEngine.JDK, "TLSv1.3", 1), "no flip-flop");
        assertEquals(TlsEngine.JDK, t.engineFor());
    }

    @Test
    void aRefusalOfTheFirstDataConnectionTeachesNothing() throws Exception {
        FtpStorageTarget t = target(TlsOptions.defaults());
        assertEquals(ReuseChange.NONE, t.noteReuseRefusal(TlsEngine.JDK, "TLSv1.3", 0));
        assertEquals(TlsEngine.JDK, t.engineFor());
        assertEquals(0, t.transfersPerConnection(TlsEngine.JDK));
    }

    @Test
    void aMinimumOfTls13IsKept() throws Exception {
        FtpStorageTarget t = target(TlsOptions.builder().minProtocol("1.3").build());
        assertEquals(ReuseChange.NONE, t.noteReuseRefusal(TlsEngine.JDK, "TLSv1.3", 2));
        assertEquals(TlsEngine.JDK, t.engineFor());
        assertEquals(2, t.transfersPerConnection(TlsEngine.JDK), "it reconnects before the limit instead");
    }
}
