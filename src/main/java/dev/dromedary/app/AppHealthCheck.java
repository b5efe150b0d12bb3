package dev.dromedary.app;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness of one App: it can be connected to and its schema is there. */
public final class AppHealthCheck extends AbstractHealthCheck {
    private final AppConfig app;

    public AppHealthCheck(AppConfig app) {
        super("dromedary-app-" + app.name());
        this.app = app;
    }

    @Override
    public boolean isLiveness() {
        // A database being down makes Dromedary unready, not dead: restarting it would not help.
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("app", app.name()).detail("address", app.address());
        String problem = AppChecker.problem(app);
        if (problem == null) {
            builder.up();
        } else {
            builder.message(problem).down();
        }
    }
}
