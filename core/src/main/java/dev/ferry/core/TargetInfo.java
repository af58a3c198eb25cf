package dev.ferry.core;

/**
 * What a target is, safe to show anywhere.
 *
 * @param protocol {@code ftps}, {@code ftp} or {@code sftp}
 * @param host the host name or address
 * @param port the port
 * @param baseDirectory the absolute base directory on the server
 * @param redactedUri the target's URI with no secret in it
 */
public record TargetInfo(String protocol, String host, int port, String baseDirectory, String redactedUri) {
}
