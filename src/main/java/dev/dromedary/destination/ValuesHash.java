package dev.dromedary.destination;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The fingerprint of the column values a record was exported with, kept in {@code exports} instead of the values:
 * 16 bytes however many columns, and compared without building JSON per record. Each value is length-prefixed and a null is
 * marked apart from an empty string, so different rows cannot run together into the same bytes.
 */
final class ValuesHash {
    private ValuesHash() {
    }

    static UUID of(String[] values) {
        int size = 0;
        byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            encoded[i] = values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8);
            size += 5 + (encoded[i] == null ? 0 : encoded[i].length);
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (byte[] value : encoded) {
            int length = value == null ? -1 : value.length;
            bytes[at++] = (byte) (length >>> 24);
            bytes[at++] = (byte) (length >>> 16);
            bytes[at++] = (byte) (length >>> 8);
            bytes[at++] = (byte) length;
            bytes[at++] = (byte) (value == null ? 0 : 1);
            if (value != null) {
                System.arraycopy(value, 0, bytes, at, value.length);
                at += value.length;
            }
        }
        // An MD5 (as a name-based UUID): fixed width for the store, and PostgreSQL compares uuid cheaply.
        return UUID.nameUUIDFromBytes(bytes);
    }
}
