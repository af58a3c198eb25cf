package dev.ferry.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Re-openable content to upload: a retry or a resume opens it again, so it must give the same bytes
 * every time.
 */
public interface ContentSource {
    /** Opens the content from its start. The caller closes the stream. */
    InputStream open() throws IOException;

    /**
     * Opens the content at a byte offset (for resume). The default skips bytes of {@link #open()};
     * sources that can seek should override it.
     */
    default InputStream openAt(long offset) throws IOException {
        InputStream in = open();
        try {
            in.skipNBytes(offset);
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The length in bytes, or -1 if it is not known in advance. */
    long length() throws IOException;

    /** A short description for messages (a file name, never content). */
    String describe();

    /** A file on the local disk. Its size is read when the upload starts; a change during the upload is detected. */
    static ContentSource ofPath(Path file) {
        Objects.requireNonNull(file, "file");
        return new ContentSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public InputStream openAt(long offset) throws IOException {
                SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ);
                ch.position(offset);
                return Channels.newInputStream(ch);
            }

            @Override
            public long length() throws IOException {
                try {
                    return Files.size(file);
                } catch (NoSuchFileException e) {
                    throw new TransferException(TransferException.Reason.BAD_INPUT,
                            "source file " + file + " does not exist", e);
                }
            }

            @Override
            public String describe() {
                return file.toString();
            }

            @Override
            public String toString() {
                return "ContentSource[" + file + "]";
            }
        };
    }

    /** Bytes in memory (copied). */
    static ContentSource ofBytes(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
        return new ContentSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(copy);
            }

            @Override
            public long length() {
                return copy.length;
            }

            @Override
            public String describe() {
                return copy.length + " bytes in memory";
            }
        };
    }
}
