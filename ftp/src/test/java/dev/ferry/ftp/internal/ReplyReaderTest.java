package dev.ferry.ftp.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds of one reply, on a loopback socket pair. */
class ReplyReaderTest {
    ServerSocket listener;
    Socket client;
    Socket server;
    OutputStream out;

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        server = listener.accept();
        out = server.getOutputStream();
        client.setSoTimeout(2_000);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        listener.close();
    }

    ReplyReader reader() throws Exception {
        ReplyReader r = new ReplyReader(client, StandardCharsets.UTF_8);
        r.begin(0);
        return r;
    }

    void send(String s) throws Exception {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void linesEndAtCrLfOrLfAndUtf8IsDecoded() throws Exception {
        send("211-Fe\u00e4tures\r\n SIZE\n211 End\r\npartial");
        server.shutdownOutput();
        ReplyReader r = reader();
        assertEquals("211-Fe\u00e4tures", r.readLine());
        assertEquals(" SIZE", r.readLine());
        assertEquals("211 End", r.readLine());
        assertEquals("partial", r.readLine(), "a line cut off by the end of the stream, as Commons Net returns it");
        assertNull(r.readLine());
    }

    @Test
    void aLineOfTheMaximumLengthIsReadAndOneByteMoreIsRefused() throws Exception {
        String longest = "2".repeat(ReplyReader.MAX_LINE_BYTES);
        send(longest + "\r\n" + longest + "3\r\n");
        ReplyReader r = reader();
        assertEquals(longest, r.readLine());
        ReplyReader.ReplyTooLargeException e = assertThrows(ReplyReader.ReplyTooLargeException.class, r::readLine);
        assertTrue(e.getMessage().contains("8192 bytes"), e.getMessage());
    }

    @Test
    void theLinesOfOneReplyAreCountedFromItsBeginning() throws Exception {
        send(" x\r\n".repeat(ReplyReader.MAX_LINES * 2 + 1));
        ReplyReader r = reader();
        for (int i = 0; i < ReplyReader.MAX_LINES; i++) {
            r.readLine();
        }
        r.end();
        r.begin(0);
        for (int i = 0; i < ReplyReader.MAX_LINES; i++) {
            r.readLine();
        }
        ReplyReader.ReplyTooLargeException e = assertThrows(ReplyReader.ReplyTooLargeException.class, r::readLine);
        assertTrue(e.getMessage().contains(ReplyReader.MAX_LINES + " lines"), e.getMessage());
    }

    @Test
    void theCharactersOfOneReplyAreBounded() throws Exception {
        String line = "x".repeat(8000) + "\r\n";
        int fits = ReplyReader.MAX_REPLY_CHARS / 8000;
        send(line.repeat(fits + 1));
        ReplyReader r = reader();
        for (int i = 0; i < fits; i++) {
            r.readLine();
        }
        assertThrows(ReplyReader.ReplyTooLargeException.class, r::readLine);
    }

    @Test
    void aReplyMustEndWithinTheReadTimeoutCountedFromItsBeginning() throws Exception {
        client.setSoTimeout(300);
        ReplyReader r = reader();
        send("211-one\r\n");
        assertEquals("211-one", r.readLine());
        send(" two");
        // Only the rest of the 300 ms is waited for the rest of the line; the reply had begun, so it is too slow.
        long start = System.nanoTime();
        ReplyReader.ReplyTooSlowException e = assertThrows(ReplyReader.ReplyTooSlowException.class, r::readLine);
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        assertEquals(300, e.budgetMillis());
        r.end();
        assertEquals(300, client.getSoTimeout(), "the socket's own read timeout is back");
    }

    @Test
    void silenceFromTheStartIsThePlainReadTimeout() throws Exception {
        client.setSoTimeout(200);
        ReplyReader r = reader();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, r::readLine);
        assertEquals(SocketTimeoutException.class, e.getClass());
    }
}
