package dev.ferry.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.webhook.DeliveryResult;
import dev.ferry.webhook.WebhookFormatException;
import dev.ferry.webhook.WebhookPayload;
import dev.ferry.webhook.WebhookRequest;
import dev.ferry.webhook.WebhookSender;
import dev.ferry.webhook.WebhookSigner;
import dev.ferry.webhook.WebhookVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ferry webhook send|verify}: build, sign and send a delivery event, or verify a received one. */
@Command(name = "webhook", mixinStandardHelpOptions = true, description = "Send or verify a signed delivery webhook.",
        subcommands = {WebhookCommand.Send.class, WebhookCommand.Verify.class})
final class WebhookCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** A usage error (exit 2), as a bare {@code ferry} is: without a subcommand nothing was done. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: send or verify");
    }

    /** Options both subcommands share. */
    abstract static class Common {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", required = true, paramLabel = "URL", description = "The webhook URL (signed in the pipe style).")
        String url;

        @Option(names = "--secret-env", required = true, paramLabel = "NAME",
                description = "Environment variable holding the webhook key (pipe) or the whsec_ secret (standard).")
        String secretEnv;

        @Option(names = "--style", paramLabel = "pipe|standard", defaultValue = "standard",
                description = "Signature form: pipe (X-Pipe-Signature) or standard (Standard Webhooks). Default: ${DEFAULT-VALUE}.")
        String style;

        @Option(names = "--json", description = "Print one JSON object on standard output.")
        boolean json;

        /** The environment, replaceable in tests. */
        Map<String, String> env = System.getenv();

        String secret() throws UsageException {
            String v = env.get(secretEnv);
            if (v == null || v.isEmpty()) {
                throw new UsageException("the environment variable " + secretEnv + " (--secret-env) is not set");
            }
            return v;
        }

        boolean pipe() throws UsageException {
            return switch (style.toLowerCase(Locale.ROOT)) {
                case "pipe" -> true;
                case "standard" -> false;
                default -> throw new UsageException("--style must be pipe or standard");
            };
        }

        int usage(String message) {
            PrintWriter err = spec.commandLine().getErr();
            if (json) {
                ObjectNode n = Output.object();
                n.put("ok", false);
                n.put("reason", "BAD_INPUT");
                n.put("message", message);
                Output.print(spec.commandLine().getOut(), n);
            } else {
                err.println("ferry: " + message);
                err.flush();
            }
            return FerryCli.EXIT_USAGE;
        }
    }

    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Build, sign and send a webhook; exit 0 on a 2xx.")
    static final class Send extends Common implements Callable<Integer> {
        @Option(names = "--event", required = true, paramLabel = "NAME", description = "The event, e.g. video_copied_ftp.")
        String event;

        @Option(names = "--data-file", required = true, paramLabel = "FILE", description = "The event's data as a JSON object.")
        Path dataFile;

        @Option(names = "--form", description = "Send application/x-www-form-urlencoded with the JSON in 'payload'.")
        boolean form;

        @Option(names = "--id", paramLabel = "ID", description = "The webhook id (kept across retries; default random).")
        String id;

        @Option(names = "--allow-private", description = "Also send to a loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) "
                + "or CGNAT (100.64/10) address: for a receiver on this machine or in your own network. Without it such an "
                + "address is refused, as a URL from a customer must not reach internal services.")
        boolean allowPrivate;

        @Override
        public Integer call() {
            WebhookRequest request;
            try {
                WebhookPayload payload = WebhookPayload.parse(Output.JSON.writeValueAsString(envelope(readData())));
                WebhookSigner signer = pipe() ? WebhookSigner.pipe(secret()) : WebhookSigner.standard(secret());
                WebhookRequest.Builder b = WebhookRequest.builder(url, payload).signer(signer)
                        .encoding(form ? WebhookRequest.Encoding.FORM : WebhookRequest.Encoding.JSON);
                if (id != null) {
                    b.id(id);
                }
                request = b.build();
            } catch (UsageException | WebhookFormatException | IllegalArgumentException e) {
                return usage(e.getMessage());
            } catch (JsonProcessingException e) {
                return usage("the --data-file " + dataFile + " is not JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                return usage("cannot read " + dataFile + ": " + e.getMessage());
            }
            DeliveryResult r;
            WebhookSender.Builder sb = WebhookSender.builder();
            if (allowPrivate) {
                sb.allowLoopback().allowPrivateAddresses();
            }
            try (WebhookSender sender = sb.build()) {
                r = sender.send(request);
            }
            String refusal = r.failure() == DeliveryResult.Failure.ADDRESS_REFUSED ? r.lastError() + flagHint(r.lastError()) : null;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode n = Output.object();
                n.put("ok", r.delivered());
                n.put("id", r.id());
                n.put("status", r.lastStatus());
                n.put("failure", r.failure() == null ? null : r.failure().name());
                n.put("retryable", r.retryable());
                if (refusal != null) {
                    n.put("message", refusal);
                }
                ArrayNode a = n.putArray("attempts");
                for (DeliveryResult.Attempt at : r.attempts()) {
                    ObjectNode o = a.addObject();
                    o.put("status", at.status());
                    o.put("millis", at.elapsed().toMillis());
                    o.put("error", at.error());
                }
                Output.print(out, n);
            } else {
                if (refusal != null) {
                    out.printf("NOT delivered %s: %s%n", r.id(), refusal);
                } else {
                    out.printf("%s %s: HTTP %d after %d attempt(s)%s%n", r.delivered() ? "delivered" : "NOT delivered", r.id(), r.lastStatus(),
                            r.attempts().size(), r.failure() == null ? "" : " (" + r.failure() + (r.retryable() ? ", retryable" : "") + ")");
                }
                out.flush();
            }
            return r.delivered() ? FerryCli.EXIT_OK : FerryCli.EXIT_FAILURE;
        }

        /**
         * The library's message names its builder call; on the command line the switch is {@code --allow-private}, which
         * covers the classes those two calls allow (not link-local or the others).
         */
        private String flagHint(String refusal) {
            boolean covered = refusal.contains("allowLoopback()") || refusal.contains("allowPrivateAddresses()");
            return covered && !allowPrivate ? " (on the command line: --allow-private)" : "";
        }

        /** The data file's one JSON object; trailing text is an error, not ignored. */
        private ObjectNode readData() throws IOException, UsageException {
            JsonNode data = Output.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(Files.readString(dataFile, StandardCharsets.UTF_8));
            if (data == null || !data.isObject()) {
                throw new UsageException("the --data-file " + dataFile + " must hold one JSON object, the event's data");
            }
            return (ObjectNode) data;
        }

        /**
         * The envelope around the data, built as a tree: pasted into a text, data such as
         * {@code {...}, "event": "other"} would have replaced the event.
         */
        private ObjectNode envelope(ObjectNode data) {
            ObjectNode n = Output.object();
            n.put("version", WebhookPayload.VERSION);
            n.put("event", event);
            n.set("data", data);
            return n;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify a received webhook's signature; exit 0 if valid.")
    static final class Verify extends Common implements Callable<Integer> {
        @Option(names = "--header", paramLabel = "'K: V'", description = "A request header (repeat).")
        List<String> headers = new ArrayList<>();

        @Option(names = "--body-file", required = true, paramLabel = "FILE", description = "The raw request body.")
        Path bodyFile;

        @Override
        public Integer call() {
            WebhookVerifier.Result r;
            try {
                Map<String, String> h = new LinkedHashMap<>();
                for (String line : headers) {
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        throw new UsageException("--header must be 'Name: value', got '" + line + "'");
                    }
                    h.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
                WebhookVerifier v = pipe() ? WebhookVerifier.pipe(secret()) : WebhookVerifier.standard(secret());
                r = v.verify(url, h, Files.readAllBytes(bodyFile));
            } catch (UsageException | IllegalArgumentException e) {
                return usage(e.getMessage());
            } catch (IOException e) {
                return usage("cannot read " + bodyFile + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode n = Output.object();
                n.put("ok", r.valid());
                n.put("rejection", r.rejection() == null ? null : r.rejection().name());
                n.put("message", r.message());
                Output.print(out, n);
            } else {
                out.println(r.valid() ? "valid" : "INVALID: " + r.rejection() + ": " + r.message());
                out.flush();
            }
            return r.valid() ? FerryCli.EXIT_OK : FerryCli.EXIT_FAILURE;
        }
    }
}
