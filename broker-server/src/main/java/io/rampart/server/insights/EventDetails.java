package io.rampart.server.insights;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The details of one client event: an immutable map that keeps the order its keys were given in and allows
 * {@code null} values, held in one array. A connected client's history holds its {@code connected} event for as long as
 * it stays, so this is per-connection memory: a third of a {@code LinkedHashMap} of the same entries.
 */
final class EventDetails extends AbstractMap<String, Object> {

    /** Keys at even, values at odd positions. */
    private final Object[] pairs;

    private EventDetails(Object[] pairs) {
        this.pairs = pairs;
    }

    /** {@code keysAndValues}: key, value, key, value, ...; keys are distinct strings. */
    static Map<String, Object> of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must pair up");
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String)) {
                throw new IllegalArgumentException("key " + i / 2 + " is not a string");
            }
        }
        return new EventDetails(keysAndValues);
    }

    @Override
    public int size() {
        return pairs.length / 2;
    }

    @Override
    public Object get(Object key) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(key)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return pairs.length / 2;
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < pairs.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= pairs.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> e = new SimpleImmutableEntry<>((String) pairs[next], pairs[next + 1]);
                        next += 2;
                        return e;
                    }
                };
            }
        };
    }
}
