package dev.ferry.ftp;

/** How the FTP control and data channels are protected. */
public enum FtpSecurity {
    /**
     * Explicit FTPS (the default): {@code AUTH TLS} (or {@code AUTH SSL}), {@code PBSZ 0},
     * {@code PROT P}, then log in; every data connection is encrypted and resumes the control
     * connection's TLS session. URI scheme {@code ftps}.
     */
    EXPLICIT_TLS,
    /**
     * INSECURE: plain FTP, password and files in clear text. Only when the caller asks for it (URI scheme
     * {@code ftp}); results and transcripts say so.
     */
    NONE
}
