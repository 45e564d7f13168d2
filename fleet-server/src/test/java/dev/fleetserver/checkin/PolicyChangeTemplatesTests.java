package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetserver.policy.PolicyRenderException;
import dev.fleetserver.policy.PreparedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The cache of shared templates: one per revision and key shape, built once, released when superseded. */
class PolicyChangeTemplatesTests {

    private final PolicyChangeTemplates templates = new PolicyChangeTemplates(new ResponseCompression(1, 1024));

    @Test
    void oneTemplatePerRevisionAndKeyShape() {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 3);

        PolicyChangeTemplate all = templates.template(policy, SamplePolicies.KEYED, Set.of());
        assertThat(templates.template(policy, List.copyOf(SamplePolicies.KEYED), Set.of()))
                .isSameAs(all);
        assertThat(templates.template(policy, List.of("default"), Set.of())).isNotSameAs(all);
        assertThat(templates.size()).isEqualTo(2);
    }

    @Test
    void concurrentFirstDeliveriesShareOneRendering() throws Exception {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 30);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<PolicyChangeTemplate>> asked = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                asked.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                start.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return templates.template(policy, SamplePolicies.KEYED, Set.of());
                        },
                        threads));
            }
            start.countDown();
            PolicyChangeTemplate first = asked.getFirst().get();
            for (var template : asked) {
                assertThat(template.get()).isSameAs(first);
            }
        }
    }

    @Test
    void aNewerRevisionReleasesTheTemplatesOfOlderOnesOfTheSamePolicyOnly() {
        PreparedPolicy one = SamplePolicies.prepared("p", 1, 3);
        PreparedPolicy other = SamplePolicies.prepared("q", 1, 3);
        templates.template(one, SamplePolicies.KEYED, Set.of());
        templates.template(one, List.of("default"), Set.of());
        templates.template(other, SamplePolicies.KEYED, Set.of());
        assertThat(templates.size()).isEqualTo(3);

        PreparedPolicy two = SamplePolicies.prepared("p", 2, 3);
        PolicyChangeTemplate latest = templates.template(two, SamplePolicies.KEYED, Set.of());

        assertThat(templates.size()).as("p's revision 1 released, q's kept").isEqualTo(2);
        assertThat(templates.template(two, SamplePolicies.KEYED, Set.of())).isSameAs(latest);
        assertThat(templates.template(other, SamplePolicies.KEYED, Set.of()).policy())
                .isSameAs(other);
    }

    @Test
    void aFailedRenderingIsNotKept() {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 1);
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> templates.template(policy, List.of("remote"), Set.of()))
                    .isInstanceOf(PolicyRenderException.class);
        }
        assertThat(templates.size()).isZero();
    }

    @Test
    void theCacheIsBoundedInBytes() {
        PreparedPolicy policy = SamplePolicies.prepared("p", 1, 30);
        PolicyChangeTemplate template = templates.template(policy, SamplePolicies.KEYED, Set.of());
        int json = template.fill("a", List.of("d:1", "r:2", "o:3")).json().length;
        assertThat(template.retainedBytes())
                .as("its literals and their gzip members")
                .isGreaterThan(json);
        assertThat(PolicyChangeTemplates.MAX_BYTES)
                .isLessThan(Runtime.getRuntime().maxMemory() / 4);
    }
}
