package dev.fleetserver.load.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.Semaphore;

/** What the agents of one group share: the spec, where to connect, and where to record what they saw. */
final class AgentContext {

    final AgentSpec spec;
    final InetSocketAddress server;
    final String hostHeader;
    final List<InetAddress> sources;
    final Stats stats = new Stats();
    final Deliveries deliveries = new Deliveries();
    final Semaphore enrollPermits;

    AgentContext(AgentSpec spec) {
        this.spec = spec;
        int colon = spec.server().lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("server must be host:port: " + spec.server());
        }
        this.server = new InetSocketAddress(
                spec.server().substring(0, colon),
                Integer.parseInt(spec.server().substring(colon + 1)));
        this.hostHeader = spec.server();
        this.sources =
                spec.sourceAddresses().stream().map(AgentContext::address).toList();
        this.enrollPermits = spec.enrollConcurrency() > 0 ? new Semaphore(spec.enrollConcurrency()) : null;
    }

    InetAddress source(int agentIndex) {
        return sources.get(agentIndex % sources.size());
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a local address: " + text, e);
        }
    }
}
