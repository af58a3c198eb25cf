package dev.ferry.sftp.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.sshd.common.kex.KexProposalOption;

/**
 * A key exchange that ended because the client and the server have no algorithm of one kind in common
 * ({@code kind} is {@code null} when MINA failed the negotiation for another reason, then {@code detail} says why).
 */
record NegotiationFailure(KexProposalOption kind, String ours, String theirs, String detail) {
    /** What MINA reported at the end of a failed negotiation: the first kind it could not agree on. */
    static NegotiationFailure of(Map<KexProposalOption, String> client, Map<KexProposalOption, String> server,
                                 Map<KexProposalOption, String> negotiated, Throwable reason) {
        String detail = String.valueOf(reason.getMessage());
        if (detail.startsWith("Unable to negotiate")) {
            for (KexProposalOption k : KexProposalOption.VALUES) {
                // MINA agrees on the kinds in this order and stops at the first without a common algorithm.
                if (!negotiated.containsKey(k) && k != KexProposalOption.C2SLANG && k != KexProposalOption.S2CLANG) {
                    return new NegotiationFailure(k, names(client.get(k)), names(server.get(k)), detail);
                }
            }
        }
        return new NegotiationFailure(null, null, null, detail);
    }

    /** A proposal without the pseudo-algorithms that only signal extensions (ext-info-c, kex-strict-...). */
    private static String names(String proposal) {
        return proposal == null ? "" : Arrays.stream(proposal.split(","))
                .filter(n -> !n.startsWith("ext-info-") && !n.startsWith("kex-strict-"))
                .collect(Collectors.joining(", "));
    }

    String message(String hostAndPort) {
        if (kind == null) {
            return "the SSH key exchange with " + hostAndPort + " failed: " + detail;
        }
        return "no " + kind.getDescription() + " in common with " + hostAndPort + ": the server offers " + theirs
                + "; Ferry offers " + ours;
    }

    String hint() {
        if (kind == KexProposalOption.SERVERKEYS) {
            return "the server signs its host key only with algorithms Ferry refuses (ssh-rsa signs with SHA-1; OpenSSH "
                    + "disabled it in 8.8): enable rsa-sha2-256/rsa-sha2-512 on the server (OpenSSH 7.2 and later) or "
                    + "give it an ed25519 or ECDSA host key";
        }
        if (kind == KexProposalOption.C2SMAC || kind == KexProposalOption.S2CMAC) {
            return "the server offers only MACs Ferry refuses (hmac-sha1, hmac-md5): enable hmac-sha2-256 or "
                    + "hmac-sha2-512, or an AES-GCM cipher, on the server";
        }
        return "the server's SSH configuration allows only algorithms Ferry does not offer; enable a current set on the "
                + "server (OpenSSH's defaults)";
    }
}
