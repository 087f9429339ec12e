package io.rampart.server.security;

import io.rampart.server.config.SecurityConfig;

import java.lang.reflect.Constructor;
import java.util.Map;

/**
 * Instantiates managers that an extension JAR on the class path provides ({@code type: custom}). The
 * class implements {@link io.rampart.security.spi.AuthenticationManager} or
 * {@link io.rampart.security.spi.AuthorizationManager} and has a public constructor taking
 * {@code (String name, Map<String, String> options)} or no arguments.
 */
final class CustomManagers {

    private CustomManagers() {
    }

    static <T> T instantiate(SecurityConfig.Manager manager, Class<T> kind) throws ReflectiveOperationException {
        Class<?> type;
        try {
            type = Class.forName(manager.className(), true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException("manager '" + manager.name() + "': class " + manager.className()
                    + " is not on the class path", e);
        }
        if (!kind.isAssignableFrom(type)) {
            throw new ClassCastException("manager '" + manager.name() + "': " + manager.className()
                    + " does not implement " + kind.getSimpleName());
        }
        try {
            Constructor<?> c = type.getConstructor(String.class, Map.class);
            return kind.cast(c.newInstance(manager.name(), manager.options()));
        } catch (NoSuchMethodException e) {
            return kind.cast(type.getConstructor().newInstance());
        }
    }
}
