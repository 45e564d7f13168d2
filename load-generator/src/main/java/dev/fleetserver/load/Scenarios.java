package dev.fleetserver.load;

import dev.fleetserver.load.scenario.AckThroughput;
import dev.fleetserver.load.scenario.ActionFanOut;
import dev.fleetserver.load.scenario.EnrollmentRate;
import dev.fleetserver.load.scenario.HeldPolls;
import dev.fleetserver.load.scenario.HttpCeiling;
import dev.fleetserver.load.scenario.PolicyRollout;
import dev.fleetserver.load.scenario.ReconnectStorm;
import dev.fleetserver.load.scenario.Smoke;
import dev.fleetserver.load.scenario.StartupIdle;
import java.util.LinkedHashMap;
import java.util.Map;

/** The scenarios by command name; P1–P7 are issue 5's benchmarks. */
public final class Scenarios {

    public static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    static {
        ALL.put("smoke", new Smoke());
        ALL.put("held", new HeldPolls());
        ALL.put("policy-rollout", new PolicyRollout());
        ALL.put("action-fanout", new ActionFanOut());
        ALL.put("acks", new AckThroughput());
        ALL.put("enroll", new EnrollmentRate());
        ALL.put("reconnect", new ReconnectStorm());
        ALL.put("startup", new StartupIdle());
        ALL.put("ceiling", new HttpCeiling());
    }

    private Scenarios() {}
}
