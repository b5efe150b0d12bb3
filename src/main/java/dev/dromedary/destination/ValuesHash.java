package dev.dromedary.destination;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The fingerprint of the column values a record was exported with, kept in {@code exports} instead of the values:
 * 16 bytes however many columns, and compared without building JSON per record. Each value is length-prefixed and a
 * null is marked apart from an empty string, so different rows cannot run together into the same bytes. The hash is
 * an MD5 as a name-based UUID ({@link UUID#nameUUIDFromBytes}): fixed width for the store, and PostgreSQL compares
 * uuid cheaply. Not thread-safe: one per planning thread.
 */
final class ValuesHash {
    private final MessageDigest md5;
    private byte[] scratch = new byte[256];

    ValuesHash() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 not supported", e);
        }
    }

    /**
     * The hash stored in {@code exports}, over per value: a 4-byte big-endian length (-1 for null), a null mark, and
     * the UTF-8 bytes. Changing these bytes would make every record look changed once.
     */
    UUID of(String[] values) {
        // All of it in one buffer and one update: single-byte updates cost a call into the digest each (JFR).
        int p = 0;
        for (String value : values) {
            int max = value == null ? 0 : 3 * value.length();
            if (scratch.length < p + 5 + max) {
                scratch = java.util.Arrays.copyOf(scratch, Math.max(2 * scratch.length, p + 5 + max));
            }
            int length = value == null ? -1 : utf8(value, p + 5);
            scratch[p] = (byte) (length >>> 24);
            scratch[p + 1] = (byte) (length >>> 16);
            scratch[p + 2] = (byte) (length >>> 8);
            scratch[p + 3] = (byte) length;
            scratch[p + 4] = (byte) (value == null ? 0 : 1);
            p += 5 + Math.max(length, 0);
        }
        md5.update(scratch, 0, p);
        byte[] d = md5.digest();
        // What nameUUIDFromBytes does: version 3, IETF variant.
        d[6] = (byte) ((d[6] & 0x0f) | 0x30);
        d[8] = (byte) ((d[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (d[i] & 0xff);
            lsb = (lsb << 8) | (d[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    /**
     * Encodes {@code value} into scratch at {@code at}, which has room for 3 bytes per char (UTF-8's most for one
     * UTF-16 unit); returns its length. ASCII without allocating, anything else by the JDK.
     */
    private int utf8(String value, int at) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(bytes, 0, scratch, at, bytes.length);
                return bytes.length;
            }
            scratch[at + i] = (byte) c;
        }
        return n;
    }
}
