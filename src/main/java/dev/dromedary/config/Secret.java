package dev.dromedary.config;

/** A value that must never be printed: toString() masks it, only reveal() gives it out. */
public final class Secret {
    public static final Secret NONE = new Secret(null);
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null ? NONE : new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isPresent() {
        return value != null && !value.isEmpty();
    }

    @Override
    public String toString() {
        return isPresent() ? "********" : "";
    }
}
