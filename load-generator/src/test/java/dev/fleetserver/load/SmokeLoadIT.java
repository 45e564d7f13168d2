package dev.fleetserver.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testing.elasticsearch.ElasticsearchNode;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The smoke-sized load runs of the normal test command (issue 5 item 4): simulated agents enroll against the
 * packaged server, hold their long polls, get one policy revision and (a hundred of them) one action whose acks
 * must be stored. 2,000 agents for a minute on the embedded store, where the server's own cost is measured, and
 * 300 on a real Elasticsearch, where every enrollment and first checkin waits for Elasticsearch to create an API
 * key (a few dozen per second on a busy 2-core machine). They fail on errors and on anything not delivered, and
 * on gross regressions only: every timeout is minutes, and no timing is asserted.
 */
class SmokeLoadIT {

    private static final int AGENTS = 2000;
    private static final int ELASTICSEARCH_AGENTS = 300;

    @Test
    void onElasticsearchAgentsHoldPollsAndGetAPolicyRevisionAndAnActionWithoutErrors() throws Exception {
        ElasticsearchNode node = TestElasticsearch.shared();
        Report report = LoadGenerator.run(Options.parse(
                "smoke",
                "--start-server",
                "--server-jar",
                System.getProperty("fleet.server.jar"),
                "--server-jvm",
                "-Xmx1g",
                "--elasticsearch",
                node.httpUri().toString(),
                "--elasticsearch-user",
                node.superuser() + ":" + node.superuserPassword(),
                "--service-token",
                node.serviceToken(),
                "--work-dir",
                Path.of("target", "smoke-run").toAbsolutePath().toString(),
                "--agents",
                String.valueOf(ELASTICSEARCH_AGENTS),
                "--duration",
                "20s",
                // Under the server's cap of 200 enrollments in flight, however slow Elasticsearch is today.
                "--enroll-concurrency",
                "32",
                "--processes",
                "1"));
        System.out.println(report.text());
        String serverLog = java.nio.file.Files.readString(Path.of(root(report, "server_log")));
        assertThat(serverLog)
                .as("the server's log holds no secret")
                .doesNotContain(node.serviceToken())
                .doesNotContain(node.superuserPassword());

        assertClean(report, ELASTICSEARCH_AGENTS);
    }

    /**
     * Two thousand agents on the embedded store: the admin side is the server's management API (policy, token,
     * revision, one bulk action for a hundred agents, acks read back from the action status).
     */
    @Test
    void onTheEmbeddedStoreTwoThousandAgentsHoldPollsForAMinuteWithoutErrors() throws Exception {
        int agents = AGENTS;
        Path workDir = Path.of("target", "smoke-run-embedded").toAbsolutePath();
        deleteRecursively(workDir); // a fresh store: agents of an earlier run would only be offline noise
        Report report = LoadGenerator.run(Options.parse(
                "smoke",
                "--start-server",
                "--store",
                "embedded",
                "--server-jar",
                System.getProperty("fleet.server.jar"),
                "--server-jvm",
                "-Xmx1g",
                "--work-dir",
                workDir.toString(),
                "--agents",
                String.valueOf(agents),
                "--duration",
                "60s",
                "--processes",
                "1"));
        System.out.println(report.text());

        assertThat(root(report, "admin")).isEqualTo("ManagementFleetAdmin");
        assertThat(report.root().path("action_fanout").path("action_type").asString())
                .isEqualTo("REQUEST_DIAGNOSTICS");
        assertClean(report, agents);
        // A gross regression, not a budget: 2,000 held polls cost a few hundred MiB today.
        assertThat(report.root().path("server_holding").path("rss_mib").asDouble())
                .as("server RSS holding %d polls", agents)
                .isLessThan(1536);
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(path);
            }
        }
    }

    private static void assertClean(Report report, int agents) {
        JsonNode root = report.root();
        assertThat(
                        root.path("failures").isMissingNode()
                                ? java.util.List.of()
                                : root.path("failures").valueStream().toList())
                .as("requirements not met")
                .isEmpty();
        assertThat(root.path("outcomes").path("errors").asLong()).as("errors").isZero();
        assertThat(root.path("outcomes").path("rate_limited_429").asLong())
                .as("429s")
                .isZero();
        assertThat(root.path("policy_rollout").path("delivered_agents").asLong())
                .isEqualTo(agents);
        assertThat(root.path("action_fanout").path("results_stored").asLong()).isEqualTo(100);
    }

    private static String root(Report report, String setupField) {
        return report.root().path("setup").path(setupField).asString();
    }
}
