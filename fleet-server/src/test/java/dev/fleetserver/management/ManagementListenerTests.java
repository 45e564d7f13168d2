package dev.fleetserver.management;

import static dev.fleetserver.testsupport.ManagementClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.ManagementClient;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The management listener through real sockets, with Elasticsearch unreachable on purpose: what answers without
 * touching the store (routing, authentication, privileges, validation) and the separation of the two listeners.
 */
@ExtendWith(NoSecretsInLogs.class)
class ManagementListenerTests {

    private static RunningServer server;
    private static ManagementClient admin;
    private static final Http http = Http.plain();

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.unreachable(ManagementClient.OPERATOR_KEYS_YAML));
        admin = ManagementClient.admin(server.managementUri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theManagementListenerHasItsOwnPort() {
        assertThat(server.managementUri().getPort())
                .isPositive()
                .isNotEqualTo(server.agentUri().getPort());
    }

    @Test
    void withoutCredentialsEveryEndpointAnswers401() {
        HttpResponse<String> response =
                ManagementClient.anonymous(server.managementUri()).get("/api/fleet/agent_policies");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(Http.json(response))
                .isEqualTo(
                        Http.JSON.readTree(json("{'statusCode':401,'error':'Unauthorized','message':'Unauthorized'}")));
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a wrong secret          | admin  | not-the-admin-key-0123456789
            an unknown id           | nobody | admin-operator-key-0123456789abcdef
            """)
    void badCredentialsAnswer401(String title, String id, String key) {
        HttpResponse<String> response =
                ManagementClient.as(server.managementUri(), id, key).get("/api/fleet/agents");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(Http.json(response).path("message").asString()).isEqualTo("Unauthorized");
    }

    @Test
    void aMalformedAuthorizationHeaderIs401() {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.management("/api/fleet/agents"))
                .header("Authorization", "ApiKey not-base64!")
                .GET());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void aKeyWithoutTheRoutesPrivilegeGets403WithKibanasMessage() {
        ManagementClient reader = ManagementClient.reader(server.managementUri());

        HttpResponse<String> response = reader.post(
                "/api/fleet/agent_policies?sys_monitoring=false", json("{'name':'x','namespace':'default'}"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(Http.json(response))
                .isEqualTo(Http.JSON.readTree(json("{'statusCode':403,'error':'Forbidden','message':"
                        + "'API [POST /api/fleet/agent_policies?sys_monitoring=false] is unauthorized for user, this"
                        + " action is granted by the Kibana privileges [fleet-agent-policies-all]'}")));
    }

    @Test
    void aReadKeyLacksTheAnyOfPrivilegesOfEnrollmentKeys() {
        HttpResponse<String> response =
                ManagementClient.reader(server.managementUri()).get("/api/fleet/enrollment_api_keys");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(Http.json(response).path("message").asString())
                .isEqualTo("API [GET /api/fleet/enrollment_api_keys] is unauthorized for user, this action is granted"
                        + " by the Kibana privileges [fleet-agents-all,fleet-setup]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a missing required field    | {'namespace':'default'}                            | [request body.name]: expected value of type [string] but got [undefined]
            an unknown key              | {'name':'a','namespace':'default','foo':1}         | [request body.foo]: definition for this key is missing
            a wrong type                | {'name':'a','namespace':'default','is_managed':3}  | [request body.is_managed]: expected value of type [boolean] but got [number]
            an empty name               | {'name':'','namespace':'default'}                  | [request body.name]: value has length [0] but it must have a minimum length of [1].
            a blank name                | {'name':'  ','namespace':'default'}                | [request body.name]: Invalid empty string
            an upper-case namespace     | {'name':'a','namespace':'Prod'}                    | [request body.namespace]: Namespace must be lowercase
            a namespace with a dash     | {'name':'a','namespace':'a-b'}                     | [request body.namespace]: Namespace contains invalid characters
            a negative timeout          | {'name':'a','namespace':'default','inactivity_timeout':-1} | [request body.inactivity_timeout]: Value must be equal to or greater than [0].
            a fractional timeout        | {'name':'a','namespace':'default','inactivity_timeout':1.5} | [request body.inactivity_timeout]: 1.5 is not a valid integer
            an unknown monitoring kind  | {'name':'a','namespace':'default','monitoring_enabled':['x']} | [request body.monitoring_enabled.0]: types that failed validation:\\n- [request body.monitoring_enabled.0.0]: expected value to equal [logs]\\n- [request body.monitoring_enabled.0.1]: expected value to equal [metrics]\\n- [request body.monitoring_enabled.0.2]: expected value to equal [traces]
            an input without a type     | {'name':'a','namespace':'default','inputs':[{'id':'i'}]} | [request body.inputs.0.type]: expected value of type [string] but got [undefined]
            no body at all              |                                                    | [request body]: expected a plain object value, but found [null] instead.
            a body that is not JSON     | {nope                                              | Invalid request payload JSON format
            """)
    void invalidBodiesAre400WithTheFieldNamed(String title, String body, String message) {
        HttpResponse<String> response = admin.post("/api/fleet/agent_policies", body == null ? null : json(body));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(Http.json(response).path("error").asString()).isEqualTo("Bad Request");
        assertThat(Http.json(response).path("message").asString()).isEqualTo(message.replace("\\n", "\n"));
    }

    @Test
    void unknownQueryParametersAre400() {
        HttpResponse<String> response = admin.get("/api/fleet/agents?pretty=true");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(Http.json(response).path("message").asString())
                .isEqualTo("[request query.pretty]: definition for this key is missing");
    }

    @Test
    void kbnXsrfIsAcceptedButNotRequired() {
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(server.management("/api/fleet/agent_policies"))
                .header("Authorization", authorization())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json("{'namespace':'default'}"))));

        // Past the XSRF check (Kibana would say "Request must contain a kbn-xsrf header."): validation answers.
        assertThat(without.statusCode()).isEqualTo(400);
        assertThat(Http.json(without).path("message").asString()).startsWith("[request body.name]");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            GET    | /api/fleet/nothing-here
            GET    | /api/status
            POST   | /api/fleet/agents/enroll
            POST   | /api/fleet/agents/some-agent/checkin
            POST   | /api/fleet/agents/some-agent/acks
            DELETE | /api/fleet/agent_policies
            """)
    void pathsAndMethodsTheManagementApiDoesNotHaveAre404InKibanasForm(String method, String path) {
        HttpResponse<String> response = admin.send(method, path, method.equals("POST") ? "{}" : null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(Http.json(response))
                .isEqualTo(Http.JSON.readTree(json("{'statusCode':404,'error':'Not Found','message':'Not Found'}")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            GET  | /api/fleet/agent_policies
            GET  | /api/fleet/agents/some-agent
            GET  | /api/fleet/agent_status
            POST | /api/fleet/agents/some-agent/unenroll
            """)
    void managementPathsAreUnknownOnTheAgentListener(String method, String path) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.agent(path))
                .header("Authorization", authorization())
                .method(method, HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isIn(404, 405);
        assertThat(response.body()).doesNotContain("Unauthorized").doesNotContain("item");
    }

    @Test
    void managementRequestsDoNotCountInTheAgentListenersRouteMetrics() {
        long before = enrollTotal();
        // Shaped like an agent route (/api/fleet/agents/<x> is the enroll route's shape) but on the other listener.
        for (int i = 0; i < 3; i++) {
            admin.get("/api/fleet/agents/some-agent");
            admin.post("/api/fleet/agents/enroll", "{}");
        }

        assertThat(enrollTotal()).isEqualTo(before);
    }

    private static long enrollTotal() {
        JsonNode stats = Http.json(http.get(server.monitoring("/stats")));
        return stats.path("http_server")
                .path("routes")
                .path("enroll")
                .path("total")
                .asLong();
    }

    private static String authorization() {
        return "ApiKey "
                + java.util.Base64.getEncoder()
                        .encodeToString((ManagementClient.ADMIN_ID + ":" + ManagementClient.ADMIN_KEY).getBytes());
    }

    @Test
    void theAgentListenerStillServesAgentRoutes() {
        HttpResponse<String> status = http.get(server.agent("/api/status"));

        assertThat(status.statusCode()).isEqualTo(503); // Elasticsearch is unreachable here
        assertThat(Http.json(status).path("name").asString()).isEqualTo("fleet-server");
    }

    @Test
    void theManagementListenerCanBeTurnedOff() {
        try (RunningServer off = RunningServer.start(TestConfigs.unreachable("fleet.management.enabled: false"))) {
            assertThat(off.context().getBeansOfType(ManagementListener.class)).isEmpty();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(off.agentUri() + "/api/fleet/agent_policies"))
                                    .GET())
                            .statusCode())
                    .isEqualTo(404);
        }
    }
}
