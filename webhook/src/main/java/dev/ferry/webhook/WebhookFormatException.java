package dev.ferry.webhook;

import java.io.IOException;

/** A webhook body that is not a valid payload: bad JSON, an unknown event, or a missing required field. */
public class WebhookFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WebhookFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
