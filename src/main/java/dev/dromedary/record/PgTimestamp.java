package dev.dromedary.record;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * PostgreSQL's own text form of a timestamp ({@code 2026-11-24 10:00:00.123456+01}, the zone optional), read by
 * hand into the store's canonical form, {@code DateTimeFormatter.ISO_INSTANT}'s. The formatter took 6 to 15 µs per
 * value, a second and a half per million rows. Any other form is left to the formatter.
 */
final class PgTimestamp {
    private static final int[] SCALE = {1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100,
            10, 1};

    private PgTimestamp() {
    }

    /** The value as ISO_INSTANT would write it, in UTC; null when it is not in PostgreSQL's plain form. */
    static String canonical(String v) {
        int n = v.length();
        if (n < 19 || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != ' ' || v.charAt(13) != ':'
                || v.charAt(16) != ':') {
            return null;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 7);
        int day = digits(v, 8, 10);
        int hour = digits(v, 11, 13);
        int minute = digits(v, 14, 16);
        int second = digits(v, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && v.charAt(i) == '.') {
            int start = ++i;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                i++;
            }
            if (i == start || i - start > 9) {
                return null;
            }
            nanos = digits(v, start, i) * SCALE[i - start];
        }
        int offset = 0;
        if (i < n) {
            char sign = v.charAt(i);
            int[] parts = {0, 0, 0};
            int part = 0;
            i++;
            while (part < 3) {
                int p = i + 2 <= n ? digits(v, i, i + 2) : -1;
                if ((sign != '+' && sign != '-') || p < 0) {
                    return null;
                }
                parts[part++] = p;
                i += 2;
                if (i == n) {
                    break;
                }
                if (v.charAt(i) != ':') {
                    return null;
                }
                i++;
            }
            if (i != n || parts[0] > 18 || parts[1] > 59 || parts[2] > 59) {
                return null;
            }
            offset = (sign == '-' ? -1 : 1) * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
        }
        LocalDateTime utc;
        try {
            long epoch = LocalDateTime.of(year, month, day, hour, minute, second)
                    .toEpochSecond(ZoneOffset.ofTotalSeconds(offset));
            utc = LocalDateTime.ofEpochSecond(epoch, nanos, ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
        if (utc.getYear() < 0 || utc.getYear() > 9999) {
            return null;
        }
        StringBuilder b = new StringBuilder(30);
        pad(b, utc.getYear(), 4).append('-');
        pad(b, utc.getMonthValue(), 2).append('-');
        pad(b, utc.getDayOfMonth(), 2).append('T');
        pad(b, utc.getHour(), 2).append(':');
        pad(b, utc.getMinute(), 2).append(':');
        pad(b, utc.getSecond(), 2);
        // As ISO_INSTANT: no fraction, or 3, 6 or 9 digits, as few as hold it.
        if (nanos > 0) {
            b.append('.');
            if (nanos % 1_000_000 == 0) {
                pad(b, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                pad(b, nanos / 1_000, 6);
            } else {
                pad(b, nanos, 9);
            }
        }
        return b.append('Z').toString();
    }

    /** The number the ASCII digits in [from, to) spell, or -1. */
    private static int digits(String v, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
