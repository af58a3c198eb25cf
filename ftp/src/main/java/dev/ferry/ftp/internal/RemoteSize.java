package dev.ferry.ftp.internal;

/**
 * What the server said about a file's size: there is no such file, it cannot tell (no {@code SIZE} and no
 * {@code MLST}, or an answer that is not a number), or the size in bytes.
 *
 * @param state which of the three
 * @param bytes the size when {@link State#PRESENT}, else -1
 */
record RemoteSize(State state, long bytes) {
    /** Which answer the server gave. */
    enum State { PRESENT, ABSENT, UNKNOWN }

    static final RemoteSize ABSENT = new RemoteSize(State.ABSENT, -1);
    static final RemoteSize UNKNOWN = new RemoteSize(State.UNKNOWN, -1);

    RemoteSize {
        if (state == State.PRESENT ? bytes < 0 : bytes != -1) {
            throw new IllegalArgumentException(state + " with " + bytes + " bytes");
        }
    }

    static RemoteSize of(long bytes) {
        return new RemoteSize(State.PRESENT, bytes);
    }

    /** Parses a size the server sent; a negative or unparsable one is {@link #UNKNOWN}. */
    static RemoteSize parse(String digits) {
        try {
            long n = Long.parseLong(digits.strip());
            return n < 0 ? UNKNOWN : of(n);
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    boolean present() {
        return state == State.PRESENT;
    }

    boolean absent() {
        return state == State.ABSENT;
    }

    boolean unknown() {
        return state == State.UNKNOWN;
    }

    /** The size, or -1 when there is no file or the server cannot tell (core's look-ups count both as "none"). */
    long orNone() {
        return bytes;
    }

    @Override
    public String toString() {
        return present() ? bytes + " bytes" : state.name().toLowerCase(java.util.Locale.ROOT);
    }
}
