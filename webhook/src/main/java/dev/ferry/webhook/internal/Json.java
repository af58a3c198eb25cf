package dev.ferry.webhook.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The module's Jackson mapper: configured once, then only read (thread-safe). */
public final class Json {
    private Json() {
    }

    /**
     * Unknown fields are ignored (a newer sender may add some); anything after the one JSON value is refused
     * (a body is one object, and text after it would be read by some receivers and not by others); output field
     * order is stable.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
}
