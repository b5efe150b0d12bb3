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

    DataSource wrap(DataSource ds) {
        return proxy(DataSource.class, ds);
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, T target) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getName().startsWith("execute") && target instanceof Statement) {
                executed.incrementAndGet();
            }
            try {
                Object result = m.invoke(target, args);
                if (result instanceof Connection c && m.getName().equals("getConnection")) {
                    return proxy(Connection.class, c);
                }
                if (result instanceof java.sql.PreparedStatement ps) {
                    return proxy(java.sql.PreparedStatement.class, ps);
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
