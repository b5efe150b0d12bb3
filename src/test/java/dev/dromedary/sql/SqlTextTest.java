package dev.dromedary.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlTextTest {
    @Test
    void identifiersCarryingSql_areQuotedAsNames() {
        assertThat(Identifiers.quote("users; DROP TABLE x")).isEqualTo("\"users; DROP TABLE x\"");
        assertThat(Identifiers.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
        assertThat(Identifiers.qualified("public", "Ünïcode")).isEqualTo("\"public\".\"Ünïcode\"");
    }

    @Test
    void impossibleIdentifiers_areRefused() {
        assertThat(Identifiers.problem("")).isEqualTo("is empty");
        assertThat(Identifiers.problem("a".repeat(64))).contains("63-byte");
        assertThatThrownBy(() -> Identifiers.quote("a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void copyText_escapesSeparatorsAndMarksNull() {
        String text = new CopyText().field("a\tb").field(null).field("back\\slash\nline").endRow()
                .field("plain").field("").field("\rx").endRow().toString();
        assertThat(text).isEqualTo("a\\tb\t\\N\tback\\\\slash\\nline\nplain\t\t\\rx\n");
    }

    @Test
    void copyText_encodesUtf8_acrossChunks_withoutSplittingACharacter() {
        // Enough text for several 64 KB chunks; each character is 1 to 4 bytes in UTF-8, so chunks end mid-character.
        String value = "aé€😀\t\\".repeat(20_000) + "中";
        String text = new CopyText().field(value).field("ü\t").endRow().toString();
        assertThat(text).isEqualTo(value.replace("\\", "\\\\").replace("\t", "\\t") + "\tü\\t\n");
        assertThat(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(4 * CopyText.CHUNK);
    }

    @Test
    void copyText_sameBytesAsTheEscapingRules_forRandomRowsAcrossChunkEnds() {
        java.util.Random random = new java.util.Random(7);
        String[] alphabet = {"a", "b", "0", " ", "@", ".", "\t", "\n", "\r", "\\", "\u0001", "é", "ü", "€", "中", "😀"};
        CopyText copy = new CopyText();
        StringBuilder expected = new StringBuilder();
        for (int row = 0; row < 3_000; row++) {
            int fields = 1 + random.nextInt(6);
            for (int f = 0; f < fields; f++) {
                if (f > 0) {
                    expected.append('\t');
                }
                if (random.nextInt(8) == 0) {
                    copy.field(null);
                    expected.append("\\N");
                    continue;
                }
                int n = random.nextInt(20) == 0 ? 1_000 + random.nextInt(40_000) : random.nextInt(40);
                // Half the values ASCII only, which takes the fast path all the way.
                int letters = random.nextBoolean() ? 11 : alphabet.length;
                StringBuilder value = new StringBuilder();
                while (value.length() < n) {
                    value.append(alphabet[random.nextInt(letters)]);
                }
                String v = value.toString();
                copy.field(v);
                expected.append(v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                        .replace("\r", "\\r"));
            }
            copy.endRow();
            expected.append('\n');
        }
        assertThat(copy.toString()).isEqualTo(expected.toString());
    }
}
