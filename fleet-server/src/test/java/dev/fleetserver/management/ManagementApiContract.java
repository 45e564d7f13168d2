package dev.fleetserver.management;

import static dev.fleetserver.testsupport.ManagementClient.json;
import static dev.fleetserver.testsupport.ManagementClient.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.ManagementClient;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The management API as an operator's script uses it, each operation's effect observed by a simulated agent
 * through the agent listener. Store-neutral: a subclass starts the server on its store ({@link #server()}) with
 * {@link ManagementClient#OPERATOR_KEYS_YAML} and short long polls; store-specific checks of what was written live
 * in the subclasses.
 */
public abstract class ManagementApiContract {

    /**
     * {@code inputs[0].server} settings for the subclasses' servers: short long polls, and checkin state written
     * every second so that statuses follow checkins quickly.
     */
    protected static final String SERVER_YAML = dev.fleetserver.testsupport.TestConfigs.SHORT_POLLS + """
                  bulk:
                    checkin:
                      flush_interval: 1s
            """;

    /** How long a change may take to reach a waiting agent (index followers poll every second). */
    protected static final Duration LIVE = Duration.ofSeconds(15);

    protected abstract RunningServer server();

    protected ManagementClient admin() {
        return ManagementClient.admin(server().managementUri());
    }

    // ------------------------------------------------------------------ helpers

    /** Creates a policy through the API and returns its id. */
    protected String createPolicy(String extraFields) {
        String name = "policy " + UUID.randomUUID();
        JsonNode created = ok(admin().post(
                        "/api/fleet/agent_policies",
                        json("{'name':'" + name + "','namespace':'default'" + extraFields + "}")));
        return created.path("item").path("id").asString();
    }

    /** Creates an enrollment key through the API and returns the token, registered as a secret. */
    protected String enrollmentToken(String policyId) {
        JsonNode created = ok(admin().post("/api/fleet/enrollment_api_keys", json("{'policy_id':'" + policyId + "'}")));
        return Secrets.register(created.path("item").path("api_key").asString());
    }

    protected SimulatedAgent enrolled(String policyId) {
        SimulatedAgent agent = new SimulatedAgent(server().agentUri());
        HttpResponse<String> enrolled = agent.enroll(enrollmentToken(policyId));
        assertThat(enrolled.statusCode()).as("enroll: %s", enrolled.body()).isEqualTo(200);
        return agent;
    }

    /** An enrolled agent that received, applied and acknowledged its policy's latest revision. */
    protected SimulatedAgent ready(String policyId) {
        SimulatedAgent agent = enrolled(policyId);
        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.actions("POLICY_CHANGE"))
                .as("first checkin: %s", first.body())
                .hasSize(1);
        ObjectNode change = first.actions("POLICY_CHANGE").getFirst();
        agent.apply(change);
        assertThat(agent.ack(change).statusCode()).isEqualTo(200);
        return agent;
    }

    protected static CompletableFuture<SimulatedAgent.Checkin> hold(SimulatedAgent agent) {
        CompletableFuture<SimulatedAgent.Checkin> held = agent.checkinAsync();
        sleep(Duration.ofMillis(700));
        assertThat(held).as("the checkin is held").isNotDone();
        return held;
    }

    protected static SimulatedAgent.Checkin get(CompletableFuture<SimulatedAgent.Checkin> held) {
        try {
            return held.get(LIVE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the held checkin did not complete within " + LIVE, e);
        }
    }

    /** Checkins until one delivers an action of {@code type} (acknowledging what came before), or fails. */
    protected static ObjectNode checkinUntil(SimulatedAgent agent, String type) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + LIVE.multipliedBy(2).toNanos();
        while (System.nanoTime() < deadline) {
            SimulatedAgent.Checkin checkin = agent.checkin();
            assertThat(checkin.status()).as("checkin: %s", checkin.body()).isEqualTo(200);
            for (ObjectNode action : checkin.actions()) {
                seen.add(action.path("type").asString());
                if (action.path("type").asString().equals(type)) {
                    return action;
                }
                if (action.path("type").asString().equals("POLICY_CHANGE")) {
                    agent.apply(action);
                }
                agent.ack(action);
            }
        }
        throw new AssertionError("no " + type + " action was delivered; saw " + seen);
    }

    protected static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected JsonNode agentView(String agentId) {
        return ok(admin().get("/api/fleet/agents/" + agentId)).path("item");
    }

    protected String statusOf(String agentId) {
        return agentView(agentId).path("status").asString();
    }

    // ------------------------------------------------------------------ policies

    @Test
    void aPolicyIsCreatedReadListedAndShownAsAgentsReceiveIt() {
        String name = "web servers " + UUID.randomUUID();
        JsonNode created = ok(admin().post(
                                "/api/fleet/agent_policies?sys_monitoring=false",
                                json("{'name':'" + name + "','namespace':'prod','description':'nginx',"
                                        + "'monitoring_enabled':['logs','metrics'],'inactivity_timeout':3600,"
                                        + "'inputs':[{'id':'logs-nginx','type':'logfile','use_output':'default',"
                                        + "'data_stream':{'namespace':'prod'},"
                                        + "'streams':[{'id':'access','data_stream':{'dataset':'nginx.access','type':'logs'},"
                                        + "'paths':['/var/log/nginx/access.log']}]}]}")))
                .path("item");
        String id = created.path("id").asString();

        assertThat(id).isNotBlank();
        assertThat(created.path("name").asString()).isEqualTo(name);
        assertThat(created.path("namespace").asString()).isEqualTo("prod");
        assertThat(created.path("description").asString()).isEqualTo("nginx");
        assertThat(created.path("status").asString()).isEqualTo("active");
        assertThat(created.path("revision").asLong()).isEqualTo(1);
        assertThat(created.path("is_managed").asBoolean(true)).isFalse();
        assertThat(created.path("is_protected").asBoolean(true)).isFalse();
        assertThat(created.path("inactivity_timeout").asLong()).isEqualTo(3600);
        assertThat(created.path("updated_by").asString()).isEqualTo(ManagementClient.ADMIN_ID);
        assertThat(created.path("updated_at").asString())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(created.has("inputs")).as("content is not an attribute").isFalse();

        JsonNode got = ok(admin().get("/api/fleet/agent_policies/" + id)).path("item");
        assertThat(got.path("name").asString()).isEqualTo(name);
        assertThat(got.path("agents").asLong()).isZero();
        assertThat(got.path("package_policies").isArray()).isTrue();

        JsonNode listed = ok(admin().get("/api/fleet/agent_policies?perPage=100&kuery="
                + java.net.URLEncoder.encode(
                        "ingest-agent-policies.name:\"" + name + "\"", java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(listed.path("total").asLong()).isEqualTo(1);
        assertThat(listed.path("page").asInt()).isEqualTo(1);
        assertThat(listed.path("perPage").asInt()).isEqualTo(100);
        assertThat(listed.path("items").get(0).path("id").asString()).isEqualTo(id);

        JsonNode full =
                ok(admin().get("/api/fleet/agent_policies/" + id + "/full")).path("item");
        assertThat(full.path("id").asString()).isEqualTo(id);
        assertThat(full.path("revision").asLong()).isEqualTo(1);
        assertThat(full.path("inputs").get(0).path("id").asString()).isEqualTo("logs-nginx");
        assertThat(full.path("agent").path("monitoring").path("enabled").asBoolean())
                .isTrue();
        assertThat(full.path("agent").path("monitoring").path("logs").asBoolean())
                .isTrue();
        assertThat(full.path("agent").path("monitoring").path("namespace").asString())
                .isEqualTo("prod");
        assertThat(full.path("agent").path("download").path("sourceURI").asString())
                .isNotBlank();
    }

    @Test
    void anUpdateIsANewRevisionThatAWaitingAgentReceives() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);

        JsonNode updated = ok(admin().put(
                                "/api/fleet/agent_policies/" + policyId,
                                json("{'name':'renamed " + policyId + "','namespace':'default',"
                                        + "'agent':{'logging':{'level':'debug'}}}")))
                .path("item");

        assertThat(updated.path("revision").asLong()).isEqualTo(2);
        assertThat(updated.path("name").asString()).isEqualTo("renamed " + policyId);
        SimulatedAgent.Checkin checkin = get(held);
        ObjectNode change = checkin.actions("POLICY_CHANGE").getFirst();
        JsonNode policy = change.path("data").path("policy");
        assertThat(policy.path("revision").asLong()).isEqualTo(2);
        assertThat(policy.path("agent").path("logging").path("level").asString())
                .isEqualTo("debug");
        assertThat(change.path("id").asString()).isEqualTo("policy:" + policyId + ":2");
    }

    @Test
    void aPolicyNameMustBeUnique() {
        String policyId = createPolicy("");
        String name = ok(admin().get("/api/fleet/agent_policies/" + policyId))
                .path("item")
                .path("name")
                .asString();

        HttpResponse<String> duplicate =
                admin().post("/api/fleet/agent_policies", json("{'name':'" + name + "','namespace':'default'}"));

        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(Http.json(duplicate).path("message").asString())
                .isEqualTo("Agent Policy '" + policyId + "' already exists with name '" + name + "'");
    }

    @Test
    void aPolicyInUseCannotBeDeletedAnUnusedOneCan() {
        String used = createPolicy("");
        enrolled(used);
        HttpResponse<String> refused =
                admin().post("/api/fleet/agent_policies/delete", json("{'agentPolicyId':'" + used + "'}"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(Http.json(refused).path("message").asString())
                .isEqualTo("Cannot delete an agent policy that is assigned to any active or inactive agents");

        String unused = createPolicy("");
        JsonNode deleted =
                ok(admin().post("/api/fleet/agent_policies/delete", json("{'agentPolicyId':'" + unused + "'}")));
        assertThat(deleted.path("id").asString()).isEqualTo(unused);
        assertThat(admin().get("/api/fleet/agent_policies/" + unused).statusCode())
                .isEqualTo(404);
    }

    @Test
    void unknownThingsAre404WithKibanasMessages() {
        assertMessage(
                admin().get("/api/fleet/agent_policies/nope"),
                404,
                "Saved object [ingest-agent-policies/nope] not found");
        assertMessage(admin().get("/api/fleet/agent_policies/nope/full"), 404, "Agent policy not found");
        assertMessage(admin().get("/api/fleet/agents/nope"), 404, "Agent nope not found");
        assertMessage(admin().get("/api/fleet/enrollment_api_keys/nope"), 404, "EnrollmentAPIKey nope not found");
        assertMessage(
                admin().post("/api/fleet/enrollment_api_keys", json("{'policy_id':'nope'}")),
                404,
                "Agent policy \"nope\" not found");
        assertMessage(
                admin().post("/api/fleet/agents/nope/reassign", json("{'policy_id':'nope'}")),
                404,
                "Agent policy not found: nope");
    }

    protected static void assertMessage(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(Http.json(response).path("message").asString()).isEqualTo(message);
    }

    // ------------------------------------------------------------------ enrollment keys

    @Test
    void anEnrollmentKeyFromTheApiEnrollsAgentsUntilItIsRevoked() {
        String policyId = createPolicy("");
        JsonNode created = ok(admin().post(
                        "/api/fleet/enrollment_api_keys",
                        json("{'policy_id':'" + policyId + "','name':'ci','expiration':'7d'}")));
        assertThat(created.path("action").asString()).isEqualTo("created");
        JsonNode key = created.path("item");
        String token = Secrets.register(key.path("api_key").asString());
        assertThat(key.path("name").asString())
                .isEqualTo("ci (" + key.path("id").asString() + ")");
        assertThat(key.path("active").asBoolean()).isTrue();
        assertThat(key.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(key.has("expire_at")).isTrue();
        assertThat(key.has("hidden")).as("not in the create answer").isFalse();

        SimulatedAgent first = new SimulatedAgent(server().agentUri());
        assertThat(first.enroll(token).statusCode()).isEqualTo(200);
        assertThat(agentView(first.agentId()).path("policy_id").asString()).isEqualTo(policyId);

        JsonNode listed = ok(admin().get("/api/fleet/enrollment_api_keys?perPage=100&kuery=policy_id:" + policyId));
        assertThat(listed.path("items")).hasSize(2); // the policy's default key and this one
        assertThat(listed.path("list")).hasSize(2);

        HttpResponse<String> revoked = admin().delete(
                        "/api/fleet/enrollment_api_keys/" + key.path("id").asString());
        assertThat(ok(revoked).path("action").asString()).isEqualTo("deleted");
        JsonNode after = ok(admin().get("/api/fleet/enrollment_api_keys/"
                        + key.path("id").asString()))
                .path("item");
        assertThat(after.path("active").asBoolean()).isFalse();

        SimulatedAgent second = new SimulatedAgent(server().agentUri());
        assertThat(second.enroll(token).statusCode()).isEqualTo(401);
    }

    @Test
    void aSecondKeyWithTheSameNameIsAConflict() {
        String policyId = createPolicy("");
        ok(admin().post("/api/fleet/enrollment_api_keys", json("{'policy_id':'" + policyId + "','name':'ops'}")));

        assertMessage(
                admin().post("/api/fleet/enrollment_api_keys", json("{'policy_id':'" + policyId + "','name':'ops'}")),
                409,
                "An enrollment key named ops already exists for agent policy " + policyId);
        assertMessage(
                admin().post(
                                "/api/fleet/enrollment_api_keys",
                                json("{'policy_id':'" + policyId + "','expiration':'7 days'}")),
                400,
                "[request body.expiration]: expiration must be a valid duration (e.g. 7d, 24h, 30m, 60s)");
    }

    // ------------------------------------------------------------------ agents

    @Test
    void unenrollDeliversUnenrollAndTheAckMakesTheAgentUnenrolled() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);

        assertThat(ok(admin().post("/api/fleet/agents/" + agent.agentId() + "/unenroll", null))
                        .isEmpty())
                .isTrue();

        ObjectNode unenroll = get(held).actions("UNENROLL").getFirst();
        // Once the checkin's state is written (batched), the agent is unenrolling until it acknowledges.
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(statusOf(agent.agentId())).isEqualTo("unenrolling"));
        assertThat(agent.ack(unenroll).statusCode()).isEqualTo(200);
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(statusOf(agent.agentId())).isEqualTo("unenrolled"));
        JsonNode listed = ok(admin().get("/api/fleet/agents?kuery=policy_id:" + policyId));
        assertThat(listed.path("total").asLong())
                .as("unenrolled agents are not listed by default")
                .isZero();
        JsonNode withUnenrolled =
                ok(admin().get("/api/fleet/agents?kuery=policy_id:" + policyId + "%20and%20status:unenrolled"));
        assertThat(withUnenrolled.path("total").asLong()).isEqualTo(1);
    }

    @Test
    void unenrollWithRevokeShutsTheAgentOutAtOnce() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);

        ok(admin().post("/api/fleet/agents/" + agent.agentId() + "/unenroll", json("{'revoke':true}")));

        assertThat(statusOf(agent.agentId())).isEqualTo("unenrolled");
        assertThat(agentView(agent.agentId()).path("active").asBoolean(true)).isFalse();
        assertThat(agent.checkin().status()).isEqualTo(401);
    }

    @Test
    void reassignDeliversTheOtherPolicy() {
        String from = createPolicy("");
        String to = createPolicy("");
        SimulatedAgent agent = ready(from);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);

        ok(admin().post("/api/fleet/agents/" + agent.agentId() + "/reassign", json("{'policy_id':'" + to + "'}")));

        ObjectNode reassign = get(held).actions("POLICY_REASSIGN").getFirst();
        assertThat(reassign.path("data").path("policy_id").asString()).isEqualTo(to);
        // Its status is "updating" only until its next checkin reports the revision it still runs, as with Kibana.
        assertThat(agentView(agent.agentId()).path("policy_id").asString()).isEqualTo(to);
        agent.ack(reassign);
        ObjectNode change = checkinUntil(agent, "POLICY_CHANGE");
        assertThat(change.path("data").path("policy").path("id").asString()).isEqualTo(to);
    }

    @Test
    void upgradeDeliversAnUpgradeAction() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        String older = agent.version();

        assertMessage(
                admin().post("/api/fleet/agents/" + agent.agentId() + "/upgrade", json("{'version':'9.5'}")),
                400,
                "[request body.version]: not a valid semver");
        assertMessage(
                admin().post("/api/fleet/agents/" + agent.agentId() + "/upgrade", json("{'version':'99.0.0'}")),
                400,
                "Cannot upgrade agent to 99.0.0 because it is higher than the latest fleet server version "
                        + serverVersion());

        ok(admin().post(
                        "/api/fleet/agents/" + agent.agentId() + "/upgrade",
                        json("{'version':'" + serverVersion() + "','force':true}")));

        ObjectNode upgrade = checkinUntil(agent, "UPGRADE");
        assertThat(upgrade.path("data").path("version").asString()).isEqualTo(serverVersion());
        assertThat(older).isNotNull();
        assertThat(agentView(agent.agentId()).has("upgrade_started_at")).isTrue();
    }

    /** The version the server reports and checks agents against. */
    protected String serverVersion() {
        return server().context()
                .getBean(dev.fleetserver.config.ServerVersion.class)
                .number();
    }

    @Test
    void aSettingsActionFromTheActionsEndpointIsDelivered() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);

        JsonNode item = ok(admin().post(
                                "/api/fleet/agents/" + agent.agentId() + "/actions",
                                json("{'action':{'type':'SETTINGS','data':{'log_level':'debug'}}}")))
                .path("item");

        assertThat(item.path("type").asString()).isEqualTo("SETTINGS");
        assertThat(item.path("agents").get(0).asString()).isEqualTo(agent.agentId());
        assertThat(item.path("created_at").asString()).isNotBlank();
        ObjectNode settings = checkinUntil(agent, "SETTINGS");
        assertThat(settings.path("id").asString()).isEqualTo(item.path("id").asString());
        assertThat(settings.path("data").path("log_level").asString()).isEqualTo("debug");
        assertMessage(
                admin().post("/api/fleet/agents/" + agent.agentId() + "/actions", json("{'action':{'type':'REBOOT'}}")),
                400,
                "[request body.action]: types that failed validation:\n"
                        + "- [request body.action.0.type]: types that failed validation:\n"
                        + " - [request body.action.0.type.0]: expected value to equal [UNENROLL]\n"
                        + " - [request body.action.0.type.1]: expected value to equal [UPGRADE]\n"
                        + " - [request body.action.0.type.2]: expected value to equal [POLICY_REASSIGN]\n"
                        + "- [request body.action.1.type]: expected value to equal [SETTINGS]");
    }

    @Test
    void bulkDiagnosticsIsOneActionForTheSelectedAgents() {
        // An output with its own credentials: the embedded store has no Elasticsearch to create keys in.
        String policyId = createPolicy(",'outputs':{'default':{'type':'elasticsearch',"
                + "'hosts':['http://127.0.0.1:9200'],'api_key':'output-id:output-key'}}");
        SimulatedAgent first = ready(policyId);
        SimulatedAgent second = ready(policyId);

        String byIds = ok(admin().post(
                                "/api/fleet/agents/bulk_request_diagnostics",
                                json("{'agents':['" + first.agentId() + "','" + second.agentId()
                                        + "','no-such-agent'],'additional_metrics':['CPU']}")))
                .path("actionId")
                .asString();

        for (SimulatedAgent agent : List.of(first, second)) {
            ObjectNode action = checkinUntil(agent, "REQUEST_DIAGNOSTICS");
            assertThat(action.path("id").asString()).isEqualTo(byIds);
            assertThat(action.path("data").path("additional_metrics").get(0).asString())
                    .isEqualTo("CPU");
            agent.ack(action);
        }
        String byKuery = ok(admin().post(
                                "/api/fleet/agents/bulk_request_diagnostics",
                                json("{'agents':'policy_id:" + policyId + "'}")))
                .path("actionId")
                .asString();
        assertThat(checkinUntil(first, "REQUEST_DIAGNOSTICS").path("id").asString())
                .isEqualTo(byKuery);
        JsonNode entry = null;
        for (JsonNode candidate :
                ok(admin().get("/api/fleet/agents/action_status?perPage=50")).path("items")) {
            if (candidate.path("actionId").asString().equals(byIds)) {
                entry = candidate;
            }
        }
        assertThat(entry).as("the action is listed").isNotNull();
        assertThat(entry.path("type").asString()).isEqualTo("REQUEST_DIAGNOSTICS");
        assertThat(entry.path("nbAgentsActionCreated").asLong()).isEqualTo(2);
        assertMessage(
                admin().post(
                                "/api/fleet/agents/bulk_request_diagnostics",
                                json("{'agents':[],'additional_metrics':['RAM']}")),
                400,
                "[request body.additional_metrics.0]: expected value to equal [CPU]");
    }

    @Test
    void tagsAreSetDeduplicatedAndFilterable() {
        String policyId = createPolicy("");
        SimulatedAgent agent = enrolled(policyId);

        JsonNode item = ok(admin().put("/api/fleet/agents/" + agent.agentId(), json("{'tags':['web','dmz','web']}")))
                .path("item");

        assertThat(item.path("tags")).extracting(JsonNode::asString).containsExactly("web", "dmz");
        JsonNode listed = ok(admin().get("/api/fleet/agents?kuery=tags:dmz%20and%20policy_id:" + policyId));
        assertThat(listed.path("items"))
                .extracting(a -> a.path("id").asString())
                .containsExactly(agent.agentId());
    }

    @Test
    void statusesAreListedFilteredAndCounted() {
        String policyId = createPolicy("");
        SimulatedAgent online = ready(policyId);
        online.checkin(); // after the ack: a checkin with a policy revision, status online
        SimulatedAgent erroring = ready(policyId).status("error");
        erroring.checkin();
        SimulatedAgent fresh = enrolled(policyId); // no policy acknowledged yet: updating

        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(statusOf(online.agentId())).isEqualTo("online");
            assertThat(statusOf(erroring.agentId())).isEqualTo("error");
        });
        assertThat(statusOf(fresh.agentId())).isEqualTo("updating");

        JsonNode onlineOnly =
                ok(admin().get("/api/fleet/agents?kuery=policy_id:" + policyId + "%20and%20status:online"));
        assertThat(onlineOnly.path("items"))
                .extracting(a -> a.path("id").asString())
                .containsExactly(online.agentId());
        JsonNode either = ok(admin().get("/api/fleet/agents?getStatusSummary=true&kuery=policy_id:" + policyId
                + "%20and%20status:(online%20or%20error)"));
        assertThat(either.path("total").asLong()).isEqualTo(2);
        assertThat(either.path("statusSummary").path("online").asLong()).isEqualTo(1);
        assertThat(either.path("statusSummary").path("error").asLong()).isEqualTo(1);
        assertThat(either.path("statusSummary").size()).isEqualTo(11);

        JsonNode counts =
                ok(admin().get("/api/fleet/agent_status?policyId=" + policyId)).path("results");
        assertThat(counts.path("online").asLong()).isEqualTo(1);
        assertThat(counts.path("error").asLong()).isEqualTo(1);
        assertThat(counts.path("updating").asLong()).isEqualTo(1);
        assertThat(counts.path("all").asLong()).isEqualTo(3);
        assertThat(counts.path("active").asLong()).isEqualTo(3);
        assertThat(counts.propertyNames())
                .containsExactlyInAnyOrder(
                        "online",
                        "error",
                        "offline",
                        "updating",
                        "inactive",
                        "unenrolled",
                        "orphaned",
                        "uninstalled",
                        "all",
                        "active",
                        "other",
                        "events");

        JsonNode paged = ok(admin().get("/api/fleet/agents?page=2&perPage=2&kuery=policy_id:" + policyId));
        assertThat(paged.path("total").asLong()).isEqualTo(3);
        assertThat(paged.path("items")).hasSize(1);
        assertThat(paged.path("page").asInt()).isEqualTo(2);
    }

    @Test
    void agentsByStatusAndByPolicyRevisionAreMetrics() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        agent.checkin();
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(statusOf(agent.agentId())).isEqualTo("online"));

        server().context()
                .getBean(dev.fleetserver.management.agents.AgentStatusMetrics.class)
                .refresh();

        String metrics = Http.plain().get(server().monitoring("/metrics")).body();
        for (String status : List.of(
                "online",
                "offline",
                "error",
                "degraded",
                "updating",
                "unenrolled",
                "inactive",
                "enrolling",
                "unenrolling",
                "orphaned",
                "uninstalled")) {
            assertThat(metrics).contains("fleet_agents{status=\"" + status + "\"}");
        }
        assertThat(metrics)
                .contains("fleet_agents_policy_revision{policy_id=\"" + policyId + "\",policy_revision=\"1\"} 1.0");
    }

    @Test
    void actionStatusCountsAcknowledgements() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        JsonNode item = ok(admin().post(
                                "/api/fleet/agents/" + agent.agentId() + "/actions",
                                json("{'action':{'type':'SETTINGS','data':{'log_level':'info'}}}")))
                .path("item");
        ObjectNode settings = checkinUntil(agent, "SETTINGS");
        agent.ack(settings);

        await().atMost(LIVE).untilAsserted(() -> {
            JsonNode entry = null;
            for (JsonNode candidate : ok(admin().get("/api/fleet/agents/action_status?perPage=50"))
                    .path("items")) {
                if (candidate.path("actionId").asString().equals(item.path("id").asString())) {
                    entry = candidate;
                }
            }
            assertThat(entry).as("the action is listed").isNotNull();
            assertThat(entry.path("type").asString()).isEqualTo("SETTINGS");
            assertThat(entry.path("nbAgentsActionCreated").asLong()).isEqualTo(1);
            assertThat(entry.path("nbAgentsActioned").asLong()).isEqualTo(1);
            assertThat(entry.path("nbAgentsAck").asLong()).isEqualTo(1);
            assertThat(entry.path("nbAgentsFailed").asLong()).isZero();
            assertThat(entry.path("status").asString()).isEqualTo("COMPLETE");
        });
    }
}
