package dev.ferry.core.spi;

import dev.ferry.core.ContentSource;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upload steps that every provider shares: the transfer loop and the existing-file policy. */
class SharedStepsTest {
    private static ContentSource bytes(byte[] content, long claimedLength) {
        return new ContentSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(content);
            }

            @Override
            public long length() {
                return claimedLength;
            }

            @Override
            public String describe() {
                return "test bytes";
            }
        };
    }

    private static PreparedUpload prepared(ContentSource source, long length, Instant deadline, List<long[]> progress)
            throws TransferException {
        Upload u = Upload.builder().source(source).remotePath("a/b.bin")
                .progress((p, sent, total) -> progress.add(new long[]{sent, total})).build();
        RemotePath rel = RemotePath.relative("a/b.bin");
        return new PreparedUpload(u, rel, rel, length, 1, deadline, PreparedUpload.newTemporaryName("b.bin"), new PreparedUpload.SentBytes());
    }

    @Test
    void copiesTheWholeSourceFromTheOffsetAndReportsTheEnd() throws Exception {
        byte[] content = new byte[100_000];
        Arrays.fill(content, (byte) 7);
        List<long[]> progress = new ArrayList<>();
        PreparedUpload p = prepared(bytes(content, content.length), content.length, null, progress);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TransferLoop loop = new TransferLoop(p, 30_000, new Transcript());
        long n = loop.copy(new ByteArrayInputStream(content, 30_000, 70_000), new byte[4096], out::write, TransferLoop.AfterWrite.NONE);
        loop.finished();
        assertEquals(70_000, n);
        assertEquals(70_000, loop.sent());
        assertArrayEquals(Arrays.copyOfRange(content, 30_000, 100_000), out.toByteArray());
        long[] last = progress.get(progress.size() - 1);
        assertEquals(100_000, last[0], "progress counts the resumed part");
        assertEquals(100_000, last[1]);
    }

    @Test
    void theFirstBufferIsReportedAtOnceNotOnlyAtTheEnd() throws Exception {
        byte[] content = new byte[100_000];
        List<long[]> progress = new ArrayList<>();
        PreparedUpload p = prepared(bytes(content, content.length), content.length, null, progress);
        List<Integer> reportsAfterWrite = new ArrayList<>();
        new TransferLoop(p, 0, new Transcript()).copy(new ByteArrayInputStream(content), new byte[4096], (b, o, l) -> {
            reportsAfterWrite.add(progress.size());
        }, TransferLoop.AfterWrite.NONE);
        // A listener that acts on the first report (e.g. shows a transfer started) runs while the source is still read.
        assertEquals(1, reportsAfterWrite.get(1), "reports seen when the second buffer is written");
        assertEquals(4096, progress.get(0)[0]);
    }

    @Test
    void aSourceThatShrankOrGrewIsBadInputAndNotRetried() throws Exception {
        byte[] content = new byte[10_000];
        PreparedUpload shrank = prepared(bytes(content, 20_000), 20_000, null, new ArrayList<>());
        TransferException e = assertThrows(TransferException.class, () -> new TransferLoop(shrank, 0, new Transcript())
                .copy(new ByteArrayInputStream(content), new byte[4096], (b, o, l) -> { }, TransferLoop.AfterWrite.NONE));
        assertEquals(Reason.BAD_INPUT, e.reason());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("shrank"), e.getMessage());

        PreparedUpload grew = prepared(bytes(content, 5_000), 5_000, null, new ArrayList<>());
        TransferLoop loop = new TransferLoop(grew, 0, new Transcript());
        e = assertThrows(TransferException.class, () -> loop.copy(new ByteArrayInputStream(content), new byte[4096],
                (b, o, l) -> { }, TransferLoop.AfterWrite.NONE));
        assertEquals(Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("grew"), e.getMessage());
        assertEquals(5_000, loop.sent(), "exactly the prepared length was written before the growth was seen");
    }

    @Test
    void aSliceCopiesAtMostItsBytesAndOnlyTheLastSliceChecksThatTheSourceDidNotGrow() throws Exception {
        byte[] content = new byte[10_000];
        new java.util.Random(3).nextBytes(content);
        PreparedUpload p = prepared(bytes(content, 6_000), 6_000, null, new ArrayList<>());
        ByteArrayInputStream in = new ByteArrayInputStream(content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(4_000, new TransferLoop(p, 0, new Transcript()).copy(in, new byte[1024], out::write, TransferLoop.AfterWrite.NONE, 4_000));
        assertArrayEquals(Arrays.copyOfRange(content, 0, 4_000), out.toByteArray());
        TransferLoop last = new TransferLoop(p, 4_000, new Transcript());
        TransferException e = assertThrows(TransferException.class, () -> last.copy(in, new byte[1024], out::write,
                TransferLoop.AfterWrite.NONE, 4_000));
        assertTrue(e.getMessage().contains("grew"), e.getMessage());
        assertEquals(2_000, last.sent(), "the last slice ends at the prepared length");
    }

    @Test
    void aSinkFailureComesOutAsTheSinksIOExceptionAndAnUnreadableSourceAsBadInput() throws Exception {
        byte[] content = new byte[10_000];
        PreparedUpload p = prepared(bytes(content, content.length), content.length, null, new ArrayList<>());
        IOException broken = new IOException("connection reset");
        IOException thrown = assertThrows(IOException.class, () -> new TransferLoop(p, 0, new Transcript())
                .copy(new ByteArrayInputStream(content), new byte[4096], (b, o, l) -> {
                    throw broken;
                }, TransferLoop.AfterWrite.NONE));
        assertEquals(broken, thrown);

        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk error");
            }
        };
        TransferException e = assertThrows(TransferException.class, () -> new TransferLoop(p, 0, new Transcript())
                .copy(failing, new byte[4096], (b, o, l) -> { }, TransferLoop.AfterWrite.NONE));
        assertEquals(Reason.BAD_INPUT, e.reason());
    }

    @Test
    void anInterruptOrAPassedDeadlineEndsTheLoopAtTheNextBuffer() throws Exception {
        byte[] content = new byte[100_000];
        PreparedUpload p = prepared(bytes(content, content.length), content.length, null, new ArrayList<>());
        TransferLoop loop = new TransferLoop(p, 0, new Transcript());
        TransferException e;
        try {
            e = assertThrows(TransferException.class, () -> loop.copy(new ByteArrayInputStream(content), new byte[4096],
                    (b, o, l) -> Thread.currentThread().interrupt(), TransferLoop.AfterWrite.NONE));
        } finally {
            Thread.interrupted();
        }
        assertEquals(Reason.CANCELLED, e.reason());
        assertEquals(4096, loop.sent());

        PreparedUpload late = prepared(bytes(content, content.length), content.length, Instant.now().minusSeconds(1),
                new ArrayList<>());
        e = assertThrows(TransferException.class, () -> new TransferLoop(late, 0, new Transcript())
                .copy(new ByteArrayInputStream(content), new byte[4096], (b, o, l) -> { }, TransferLoop.AfterWrite.NONE));
        assertEquals(Reason.TIMEOUT, e.reason());
    }

    @Test
    void anUnknownLengthIsCopiedToItsEnd() throws Exception {
        byte[] content = new byte[9_999];
        PreparedUpload p = prepared(bytes(content, -1), -1, null, new ArrayList<>());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(9_999, new TransferLoop(p, 0, new Transcript()).copy(new ByteArrayInputStream(content), new byte[4096],
                out::write, TransferLoop.AfterWrite.NONE));
    }

    @Test
    void existingFilePolicy() throws Exception {
        Set<String> there = Set.of("/in/rec.mp4", "/in/rec-1.mp4", "/in/.hidden", "notes");
        ExistingFiles.Lookup lookup = path -> there.contains(path) ? 5 : -1;
        Transcript t = new Transcript();
        assertFalse(ExistingFiles.needsLookup(ExistingFile.OVERWRITE));
        assertTrue(ExistingFiles.needsLookup(ExistingFile.FAIL));
        assertEquals("/in/rec.mp4", ExistingFiles.publishName(ExistingFile.OVERWRITE, "/in/rec.mp4", 5, lookup, t));
        assertEquals("/in/new.mp4", ExistingFiles.publishName(ExistingFile.FAIL, "/in/new.mp4", -1, lookup, t));
        TransferException e = assertThrows(TransferException.class,
                () -> ExistingFiles.publishName(ExistingFile.FAIL, "/in/rec.mp4", 5, lookup, t));
        assertEquals(Reason.EXISTS, e.reason());
        assertFalse(e.retryable());
        assertEquals("/in/rec-2.mp4", ExistingFiles.publishName(ExistingFile.RENAME_UNIQUE, "/in/rec.mp4", 5, lookup, t));
        assertTrue(t.render().stream().anyMatch(l -> l.contains("publishing as /in/rec-2.mp4")), t.render().toString());
        // A leading dot is not an extension; a bare name has no directory.
        assertEquals("/in/.hidden-1", ExistingFiles.uniqueName("/in/.hidden", lookup));
        assertEquals("notes-1", ExistingFiles.uniqueName("notes", lookup));
        assertEquals(Reason.EXISTS, assertThrows(TransferException.class,
                () -> ExistingFiles.uniqueName("x", path -> 1)).reason());
    }
}
