package io.rampart.server.gate;

/**
 * What an authenticated connection may do, asked on every PUBLISH, SUBSCRIBE and for the will. Checks
 * run on the event loop, so implementations answer from memory.
 */
public interface ClientPermissions {

    boolean mayPublish(String topic, int qos, boolean retain);

    boolean maySubscribe(String filter, int qos, String shareGroup);

    /** No restriction: used for listeners that explicitly allow anonymous clients. */
    ClientPermissions UNRESTRICTED = new ClientPermissions() {
        @Override
        public boolean mayPublish(String topic, int qos, boolean retain) {
            return true;
        }

        @Override
        public boolean maySubscribe(String filter, int qos, String shareGroup) {
            return true;
        }
    };
}
