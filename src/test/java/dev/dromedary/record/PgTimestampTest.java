package dev.dromedary.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-read timestamp gives exactly what the formatters give, or leaves the value to them. */
class PgTimestampTest {
    @Test
    void postgresTextForms_readAsTheFormattersReadThem() {
        Random random = new Random(42);
        String[] zones = {"", "+00", "-00", "+01", "-03", "+05:30", "-09:30", "+05:45:30", "+14", "-12"};
        for (int i = 0; i < 200_000; i++) {
            String fraction = "";
            int digits = random.nextInt(10);
            if (digits > 0) {
                StringBuilder f = new StringBuilder(".");
                for (int d = 0; d < digits; d++) {
                    f.append(random.nextInt(4) == 0 ? 0 : random.nextInt(10));
                }
                fraction = f.toString();
            }
            String v = String.format("%04d-%02d-%02d %02d:%02d:%02d%s%s", random.nextInt(10_000), 1 + random.nextInt(12),
                    1 + random.nextInt(31), random.nextInt(25), random.nextInt(60), random.nextInt(61), fraction,
                    zones[random.nextInt(zones.length)]);
            String fast = PgTimestamp.canonical(v);
            if (fast != null) {
                assertThat(fast).as(v).isEqualTo(ValueConverter.parsedTimestamp(v).value());
            }
        }
    }

    @Test
    void commonForms_areReadByHand_andOthersLeftToTheFormatters() {
        assertThat(PgTimestamp.canonical("2026-11-24 10:00:00.123456+01")).isEqualTo("2026-11-24T09:00:00.123456Z");
        assertThat(PgTimestamp.canonical("2026-11-24 10:00:00.5")).isEqualTo("2026-11-24T10:00:00.500Z");
        assertThat(PgTimestamp.canonical("2026-12-31 23:30:00-01")).isEqualTo("2027-01-01T00:30:00Z");
        assertThat(PgTimestamp.canonical("0000-01-01 00:30:00+01")).as("ISO_INSTANT writes year -1 its own way").isNull();
        assertThat(PgTimestamp.canonical("2026-11-24T10:00:00Z")).isNull();
        assertThat(PgTimestamp.canonical("2026-04-31 10:00:00")).isNull();
        assertThat(PgTimestamp.canonical("2026-11-24 10:00:00+0530")).isNull();
        assertThat(PgTimestamp.canonical("2026-11-24 10:00:00 BC")).isNull();
        assertThat(PgTimestamp.canonical("infinity")).isNull();
    }
}
