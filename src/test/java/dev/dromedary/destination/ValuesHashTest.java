package dev.dromedary.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hashes stored in exports must not change: each is checked against the definition it was first built by. */
class ValuesHashTest {
    /** The first implementation, kept as the definition: length-prefixed UTF-8 values, then nameUUIDFromBytes. */
    private static UUID definition(String[] values) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String value : values) {
            byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            int length = bytes == null ? -1 : bytes.length;
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.write(bytes == null ? 0 : 1);
            if (bytes != null) {
                out.write(bytes, 0, bytes.length);
            }
        }
        return UUID.nameUUIDFromBytes(out.toByteArray());
    }

    @Test
    void sameHashAsTheDefinition_forNullsEmptiesUnicodeAndLongValues_onOneReusedInstance() {
        ValuesHash hash = new ValuesHash();
        Random random = new Random(42);
        String alphabet = "ab01 -@.éü€中😀\t\\";
        for (int row = 0; row < 5_000; row++) {
            String[] values = new String[1 + random.nextInt(12)];
            for (int i = 0; i < values.length; i++) {
                int kind = random.nextInt(10);
                if (kind == 0) {
                    values[i] = null;
                } else if (kind == 1) {
                    values[i] = "";
                } else {
                    int n = kind == 2 ? 300 + random.nextInt(2_000) : random.nextInt(30);
                    StringBuilder b = new StringBuilder();
                    while (b.length() < n) {
                        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    values[i] = b.toString();
                }
            }
            assertThat(hash.of(values)).as("row %d", row).isEqualTo(definition(values));
        }
        assertThat(hash.of(new String[] {null, ""})).isNotEqualTo(hash.of(new String[] {"", null}));
        assertThat(hash.of(new String[] {"ab", "c"})).isNotEqualTo(hash.of(new String[] {"a", "bc"}));
    }
}
