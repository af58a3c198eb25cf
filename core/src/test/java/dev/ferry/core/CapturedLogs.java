package dev.ferry.core;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The SLF4J binding of the core's tests (registered in META-INF/services): every level on, each event kept as text with
 * its stack trace, the latest {@value #MAX_EVENTS} only, so a test can look for a secret in what the library logs.
 */
public final class CapturedLogs implements SLF4JServiceProvider {
    static final int MAX_EVENTS = 5000;
    private static final ConcurrentLinkedDeque<String> EVENTS = new ConcurrentLinkedDeque<>();

    private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, Capturing::new);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** Forgets what was logged so far. */
    static void clear() {
        EVENTS.clear();
    }

    /** What was logged since the last {@link #clear()}, one event per element. */
    static List<String> events() {
        return new ArrayList<>(EVENTS);
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    private static final class Capturing extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        Capturing(String name) {
            this.name = name;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            StringBuilder sb = new StringBuilder(level + " " + name + ": " + MessageFormatter.basicArrayFormat(pattern, args));
            if (t != null) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                sb.append('\n').append(w);
            }
            EVENTS.addLast(sb.toString());
            while (EVENTS.size() > MAX_EVENTS) {
                EVENTS.pollFirst();
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
