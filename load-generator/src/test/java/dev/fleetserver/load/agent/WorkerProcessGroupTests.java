package dev.fleetserver.load.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A real worker process, started from this JVM's class path, answering over its pipes. */
class WorkerProcessGroupTests {

    @Test
    void aWorkerStartsAnswersAndStops() {
        AgentSpec spec =
                new AgentSpec("127.0.0.1:1", List.of("127.0.0.1"), "9.5.0", "token", 0, 0, false, 0, true, 1, 1000);
        try (WorkerProcessGroup worker = WorkerProcessGroup.launch("test-worker", List.of("-Xmx64m"))) {
            worker.start(spec, 0, 0, List.of());

            assertThat(worker.status()).isEqualTo(Stats.GroupStatus.empty());
            assertThat(worker.stats().outcomes()).isEmpty();
            assertThat(worker.delivery("some-action", 0).agents()).isZero();
            assertThat(worker.credentials()).isEmpty();
        }
    }
}
