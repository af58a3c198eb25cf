package dev.ferry.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule by which Ferry shows a URL in a message, a log line or a {@code toString()}: the scheme, user name,
 * host, port and path stay as written; a password shows as {@code ****}, a query as {@code ?…} (receivers and
 * storage services often take tokens in the query), and a fragment is left out.
 *
 * <pre>{@code
 * Redaction.url("https://bob:pw@hooks.example:8443/in?token=abc#x")  // "https://bob:****@hooks.example:8443/in?…"
 * }</pre>
 *
 * <p>URLs are read as text, not parsed, so a malformed one is redacted too. People type passwords unencoded, and a
 * password may hold {@code @ / ? #}: so once a user name is followed by {@code :}, everything up to the last
 * {@code @} is taken as the password. Text that reads either way ({@code host:21/a@b}) is therefore read as a password,
 * hiding more rather than less. Control characters in a URL are shown escaped (CR as {@code \r}, LF as {@code \n},
 * others as Unicode escapes). Stateless and thread-safe.
 */
public final class Redaction {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
    /** A URL in free text runs from its scheme to the next white space. */
    private static final Pattern URL_IN_TEXT = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://\\S*");

    private Redaction() {
    }

    /**
     * One URL (or URI) redacted by the rule above; {@code ""} for {@code null}.
     *
     * @param url the URL as given, valid or not
     */
    public static String url(String url) {
        if (url == null) {
            return "";
        }
        Matcher scheme = SCHEME.matcher(url);
        int start = scheme.lookingAt() ? scheme.end() : 0;
        String rest = url.substring(start);
        StringBuilder out = new StringBuilder(url.length()).append(url, 0, start);
        String afterUser;
        int colon = rest.indexOf(':');
        int lastAt = rest.lastIndexOf('@');
        if (colon >= 0 && lastAt > colon && indexOfAny(rest.substring(0, colon), "/?#[]@") < 0) {
            // user:password@...: the password may contain any of @ / ? #, so it ends only at the last '@'.
            out.append(rest, 0, colon).append(":****@");
            afterUser = rest.substring(lastAt + 1);
        } else {
            int authorityEnd = indexOfAny(rest, "/?#");
            int at = rest.lastIndexOf('@', (authorityEnd < 0 ? rest.length() : authorityEnd) - 1);
            if (at >= 0) {
                String userInfo = rest.substring(0, at);
                int c = userInfo.indexOf(':');
                out.append(c < 0 ? userInfo : userInfo.substring(0, c) + ":****").append('@');
            }
            afterUser = rest.substring(at + 1);
        }
        int cut = indexOfAny(afterUser, "?#");
        if (cut < 0) {
            out.append(afterUser);
        } else {
            out.append(afterUser, 0, cut).append(afterUser.charAt(cut) == '?' ? "?…" : "");
        }
        return escapeControls(out);
    }

    /**
     * Free text with every {@code scheme://...} in it redacted by {@link #url(String)}, e.g. a usage error that repeats
     * what was typed. A URL ends at white space; a quote just before it and at its end stays outside it. A password
     * with a space in it cannot be told from the text around it: only the part before the space is hidden.
     */
    public static String urlsIn(String text) {
        if (text == null) {
            return "";
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int done = 0;
        while (m.find()) {
            String found = m.group();
            char before = m.start() > 0 ? text.charAt(m.start() - 1) : 0;
            boolean quoted = (before == '\'' || before == '"') && found.length() > 1 && found.charAt(found.length() - 1) == before;
            out.append(text, done, m.start()).append(url(quoted ? found.substring(0, found.length() - 1) : found));
            if (quoted) {
                out.append(before);
            }
            done = m.end();
        }
        return out.append(text, done, text.length()).toString();
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** CR and LF in a message would let a value forge log lines. */
    private static String escapeControls(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
