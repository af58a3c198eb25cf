package dev.ferry.core.spi;

import dev.ferry.core.Credentials;
import dev.ferry.core.TransferException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ordered, masked record of a protocol conversation: what was sent, what was received, and
 * notes (TLS facts, reconnects).
 *
 * <p>Masking: a {@code PASS} command is always recorded as {@code PASS ****}, and every string
 * registered with {@link #addSecret(String)} is replaced by {@code ****} in every line, before the
 * line is stored. Bounded: past {@link #DEFAULT_MAX_LINES} lines, the first half is kept, the
 * latest lines are kept, and one line says how many were left out between them.
 *
 * <p>Thread-safe. Rendered lines start with {@code "> "} (sent), {@code "< "} (received) or
 * {@code "* "} (note).
 */
public final class Transcript {
    /** The default bound on stored lines. */
    public static final int DEFAULT_MAX_LINES = 2000;
    /** What a masked secret becomes. */
    public static final String MASK = "****";

    private static final Pattern PASS_COMMAND = Pattern.compile("^(PASS|ACCT)(\\s+).*$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final int MAX_LINE_CHARS = 4096;

    /** Who said a line. */
    public enum Direction {
        /** Sent by Ferry. */
        SENT("> "),
        /** Received from the server. */
        RECEIVED("< "),
        /** A note by Ferry (TLS facts, reconnects, summaries). */
        NOTE("* ");

        private final String prefix;

        Direction(String prefix) {
            this.prefix = prefix;
        }

        /** The rendering prefix. */
        public String prefix() {
            return prefix;
        }
    }

    /** One line of a transcript. */
    public record Line(Instant time, Direction direction, String text) {
        public Line {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(text, "text");
        }

        /** {@code "> AUTH TLS"}, {@code "< 234 ..."} or {@code "* note"}. */
        public String render() {
            return direction.prefix() + text;
        }
    }

    private final int maxLines;
    private final int headLines;
    private final Clock clock;
    private final Set<String> secrets = new CopyOnWriteArraySet<>();
    private final List<Line> head = new ArrayList<>();
    private final Deque<Line> tail = new ArrayDeque<>();
    private long omitted;
    /** How many lines were ever added: the position of the next line. */
    private long added;

    /** An empty transcript with the default bound. */
    public Transcript() {
        this(DEFAULT_MAX_LINES);
    }

    /** An empty transcript that keeps at most {@code maxLines} lines (at least 4). */
    public Transcript(int maxLines) {
        this(maxLines, Clock.systemUTC());
    }

    Transcript(int maxLines, Clock clock) {
        if (maxLines < 4) {
            throw new IllegalArgumentException("maxLines must be at least 4, was " + maxLines);
        }
        this.maxLines = maxLines;
        this.headLines = maxLines / 2;
        this.clock = clock;
    }

    /** Registers the password and key passphrase of {@code credentials} (those present), so neither can appear here. */
    public Transcript addSecretsOf(Credentials credentials) {
        credentials.password().ifPresent(p -> addSecret(new String(p)));
        credentials.passphrase().ifPresent(p -> addSecret(new String(p)));
        return this;
    }

    /**
     * Registers a secret (a password, passphrase or token) that must never appear in this transcript.
     * Lines already stored are masked too. Empty strings and {@code null} are ignored.
     */
    public Transcript addSecret(CharSequence secret) {
        if (secret != null && secret.length() > 0) {
            String s = secret.toString();
            secrets.add(s);
            synchronized (this) {
                head.replaceAll(this::remask);
                List<Line> t = new ArrayList<>(tail);
                tail.clear();
                for (Line l : t) {
                    tail.add(remask(l));
                }
            }
        }
        return this;
    }

    private Line remask(Line l) {
        String m = maskSecrets(l.text());
        return m.equals(l.text()) ? l : new Line(l.time(), l.direction(), m);
    }

    /** Records a line sent to the server; a {@code PASS} command's argument is masked. */
    public void sent(String text) {
        add(Direction.SENT, maskCommand(text));
    }

    /** Records a line received from the server. */
    public void received(String text) {
        add(Direction.RECEIVED, text);
    }

    /** Records a note (TLS facts, reconnects, summaries). */
    public void note(String text) {
        add(Direction.NOTE, text);
    }

    /** Records a line. */
    public void add(Direction direction, String text) {
        // Mask before the line is cut to its maximum length: a secret across the cut would keep its first part.
        String clean = maskSecrets(sanitize(maskSecrets(text == null ? "" : text)));
        Line line = new Line(clock.instant(), direction, clean);
        synchronized (this) {
            added++;
            if (head.size() < headLines) {
                head.add(line);
                return;
            }
            tail.addLast(line);
            if (tail.size() > maxLines - headLines - 1) {
                tail.removeFirst();
                omitted++;
            }
        }
    }

    /** The stored lines in order; when lines were left out, a note in the middle says how many. */
    public synchronized List<Line> lines() {
        List<Line> out = new ArrayList<>(head.size() + tail.size() + 1);
        out.addAll(head);
        if (omitted > 0) {
            Instant t = tail.isEmpty() ? clock.instant() : tail.peekFirst().time();
            out.add(new Line(t, Direction.NOTE, "[" + omitted + " lines omitted]"));
        }
        out.addAll(tail);
        return Collections.unmodifiableList(out);
    }

    /** The lines rendered with their prefixes ({@code "> PASS ****"}). */
    public List<String> render() {
        List<Line> ls = lines();
        List<String> out = new ArrayList<>(ls.size());
        for (Line l : ls) {
            out.add(l.render());
        }
        return List.copyOf(out);
    }

    /**
     * The position of the next line, for {@link #renderSince(long)}: take a mark before a step, render
     * what the step added after it.
     */
    public synchronized long mark() {
        return added;
    }

    /**
     * The lines added since {@code mark} (from {@link #mark()}), rendered like {@link #render()}. Costs
     * the number of those lines, not the size of the transcript. When some of them were left out to keep
     * the bound, a note in their place says how many.
     */
    public synchronized List<String> renderSince(long mark) {
        if (mark < 0 || mark > added) {
            throw new IllegalArgumentException("not a mark of this transcript: " + mark);
        }
        List<String> out = new ArrayList<>();
        for (int i = (int) Math.min(mark, head.size()); i < head.size(); i++) {
            out.add(head.get(i).render());
        }
        long tailStart = added - tail.size(); // the position of the first line kept in the tail
        long gapFrom = Math.max(mark, head.size());
        if (tailStart > gapFrom) {
            out.add(Direction.NOTE.prefix() + "[" + (tailStart - gapFrom) + " lines omitted]");
        }
        long pos = tailStart;
        for (Line l : tail) {
            if (pos++ >= mark) {
                out.add(l.render());
            }
        }
        return List.copyOf(out);
    }

    /** How many lines were left out to keep the bound. */
    public synchronized long omittedLines() {
        return omitted;
    }

    /** Whether any line of the given direction starts with the text (case-insensitive). */
    public boolean containsCommand(String commandPrefix) {
        String p = commandPrefix.toUpperCase(Locale.ROOT);
        for (Line l : lines()) {
            if (l.direction() == Direction.SENT && l.text().toUpperCase(Locale.ROOT).startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Masks a protocol command the way this transcript would store it ({@code PASS x} → {@code PASS ****}). */
    public static String maskCommand(String text) {
        if (text == null) {
            return "";
        }
        Matcher m = PASS_COMMAND.matcher(text.strip());
        if (m.matches()) {
            return m.group(1) + " " + MASK;
        }
        return text;
    }

    /**
     * The text with every secret registered with this transcript replaced by {@link #MASK}: for server text that goes
     * elsewhere than the transcript (a log line, an exception, a probe step). {@code null} stays {@code null}.
     */
    public String mask(String text) {
        return text == null ? null : maskSecrets(text);
    }

    /** The registered secrets, for {@link TransferException.Builder#mask(Transcript)}; a copy. */
    public Set<String> secrets() {
        return Set.copyOf(secrets);
    }

    private String maskSecrets(String text) {
        return mask(text, secrets);
    }

    /** {@code text} with each of {@code secrets} replaced by {@link #MASK}; shared by the transcript and the exception. */
    public static String mask(String text, java.util.Collection<String> secrets) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        // Longest first: a password that is part of the passphrase must not split the passphrase's mask.
        List<String> bySize = new ArrayList<>(secrets);
        bySize.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String s : bySize) {
            if (!s.isEmpty() && out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }

    private static String sanitize(String text) {
        if (text == null) {
            return "";
        }
        String t = text;
        // Strip the line terminator of a protocol line; keep other control characters visible.
        while (t.endsWith("\n") || t.endsWith("\r")) {
            t = t.substring(0, t.length() - 1);
        }
        t = t.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        if (t.length() > MAX_LINE_CHARS) {
            t = t.substring(0, MAX_LINE_CHARS) + "…[" + (t.length() - MAX_LINE_CHARS) + " chars cut]";
        }
        return t;
    }

    @Override
    public String toString() {
        return "Transcript[" + lines().size() + " lines]";
    }
}
