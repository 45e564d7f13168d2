package dev.fleetserver.checkin;

import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Per-agent cost of a POLICY_CHANGE answer (serialize, and gzip at level 1 as agents ask for it) on this machine,
 * before (the revision copied, keyed, serialized and compressed for each agent) and after ADR 12 (a shared template
 * filled in). Printed, never asserted. Not part of the suite (the name matches neither {@code *Tests} nor
 * {@code *IT}); run it with
 * {@code ./mvnw -o test -pl fleet-server -Dtest=PolicyChangeBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PolicyChangeBenchmark {

    private static final ResponseCompression GZIP = new ResponseCompression(1, 1024);
    private static final long WARM_UP_NANOS = 3_000_000_000L;
    private static final long RUN_NANOS = 5_000_000_000L;
    private static final int TARGET_BYTES = 30_000;

    @Test
    void measure() {
        PreparedPolicy policy = policyOfAbout(TARGET_BYTES);
        Set<String> ownCluster = Set.of("own");
        PolicyChangeTemplates templates = new PolicyChangeTemplates(GZIP);
        IntFunction<Map<String, String>> keys = i -> {
            Map<String, String> byOutput = new LinkedHashMap<>();
            byOutput.put("default", "K" + (100_000_000 + i) + "aaaaaaaaaa:s3cr3tValueOfTwentyTwo" + i);
            byOutput.put("remote", "R" + (100_000_000 + i) + "bbbbbbbbbb:an0therSecretValue42" + i);
            byOutput.put("own", "O" + (100_000_000 + i) + "cccccccccc:th1rdSecretValue4242" + i);
            return byOutput;
        };
        long buildStart = System.nanoTime();
        PolicyChangeTemplate template = PolicyChangeTemplate.build(policy, SamplePolicies.KEYED, ownCluster, GZIP);
        long buildNanos = System.nanoTime() - buildStart;
        byte[] sampleBefore = CheckinResponse.Actions.policyChange(
                        PolicyRenderer.render("agent-0", policy, keys.apply(0), ownCluster))
                .encode(GZIP)
                .bytes();
        byte[] sampleAfter = template.fill("agent-0", List.copyOf(keys.apply(0).values()))
                .encode(GZIP)
                .bytes();
        int jsonBytes =
                template.fill("agent-0", List.copyOf(keys.apply(0).values())).json().length;

        System.out.printf(
                Locale.ROOT,
                "%nPOLICY_CHANGE answer: %,d bytes of JSON; gzip level 1: %,d bytes per agent before, %,d after"
                        + " (%d deflate segments, one gzip member); template built in %.2f ms (%s, %d cores)%n",
                jsonBytes,
                sampleBefore.length,
                sampleAfter.length,
                template.segmentCount(),
                buildNanos / 1e6,
                Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "%-46s %12s %14s %16s %14s%n",
                "per agent",
                "µs/answer",
                "answers/s",
                "bytes alloc/ans",
                "10k agents (s)");
        // Per agent, before: the revision copied and keyed, the answer serialized (and compressed) on its own.
        IntFunction<CheckinResponse> before = i -> CheckinResponse.Actions.policyChange(
                PolicyRenderer.render("agent-" + i, policy, keys.apply(i), ownCluster));
        // After: the agent's values filled into the shared template.
        IntFunction<CheckinResponse> after = i -> templates.answer(policy, "agent-" + i, keys.apply(i), ownCluster);
        run("before: render + serialize", i -> before.apply(i).encode(null).bytes().length);
        run(
                "before: render + serialize + gzip",
                i -> before.apply(i).encode(GZIP).bytes().length);
        run(
                "after: shared template + agent's values",
                i -> after.apply(i).encode(null).bytes().length);
        run(
                "after: shared deflate segments + stored values",
                i -> after.apply(i).encode(GZIP).bytes().length);
    }

    private static PreparedPolicy policyOfAbout(int bytes) {
        for (int inputs = 1; ; inputs++) {
            PreparedPolicy policy = SamplePolicies.prepared("benchmark", 1, inputs);
            int size = CheckinResponse.Actions.policyChange(PolicyRenderer.render(
                            "agent-0", policy, Map.of("default", "k:1", "remote", "k:2", "own", "k:3"), Set.of()))
                    .toJson()
                    .length;
            if (size >= bytes) {
                return policy;
            }
        }
    }

    private static void run(String name, IntFunction<Integer> answer) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        int i = 0;
        for (long end = System.nanoTime() + WARM_UP_NANOS; System.nanoTime() < end; ) {
            sink += answer.apply(i++);
        }
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        long end = start + RUN_NANOS;
        int count = 0;
        while (System.nanoTime() < end) {
            sink += answer.apply(i++);
            count++;
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        double micros = nanos / 1e3 / count;
        System.out.printf(
                Locale.ROOT,
                "%-46s %12.1f %,14.0f %,16d %14.2f%n",
                name,
                micros,
                count / (nanos / 1e9),
                allocated / count,
                micros * 10_000 / 1e6);
        if (sink == 42) {
            System.out.println(); // keeps the answers from being optimised away
        }
    }
}
