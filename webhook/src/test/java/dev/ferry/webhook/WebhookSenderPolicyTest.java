package dev.ferry.webhook;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ferry.webhook.WebhookSenderTest.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the sender may send: the address policy, checked at connection time, and redirects. */
class WebhookSenderPolicyTest {
    MockWebServer server;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    WebhookSender.Builder builder() {
        return WebhookSender.builder().sleeper(sleeps::add).backoff(Duration.ofMillis(10), Duration.ofMillis(20))
                .connectTimeout(Duration.ofSeconds(5)).maxAttempts(3);
    }

    DeliveryResult send(WebhookSender s, String url) {
        return s.send(WebhookRequest.builder(url, payload()).build());
    }

    static void assertRefused(DeliveryResult r, String... inMessage) {
        assertFalse(r.delivered(), r.toString());
        assertEquals(DeliveryResult.Failure.ADDRESS_REFUSED, r.failure(), r.toString());
        assertFalse(r.retryable(), "a refused destination is not retried later either");
        assertEquals(1, r.attempts().size(), "not retried: " + r);
        assertEquals(-1, r.lastStatus());
        for (String s : inMessage) {
            assertTrue(r.lastError().contains(s), "'" + s + "' in: " + r.lastError());
        }
    }

    @Test
    void byDefaultALoopbackReceiverIsRefusedBeforeAnythingIsSent() {
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = builder().build()) {
            assertRefused(send(s, server.url("/h").toString()), "127.0.0.1", "a loopback address", "WebhookSender.Builder.allowLoopback()");
        }
        assertEquals(0, server.getRequestCount());
        assertTrue(sleeps.isEmpty(), "no backoff for a refusal: " + sleeps);
    }

    @Test
    void ipLiteralsAreCheckedTooAsOkHttpConnectsToThemWithoutDns() {
        String port = ":" + server.getPort();
        String[][] cases = {
                {"http://127.0.0.1" + port + "/h", "a loopback address", "allowLoopback()"},
                {"http://[::1]" + port + "/h", "a loopback address", "allowLoopback()"},
                {"http://[::ffff:127.0.0.1]" + port + "/h", "a loopback address", "allowLoopback()"},
                {"http://0.0.0.0" + port + "/h", "unspecified", "AddressClass.UNSPECIFIED"},
                {"http://169.254.169.254/latest/meta-data/iam/", "link-local", "AddressClass.LINK_LOCAL"},
                {"http://10.11.12.13/h", "a private address", "allowPrivateAddresses()"},
                {"http://[fd00::7]/h", "a private address", "allowPrivateAddresses()"},
                {"http://100.64.0.9/h", "carrier-grade NAT", "allowPrivateAddresses()"},
                {"http://127.1" + port + "/h", "short form"},
                {"http://2130706433" + port + "/h", "short form"},
        };
        try (WebhookSender s = builder().build()) {
            for (String[] c : cases) {
                DeliveryResult r = send(s, c[0]);
                assertRefused(r, java.util.Arrays.copyOfRange(c, 1, c.length));
                assertTrue(r.attempts().get(0).elapsed().toMillis() < 1000, "refused without connecting: " + r);
            }
        }
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void aNameIsCheckedOnTheAddressesItResolvesToWhenConnecting() {
        AtomicInteger lookups = new AtomicInteger();
        // Stands for an attacker's DNS (or a rebinding one): whatever it answers at connection time is what is checked.
        Dns dns = host -> {
            lookups.incrementAndGet();
            return List.of(InetAddress.getLoopbackAddress());
        };
        OkHttpClient base = new OkHttpClient.Builder().dns(dns).build();
        String url = "http://hooks.customer.example:" + server.getPort() + "/h";
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = builder().client(base).allowPrivateAddresses().build()) {
            assertRefused(send(s, url), "hooks.customer.example resolves only to 127.0.0.1 (a loopback address)", "allowLoopback()");
        }
        assertEquals(1, lookups.get(), "checked on the lookup the connection uses, and not retried");
        assertEquals(0, server.getRequestCount());
        try (WebhookSender s = builder().client(base).allowLoopback().build()) {
            assertTrue(send(s, url).delivered(), "the caller's Dns stays in use, under the policy");
        }
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void ofSeveralAddressesOnlyAllowedOnesAreConnectedTo() throws Exception {
        InetAddress internal = InetAddress.getByName("10.255.0.1");
        List<InetSocketAddress> connects = new CopyOnWriteArrayList<>();
        OkHttpClient base = new OkHttpClient.Builder().dns(host -> List.of(internal, InetAddress.getLoopbackAddress()))
                .eventListener(new EventListener() {
                    @Override
                    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
                        connects.add(address);
                    }
                }).build();
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = builder().client(base).allowLoopback().build()) {
            assertTrue(send(s, "http://mixed.example:" + server.getPort() + "/h").delivered());
        }
        assertEquals(List.of(InetAddress.getLoopbackAddress()), connects.stream().map(InetSocketAddress::getAddress).toList());
    }

    @Test
    void redirectsAreNeverFollowedEvenIfTheCallersClientWould() throws Exception {
        try (MockWebServer inside = new MockWebServer()) {
            inside.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", inside.url("/admin").toString()).build());
            OkHttpClient follows = new OkHttpClient.Builder().followRedirects(true).followSslRedirects(true).build();
            try (WebhookSender s = builder().client(follows).allowLoopback().build()) {
                DeliveryResult r = send(s, server.url("/h").toString());
                assertEquals(DeliveryResult.Failure.REJECTED, r.failure());
                assertEquals(307, r.lastStatus());
                assertEquals(1, r.attempts().size());
            }
            assertEquals(0, inside.getRequestCount(), "a redirect is a way around the address policy");
        }
    }

    @Test
    void theWebhookUrlsQueryNeverAppearsInTheRefusal() {
        try (WebhookSender s = builder().build()) {
            DeliveryResult r = send(s, "http://127.0.0.1:9/h?token=S3cr3tT0ken");
            assertRefused(r);
            assertFalse(r.toString().contains("S3cr3tT0ken"), r.toString());
        }
    }
}
