package dev.dromedary.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes rows in PostgreSQL's COPY text format (tab-separated, \N for null, backslash escapes), as UTF-8 bytes in
 * chunks of 64 KB. A page of 10,000 rows is megabytes: built as one string, then copied to bytes, it made several
 * arrays larger than a G1 region per page, and with {@code -Xmx256m} each such allocation started a collection.
 */
public final class CopyText {
    static final int CHUNK = 1 << 16;
    private final List<byte[]> full = new ArrayList<>();
    private byte[] chunk = new byte[CHUNK];
    private int at;
    private boolean rowStarted;

    /** Receives the encoded bytes, chunk by chunk. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] bytes, int length) throws IOException;
    }

    public CopyText field(String value) {
        if (rowStarted) {
            put((byte) '\t');
        }
        rowStarted = true;
        if (value == null) {
            put((byte) '\\');
            put((byte) 'N');
            return this;
        }
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                // The rest goes through the JDK's encoder (surrogate pairs included). UTF-8 never uses an ASCII byte
                // inside a multi-byte character, so the escapes below still find only real separators.
                for (byte b : value.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    putEscaped(b);
                }
                return this;
            }
            putEscaped((byte) c);
        }
        return this;
    }

    private void putEscaped(byte b) {
        switch (b) {
            case '\\' -> {
                put((byte) '\\');
                put((byte) '\\');
            }
            case '\t' -> {
                put((byte) '\\');
                put((byte) 't');
            }
            case '\n' -> {
                put((byte) '\\');
                put((byte) 'n');
            }
            case '\r' -> {
                put((byte) '\\');
                put((byte) 'r');
            }
            default -> put(b);
        }
    }

    private void put(byte b) {
        if (at == CHUNK) {
            full.add(chunk);
            chunk = new byte[CHUNK];
            at = 0;
        }
        chunk[at++] = b;
    }

    public CopyText endRow() {
        put((byte) '\n');
        rowStarted = false;
        return this;
    }

    /** Hands the bytes to {@code sink} in order, a chunk at a time. */
    public void writeTo(Sink sink) throws IOException {
        for (byte[] c : full) {
            sink.write(c, CHUNK);
        }
        if (at > 0) {
            sink.write(chunk, at);
        }
    }

    /** The encoded text, for tests. */
    @Override
    public String toString() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeTo((bytes, length) -> out.write(bytes, 0, length));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
