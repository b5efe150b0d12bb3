package dev.dromedary.it;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** Wraps a DataSource and counts the SQL statements executed through it. */
final class StatementCounter {
    final AtomicInteger executed = new AtomicInteger();
    /** Statements whose SQL mentions {@link #watched}. */
    final AtomicInteger watchedExecuted = new AtomicInteger();
    volatile String watched = "\u0000";

    DataSource wrap(DataSource ds) {
        return proxy(DataSource.class, ds);
    }

    private <T> T proxy(Class<T> type, T target) {
        return proxy(type, target, null);
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, T target, String preparedSql) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getName().startsWith("execute") && target instanceof Statement) {
                executed.incrementAndGet();
                String sql = preparedSql != null ? preparedSql
                        : args != null && args.length > 0 && args[0] instanceof String s ? s : "";
                if (sql.contains(watched)) {
                    watchedExecuted.incrementAndGet();
                }
            }
            try {
                Object result = m.invoke(target, args);
                if (result instanceof Connection c && m.getName().equals("getConnection")) {
                    return proxy(Connection.class, c);
                }
                if (result instanceof java.sql.PreparedStatement ps) {
                    return proxy(java.sql.PreparedStatement.class, ps, (String) args[0]);
                }
                if (result instanceof Statement st) {
                    return proxy(Statement.class, st);
                }
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
