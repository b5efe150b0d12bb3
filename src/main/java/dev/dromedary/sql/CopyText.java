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
        int i = CHUNK - at >= 2 * n ? ascii(value) : 0;
        for (; i < n; i++) {
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

    /**
     * Writes the value's leading ASCII straight into the chunk, which the caller made sure has room for every
     * character escaped; returns how many characters it wrote. Per byte through {@link #put} this was a fifth of the
     * JVM's CPU in an initial sync (JFR), most of it the chunk's bounds check.
     */
    private int ascii(String value) {
        byte[] out = chunk;
        int p = at;
        int n = value.length();
        int i = 0;
        for (; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                break;
            }
            byte e = escape(c);
            if (e != 0) {
                out[p++] = '\\';
                out[p++] = e;
            } else {
                out[p++] = (byte) c;
            }
        }
        at = p;
        return i;
    }

    private void putEscaped(byte b) {
        byte e = escape(b);
        if (e != 0) {
            put((byte) '\\');
            put(e);
        } else {
            put(b);
        }
    }

    /** The letter that follows a backslash to stand for {@code c} in COPY text, or 0 if c stands for itself. */
    private static byte escape(int c) {
        if (c > '\\' || (c > '\r' && c != '\\')) {
            return 0;
        }
        return switch (c) {
            case '\\' -> '\\';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\r' -> 'r';
            default -> 0;
        };
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
