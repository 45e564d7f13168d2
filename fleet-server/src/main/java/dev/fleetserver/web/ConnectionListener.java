package dev.fleetserver.web;

/** Told about every TCP connection of the agent listener; metrics implement it. */
public interface ConnectionListener {

    void opened();

    void closed();

    ConnectionListener NONE = new ConnectionListener() {
        @Override
        public void opened() {}

        @Override
        public void closed() {}
    };
}
