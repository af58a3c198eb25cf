package dev.ferry.ftp.internal;

import dev.ferry.core.TargetConfig;

import java.net.Socket;

/**
 * Closes a data connection's TCP socket, with a reset, once no byte moved for the data timeout: a blocked write does not
 * honour {@code SO_TIMEOUT}. Run periodically by the target's scheduler ({@link FtpStorageTarget#watch}).
 */
final class Watchdog implements Runnable {
    private final long timeoutNanos;
    private final long periodMillis;
    private volatile Socket socket;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean fired;

    Watchdog(TargetConfig config) {
        this.timeoutNanos = config.dataTimeout().toNanos();
        this.periodMillis = Math.max(100, Math.min(1000, config.dataTimeout().toMillis() / 4));
    }

    /** How often it should run. */
    long periodMillis() {
        return periodMillis;
    }

    /** Starts watching the data connection's TCP socket, from now. */
    void arm(Socket s) {
        lastProgress = System.nanoTime();
        socket = s;
    }

    void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether it closed the socket: the transfer stalled. */
    boolean fired() {
        return fired;
    }

    @Override
    public void run() {
        Socket s = this.socket;
        if (s != null && !fired && System.nanoTime() - lastProgress > timeoutNanos) {
            fired = true;
            FerryFtpClient.resetQuietly(s); // as an abort: the server must not confirm a partial file
        }
    }
}
