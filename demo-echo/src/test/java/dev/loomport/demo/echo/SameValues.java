package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Objects;
import java.util.Optional;

/**
 * Compares two configurations by every public no-argument accessor, whatever the accessors are called
 * (a record's components, an {@code Optional}'s content and arrays by value): a test that a launcher
 * default is the framework's own need not change when the framework's accessors do.
 */
final class SameValues {
    private SameValues() {
    }

    static void assertSameValues(Object expected, Object actual, String what) {
        int compared = 0;
        for (Method m : expected.getClass().getMethods()) {
            if (m.getDeclaringClass() != expected.getClass() || m.getParameterCount() != 0
                    || Modifier.isStatic(m.getModifiers()) || m.getName().equals("toString")
                    || m.getName().equals("hashCode")) {
                continue;
            }
            Object a = invoke(m, expected);
            Object b = invoke(m, actual);
            assertTrue(same(a, b), () -> what + ": " + m.getName() + "() is " + b + ", not " + a);
            compared++;
        }
        assertTrue(compared > 0, "no accessor to compare on " + expected.getClass());
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Optional<?> x && b instanceof Optional<?> y) {
            return x.isPresent() == y.isPresent() && (x.isEmpty() || same(x.get(), y.get()));
        }
        if (a != null && b != null && a.getClass().isRecord() && a.getClass() == b.getClass()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                if (!same(invoke(c.getAccessor(), a), invoke(c.getAccessor(), b))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.deepEquals(a, b);
    }

    private static Object invoke(Method m, Object on) {
        try {
            m.setAccessible(true); // a record declared inside a framework class may not be public
            return m.invoke(on);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return fail("cannot call " + m + ": " + e);
        }
    }
}
