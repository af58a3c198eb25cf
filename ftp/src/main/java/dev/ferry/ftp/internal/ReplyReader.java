package dev.ferry.ftp.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;

/**
 * Reads the lines of the control connection's replies within bounds a hostile server cannot push past: the length of a
 * line, the lines and characters of one reply, and the time one reply may take. Commons Net's own reader keeps a line
 * whole however long it grows, and its socket timeout applies to each read, so an endless line fills the heap and a line
 * a second never times out. Replaces Commons Net's reader as {@code _controlInput_} (one per socket: plain, then TLS);
 * Commons Net's parsing of the lines stays as it is. Not thread-safe.
 */
final class ReplyReader extends BufferedReader {
    /** The longest reply line, in bytes without the line end; FTP lines are short (RFC 959 has no limit, servers' are ~512). */
    static final int MAX_LINE_BYTES = 8 * 1024;
    /** The most lines of one reply: plenty for FEAT and HELP. */
    static final int MAX_LINES = 1000;
    /** The most characters of one reply, all lines together. */
    static final int MAX_REPLY_CHARS = 256 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final Charset charset;
    private final byte[] buffer = new byte[4096];
    private int pos;
    private int limit;
    private final byte[] line = new byte[MAX_LINE_BYTES + 1];

    /** When the current reply must have ended (System.nanoTime), or 0 outside a reply or without a timeout. */
    private long deadline;
    private int budgetMillis;
    private int restoreTimeout;
    private int lines;
    private int chars;
    private boolean started;

    ReplyReader(Socket socket, Charset charset) throws IOException {
        super(Reader.nullReader(), 1);
        this.socket = socket;
        this.in = socket.getInputStream();
        this.charset = charset;
    }

    /**
     * Starts a reply: it must end within the socket's read timeout (or {@code fallbackMillis} if the socket has none),
     * counted from now for the whole reply, not per read.
     */
    void begin(int fallbackMillis) throws IOException {
        restoreTimeout = socket.getSoTimeout();
        budgetMillis = restoreTimeout > 0 ? restoreTimeout : fallbackMillis;
        deadline = budgetMillis > 0 ? System.nanoTime() + budgetMillis * 1_000_000L : 0;
        lines = 0;
        chars = 0;
        started = false;
    }

    /** Ends the reply: the socket gets its read timeout back. Never throws. */
    void end() {
        if (deadline != 0) {
            deadline = 0;
            try {
                socket.setSoTimeout(restoreTimeout);
            } catch (SocketException e) {
                // closed: nothing to restore
            }
        }
    }

    /**
     * A line without its end (LF, or CR LF), or {@code null} at the end of the stream. A line cut off by the end of the
     * stream is returned as it is, as Commons Net's reader does.
     *
     * @throws ReplyTooLargeException if the line, or the reply so far, is longer than the bounds allow
     * @throws ReplyTooSlowException if the reply has begun and does not end in time
     */
    @Override
    public String readLine() throws IOException {
        if (++lines > MAX_LINES) {
            throw new ReplyTooLargeException("a reply of more than " + MAX_LINES + " lines");
        }
        int n = 0;
        while (true) {
            if (pos == limit && !fill()) {
                return n == 0 ? null : decode(n);
            }
            byte b = buffer[pos++];
            started = true;
            if (b == '\n') {
                return decode(n > 0 && line[n - 1] == '\r' ? n - 1 : n);
            }
            if (n == line.length) {
                // One byte more than a line may hold: the CR of a CR LF, or a line too long.
                throw new ReplyTooLargeException("a reply line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line[n++] = b;
        }
    }

    private String decode(int n) throws ReplyTooLargeException {
        if (n > MAX_LINE_BYTES) {
            throw new ReplyTooLargeException("a reply line longer than " + MAX_LINE_BYTES + " bytes");
        }
        String s = new String(line, 0, n, charset);
        chars += s.length();
        if (chars > MAX_REPLY_CHARS) {
            throw new ReplyTooLargeException("a reply longer than " + MAX_REPLY_CHARS + " characters");
        }
        return s;
    }

    /** Reads more bytes, waiting no longer than the reply has left. Returns false at the end of the stream. */
    private boolean fill() throws IOException {
        if (deadline != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw tooSlow(null);
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        }
        int r;
        try {
            r = in.read(buffer, 0, buffer.length);
        } catch (SocketTimeoutException e) {
            // A reply that began and then stopped is too slow; silence from the start is the caller's plain timeout.
            throw started && deadline != 0 ? tooSlow(e) : e;
        }
        if (r < 0) {
            return false;
        }
        pos = 0;
        limit = r;
        return true;
    }

    private ReplyTooSlowException tooSlow(SocketTimeoutException cause) {
        ReplyTooSlowException e = new ReplyTooSlowException(Math.max(0, lines - 1) + " complete lines in that time",
                budgetMillis);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    @Override
    public int read() {
        throw new UnsupportedOperationException("replies are read by line");
    }

    @Override
    public int read(char[] cbuf, int off, int len) {
        throw new UnsupportedOperationException("replies are read by line");
    }

    @Override
    public boolean ready() {
        return pos < limit;
    }

    /** Leaves the stream open: it belongs to the socket, which the client closes. */
    @Override
    public void close() {
        pos = limit;
    }

    /** A reply larger than {@link ReplyReader}'s bounds: a broken or hostile server (PROTOCOL). */
    static final class ReplyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ReplyTooLargeException(String message) {
            super(message);
        }
    }

    /** A reply that began but did not end within the reply timeout (TIMEOUT). */
    static final class ReplyTooSlowException extends SocketTimeoutException {
        private static final long serialVersionUID = 1L;
        private final int budgetMillis;

        ReplyTooSlowException(String message, int budgetMillis) {
            super(message);
            this.budgetMillis = budgetMillis;
        }

        int budgetMillis() {
            return budgetMillis;
        }
    }
}
