package dev.ferry.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.TransferException;

import java.io.PrintWriter;
import java.util.List;

/** Renders results and failures as JSON or short human text. */
final class Output {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode strings(List<String> lines) {
        ArrayNode a = JSON.createArrayNode();
        lines.forEach(a::add);
        return a;
    }

    static void print(PrintWriter out, ObjectNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** The JSON form of a failure. */
    static ObjectNode failure(TransferException e) {
        ObjectNode n = object();
        n.put("ok", false);
        n.put("reason", e.reason().name());
        n.put("message", e.getMessage());
        n.put("serverReply", e.serverReply());
        n.put("hint", e.hint());
        n.set("transcript", strings(e.transcript()));
        return n;
    }

    /** Reports a failure and returns the exit status (2 for BAD_INPUT, 3 otherwise). */
    static int fail(TransferException e, boolean json, boolean transcript, PrintWriter out, PrintWriter err) {
        if (json) {
            print(out, failure(e));
        } else {
            if (transcript) {
                e.transcript().forEach(err::println);
            }
            err.println("ferry: " + e.reason() + ": " + e.getMessage());
            if (e.serverReply() != null) {
                err.println("  server said: " + e.serverReply());
            }
            if (e.hint() != null) {
                err.println("  hint: " + e.hint());
            }
            err.flush();
        }
        return e.reason() == TransferException.Reason.BAD_INPUT ? FerryCli.EXIT_USAGE : FerryCli.EXIT_FAILURE;
    }
}
