package dev.fleetserver.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An Elastic Agent as the server sees it on the wire (agent-behavior §1–§4): the same request targets (with the
 * trailing {@code ?}), headers, bodies and response checks as the real agent, but driven step by step by the
 * test instead of by the agent's loop. There is no scheduling, backoff or retry here: a test calls
 * {@link #enroll}, {@link #checkin}, {@link #ack} when the scenario says the agent would.
 *
 * <p>Responses the real agent would reject although the server meant them as a success (a 200 enroll with
 * {@code item.type} other than {@code PERMANENT}, a 200 checkin whose body is not a JSON object, a 2xx ack
 * whose {@code action} is not {@code acks}, ...) fail with an {@link AssertionError} carrying the body: for
 * the server under test they are bugs. Other statuses are returned for the test to assert on. Transport
 * failures are {@link UncheckedIOException}s.
 *
 * <p>Every token and key it is given or receives is registered with {@link Secrets}.
 */
public final class SimulatedAgent {

    /** The header value every Fleet request carries (agent-behavior §1.2). */
    public static final String API_VERSION = "2023-06-01";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final String base;
    private AgentTransport transport = new AgentTransport(null);
    private Duration requestTimeout = Duration.ofMinutes(10);

    private String version = "9.5.0";
    private String localAgentId = UUID.randomUUID().toString();
    private final String hostname = "sim-" + HexFormat.of().toHexDigits(RANDOM.nextInt());
    private final String hostId = HexFormat.of().formatHex(randomBytes(16));
    private final String ip = "10.20." + RANDOM.nextInt(256) + "." + (1 + RANDOM.nextInt(254));
    private final String mac = "02:42:" + HexFormat.ofDelimiter(":").formatHex(randomBytes(4));

    private String agentId;
    private String accessApiKey;
    private String ackToken;
    private String policyId;
    private long policyRevision;
    private String status = "online";
    private String message = "Running";
    private String logLevel = "info";
    private boolean componentsSet;
    private ArrayNode components;
    private ObjectNode upgradeDetails;

    /**
     * @param fleetBaseUri the Fleet Server URL as given to {@code elastic-agent enroll --url}, e.g.
     *     {@code http://127.0.0.1:8220}; a path becomes a prefix of every API path
     */
    public SimulatedAgent(URI fleetBaseUri) {
        String uri = fleetBaseUri.toString();
        int query = uri.indexOf('?');
        if (query >= 0) {
            uri = uri.substring(0, query);
        }
        this.base = uri.endsWith("/") ? uri : uri + "/";
    }

    // ---------------------------------------------------------------- configuration and state

    /** The agent's version: {@code User-Agent: Elastic Agent v<version>} and {@code local_metadata}. */
    public synchronized SimulatedAgent version(String version) {
        this.version = version;
        return this;
    }

    /** Trust for an {@code https} Fleet URL (the host name is verified, as the agent does). */
    public synchronized SimulatedAgent tls(SSLContext context) {
        this.transport = new AgentTransport(context);
        return this;
    }

    /** The whole-request timeout, 10 minutes like the agent's client (agent-behavior §1.3). */
    public synchronized SimulatedAgent requestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /** The checkin {@code status}: {@code online} (default), {@code starting}, {@code error}, {@code DEGRADED}. */
    public synchronized SimulatedAgent status(String status) {
        this.status = status;
        return this;
    }

    /** The checkin {@code message}, {@code "Running"} by default. */
    public synchronized SimulatedAgent message(String message) {
        this.message = message;
        return this;
    }

    /** The effective log level reported in {@code local_metadata.elastic.agent.log_level} (SETTINGS, §5.4). */
    public synchronized SimulatedAgent logLevel(String logLevel) {
        this.logLevel = logLevel;
        return this;
    }

    /**
     * The checkin {@code components}; {@code null} sends JSON {@code null}. Until this is called the agent
     * reports {@code []} before it has applied a POLICY_CHANGE and one healthy {@code log} component after.
     */
    public synchronized SimulatedAgent components(ArrayNode components) {
        this.componentsSet = true;
        this.components = components == null ? null : components.deepCopy();
        return this;
    }

    /** Back to the default components (see {@link #components(ArrayNode)}). */
    public synchronized SimulatedAgent defaultComponents() {
        this.componentsSet = false;
        this.components = null;
        return this;
    }

    /** The checkin {@code upgrade_details} (§5.3); {@code null} omits the field, which means "no upgrade". */
    public synchronized SimulatedAgent upgradeDetails(ObjectNode upgradeDetails) {
        this.upgradeDetails = upgradeDetails == null ? null : upgradeDetails.deepCopy();
        return this;
    }

    /** Sets the stored ack token, e.g. an older one to simulate a restart from a stale state file. */
    public synchronized SimulatedAgent ackToken(String ackToken) {
        this.ackToken = ackToken;
        return this;
    }

    /** Drops the stored ack token: the next checkin carries none. */
    public synchronized SimulatedAgent forgetAckToken() {
        this.ackToken = null;
        return this;
    }

    /** Drops the stored POLICY_CHANGE: checkins omit {@code agent_policy_id} and {@code policy_revision_idx}. */
    public synchronized SimulatedAgent forgetPolicy() {
        this.policyId = null;
        this.policyRevision = 0;
        return this;
    }

    /** Drops ack token and policy, as enrollment does when it wipes the action and state stores (§2.1). */
    public synchronized SimulatedAgent forgetState() {
        return forgetAckToken().forgetPolicy();
    }

    /** Overrides the agent id used in URLs and bodies, e.g. to call another agent's endpoints. */
    public synchronized SimulatedAgent agentId(String agentId) {
        this.agentId = agentId;
        return this;
    }

    /** Overrides the access key, e.g. with a revoked or garbage one. */
    public synchronized SimulatedAgent accessApiKey(String accessApiKey) {
        this.accessApiKey = registerToken(accessApiKey);
        return this;
    }

    /**
     * Records what the agent runs after applying a POLICY_CHANGE (§5.1): later checkins report
     * {@code data.policy.id} as {@code agent_policy_id} and {@code data.policy.revision} as
     * {@code policy_revision_idx}. Like the agent, both are omitted when the id is not a string or the revision
     * not a number.
     */
    public synchronized void apply(ObjectNode policyChangeAction) {
        if (!"POLICY_CHANGE".equals(text(policyChangeAction.path("type")))) {
            throw new IllegalArgumentException("not a POLICY_CHANGE: " + policyChangeAction);
        }
        JsonNode policy = policyChangeAction.path("data").path("policy");
        if (policy.path("id").isString() && policy.path("revision").isNumber()) {
            policyId = policy.path("id").stringValue();
            policyRevision = policy.path("revision").asLong();
        } else {
            policyId = null;
            policyRevision = 0;
        }
    }

    public synchronized String agentId() {
        return agentId;
    }

    public synchronized String accessApiKey() {
        return accessApiKey;
    }

    /** The stored ack token, {@code null} when the agent has none. */
    public synchronized String ackToken() {
        return ackToken;
    }

    /** The policy id of the applied POLICY_CHANGE, or {@code null}. */
    public synchronized String policyId() {
        return policyId;
    }

    /** The revision of the applied POLICY_CHANGE, 0 when none. */
    public synchronized long policyRevision() {
        return policyRevision;
    }

    public synchronized String version() {
        return version;
    }

    public synchronized String hostname() {
        return hostname;
    }

    // ---------------------------------------------------------------- enroll (§2)

    /** {@code POST /api/fleet/agents/enroll?} with the body of §2.2; see {@link #enroll(String, Consumer)}. */
    public HttpResponse<String> enroll(String enrollmentToken) {
        return enroll(enrollmentToken, body -> {});
    }

    /**
     * Enrolls with {@code Authorization: ApiKey <enrollmentToken>} and the body of {@link #enrollBody()} after
     * {@code bodyEdit}. A 200 is validated as the agent does (§2.3), then {@code item.id} and
     * {@code item.access_api_key} are stored and the ack token and policy are forgotten. Any other status is
     * returned unchanged, except another 2xx, which the agent treats as an error: {@link AssertionError}.
     */
    public HttpResponse<String> enroll(String enrollmentToken, Consumer<ObjectNode> bodyEdit) {
        registerToken(enrollmentToken);
        ObjectNode body = enrollBody();
        bodyEdit.accept(body);
        HttpResponse<String> response = exchange(
                "POST",
                "/api/fleet/agents/enroll",
                "ApiKey " + enrollmentToken,
                Http.JSON.writeValueAsBytes(body),
                false,
                new String[0],
                new AgentTransport.Call());
        if (response.statusCode() == 200) {
            JsonNode item = validateEnrollResponse(response);
            synchronized (this) {
                agentId = item.path("id").stringValue();
                accessApiKey = registerToken(item.path("access_api_key").stringValue());
                localAgentId = agentId;
                ackToken = null;
                policyId = null;
                policyRevision = 0;
                upgradeDetails = null;
            }
        } else if (response.statusCode() / 100 == 2) {
            throw new AssertionError("enroll answered " + response.statusCode()
                    + ", the agent accepts only exactly 200: " + response.body());
        }
        return response;
    }

    /** A fresh enroll body (§2.2): {@code type PERMANENT}, {@code id ""}, {@code replace_token ""}, tags null. */
    public synchronized ObjectNode enrollBody() {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("type", "PERMANENT");
        body.put("id", "");
        body.put("replace_token", "");
        ObjectNode metadata = body.putObject("metadata");
        metadata.set("local", localMetadata(localAgentId));
        metadata.putObject("user_provided");
        metadata.putNull("tags");
        return body;
    }

    private static JsonNode validateEnrollResponse(HttpResponse<String> response) {
        JsonNode body = parseObject(response, "enroll");
        JsonNode item = body.path("item");
        List<String> problems = new ArrayList<>();
        if (!item.isObject()) {
            problems.add("item is not an object");
        } else {
            if (!"PERMANENT".equals(text(item.path("type")))) {
                problems.add("item.type is not exactly \"PERMANENT\"");
            }
            if (isNullOrEmpty(text(item.path("id")))) {
                problems.add("item.id is missing or empty");
            }
            if (isNullOrEmpty(text(item.path("access_api_key")))) {
                problems.add("item.access_api_key is missing or empty");
            }
            // The agent decodes into a typed struct: a known field of the wrong type fails the attempt.
            for (String field : List.of("policy_id", "status", "access_api_key_id")) {
                requireType(item, field, JsonNode::isString, "a string", problems);
            }
            requireType(item, "active", JsonNode::isBoolean, "a boolean", problems);
            requireType(item, "local_metadata", JsonNode::isObject, "an object", problems);
            requireType(item, "user_provided_metadata", JsonNode::isObject, "an object", problems);
            requireType(item, "actions", JsonNode::isArray, "an array", problems);
            requireType(
                    item,
                    "tags",
                    tags -> tags.isArray() && tags.valueStream().allMatch(JsonNode::isString),
                    "an array of strings",
                    problems);
            JsonNode enrolledAt = item.path("enrolled_at");
            if (!enrolledAt.isMissingNode() && !enrolledAt.isNull()) {
                if (!enrolledAt.isString() || !isRfc3339(enrolledAt.stringValue())) {
                    problems.add("item.enrolled_at is not an RFC 3339 string");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the agent would reject this enroll response (" + String.join("; ", problems)
                    + "): " + response.body());
        }
        return item;
    }

    // ---------------------------------------------------------------- checkin (§3)

    /** What one checkin returned. */
    public record Checkin(
            int status,
            JsonNode body,
            List<ObjectNode> actions,
            String ackToken,
            Duration elapsed,
            HttpResponse<String> response) {

        /**
         * @param body the parsed response body, {@code null} when it is not JSON
         * @param actions the delivered actions, empty when none or when the status is not 200
         * @param ackToken the response's {@code ack_token} as sent ({@code ""}), or {@code null} when absent
         */
        public Checkin {}

        public boolean ok() {
            return status == 200;
        }

        public List<ObjectNode> actions(String type) {
            return actions.stream()
                    .filter(action -> type.equals(text(action.path("type"))))
                    .toList();
        }

        public List<String> actionIds() {
            return actions.stream().map(action -> text(action.path("id"))).toList();
        }
    }

    /**
     * {@code POST /api/fleet/agents/<id>/checkin?} with the gzip-compressed {@link #checkinBody()}. On 200 the
     * response is checked as the agent reads it (§3.3): a JSON object, {@code ack_token} a string or null (a
     * non-empty one replaces the stored token), {@code actions} an array of objects with a string {@code type};
     * anything else is an {@link AssertionError}. Other statuses change nothing and are returned.
     */
    public Checkin checkin() {
        return checkin(checkinBodyBytes(), new AgentTransport.Call());
    }

    /**
     * {@link #checkin()} on another thread, to hold a long poll while the test does something else. Cancelling
     * the future closes the connection, as the agent abandons a poll (client disconnect); the agent's state is
     * then left as it was.
     */
    public CompletableFuture<Checkin> checkinAsync() {
        byte[] body = checkinBodyBytes();
        AgentTransport.Call call = new AgentTransport.Call();
        CompletableFuture<Checkin> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                call.abort();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        Thread.ofPlatform().daemon().name("simulated-agent-checkin").start(() -> {
            try {
                future.complete(checkin(body, call));
            } catch (Throwable failure) {
                future.completeExceptionally(failure);
            }
        });
        return future;
    }

    /**
     * A checkin request with the agent's headers but any body: gzip-compressed with
     * {@code Content-Encoding: gzip} when {@code gzip} is true, else sent as is without that header.
     * {@code extraHeaders} are name/value pairs that replace a header of the same name (a {@code null} value
     * removes it). The response is returned unchecked and the agent's state is not touched.
     */
    public HttpResponse<String> checkinRaw(byte[] body, boolean gzip, String... extraHeaders) {
        return exchange(
                "POST",
                "/api/fleet/agents/" + requireEnrolled() + "/checkin",
                "ApiKey " + accessApiKey(),
                gzip ? gzip(body) : body,
                gzip,
                extraHeaders,
                new AgentTransport.Call());
    }

    /** The checkin body the agent would send now (§3.2); edit a copy and send it with {@link #checkinRaw}. */
    public synchronized ObjectNode checkinBody() {
        requireEnrolled();
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("status", status);
        if (!isNullOrEmpty(ackToken)) {
            body.put("ack_token", ackToken);
        }
        body.set("local_metadata", localMetadata(agentId));
        body.put("message", message);
        if (componentsSet) {
            body.set("components", components == null ? Http.JSON.nullNode() : components.deepCopy());
        } else {
            body.set("components", policyId == null ? Http.JSON.createArrayNode() : healthyComponents());
        }
        if (policyId != null) {
            body.put("agent_policy_id", policyId);
        }
        if (policyRevision != 0) {
            body.put("policy_revision_idx", policyRevision);
        }
        if (upgradeDetails != null) {
            body.set("upgrade_details", upgradeDetails.deepCopy());
        }
        body.putObject("upgrade");
        return body;
    }

    private byte[] checkinBodyBytes() {
        return Http.JSON.writeValueAsBytes(checkinBody());
    }

    private Checkin checkin(byte[] body, AgentTransport.Call call) {
        long start = System.nanoTime();
        HttpResponse<String> response = exchange(
                "POST",
                "/api/fleet/agents/" + requireEnrolled() + "/checkin",
                "ApiKey " + accessApiKey(),
                gzip(body),
                true,
                new String[0],
                call);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (response.statusCode() != 200) {
            return new Checkin(response.statusCode(), tryParse(response.body()), List.of(), null, elapsed, response);
        }
        JsonNode parsed = parseObject(response, "checkin");
        JsonNode token = parsed.path("ack_token");
        if (!token.isMissingNode() && !token.isNull() && !token.isString()) {
            throw new AssertionError(
                    "the agent would reject this checkin response (ack_token is not a string): " + response.body());
        }
        String responseToken = token.isString() ? token.stringValue() : null;
        // The agent saves a non-empty token before it even looks at the actions (§3.3).
        if (!isNullOrEmpty(responseToken) && !call.aborted()) {
            synchronized (this) {
                ackToken = responseToken;
            }
        }
        List<ObjectNode> actions = new ArrayList<>();
        JsonNode list = parsed.path("actions");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw new AssertionError(
                        "the agent would drop this checkin response (actions is not an array): " + response.body());
            }
            for (JsonNode action : list) {
                String problem = actionProblem(action);
                if (problem != null) {
                    throw new AssertionError(
                            "the agent would drop the whole batch (" + problem + "): " + response.body());
                }
                actions.add((ObjectNode) action);
            }
        }
        return new Checkin(200, parsed, List.copyOf(actions), responseToken, elapsed, response);
    }

    /** Why the agent could not decode an action (§3.3, §5), or {@code null}. */
    private static String actionProblem(JsonNode action) {
        if (!action.isObject()) {
            return "an action is not an object";
        }
        if (!action.path("type").isString()) {
            return "an action has no string type";
        }
        if (!action.path("id").isString()) {
            return "an action has no string id";
        }
        for (String field : List.of("start_time", "expiration")) {
            JsonNode value = action.path(field);
            if (!value.isMissingNode() && !value.isNull() && !value.isString()) {
                return "an action's " + field + " is not a string";
            }
        }
        JsonNode timeout = action.path("timeout");
        if (!timeout.isMissingNode() && !timeout.isNull() && !timeout.isNumber()) {
            return "an action's timeout is not a number";
        }
        if ("UPGRADE".equals(text(action.path("type")))
                && !action.path("data").path("version").isString()) {
            return "an UPGRADE has no string data.version";
        }
        return null;
    }

    // ---------------------------------------------------------------- acks (§4)

    /** The ack event the agent sends for {@code action} (§4.1), without {@code error}. */
    public synchronized ObjectNode ackEvent(JsonNode action) {
        String id = text(action.path("id"));
        String type = text(action.path("type"));
        ObjectNode event = Http.JSON.createObjectNode();
        event.put("type", "ACTION_RESULT");
        event.put("subtype", "ACKNOWLEDGED");
        event.put("timestamp", goTimestamp(OffsetDateTime.now()));
        event.put("action_id", id == null ? "" : id);
        event.put("agent_id", agentId == null ? "" : agentId);
        event.put(
                "message",
                "Action " + goQuote(id == null ? "" : id) + " of type " + goQuote(type == null ? "" : type)
                        + " acknowledged.");
        return event;
    }

    /** One {@code POST /api/fleet/agents/<id>/acks?} with one event per action. */
    public HttpResponse<String> ack(ObjectNode... actions) {
        ObjectNode[] events = new ObjectNode[actions.length];
        for (int i = 0; i < actions.length; i++) {
            events[i] = ackEvent(actions[i]);
        }
        return ackEvents(events);
    }

    /** Acknowledges a failed execution: the event carries {@code error}. */
    public HttpResponse<String> ackWithError(ObjectNode action, String error) {
        return ackEvents(ackEvent(action).put("error", error));
    }

    /**
     * Sends {@code {"events": [...]}} as given. The body is read whatever the status, as the agent does (§4.2);
     * a 2xx whose body is not a JSON object with {@code "action":"acks"} is an {@link AssertionError}.
     */
    public HttpResponse<String> ackEvents(ObjectNode... events) {
        ObjectNode body = Http.JSON.createObjectNode();
        ArrayNode list = body.putArray("events");
        for (ObjectNode event : events) {
            list.add(event);
        }
        HttpResponse<String> response = exchange(
                "POST",
                "/api/fleet/agents/" + requireEnrolled() + "/acks",
                "ApiKey " + accessApiKey(),
                Http.JSON.writeValueAsBytes(body),
                false,
                new String[0],
                new AgentTransport.Call());
        if (response.statusCode() / 100 == 2) {
            JsonNode parsed = tryParse(response.body());
            if (parsed == null || !"acks".equals(text(parsed.path("action")))) {
                throw new AssertionError("the agent would retry this ack (the body is not an acks object): "
                        + response.statusCode() + " " + response.body());
            }
        }
        return response;
    }

    // ---------------------------------------------------------------- other calls (§6)

    /** {@code GET /api/status?} with the held access key, if any (§6.1). */
    public HttpResponse<String> probeStatus() {
        String key = accessApiKey();
        return exchange(
                "GET",
                "/api/status",
                key == null ? null : "ApiKey " + key,
                null,
                false,
                new String[0],
                new AgentTransport.Call());
    }

    /** {@code POST /api/fleet/agents/<id>/audit/unenroll?} (§6.2). */
    public HttpResponse<String> auditUnenroll(String reason) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("reason", reason);
        body.put(
                "timestamp",
                DateTimeFormatter.ISO_INSTANT.format(
                        OffsetDateTime.now().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        return send(
                "POST",
                "/api/fleet/agents/" + requireEnrolled() + "/audit/unenroll",
                Http.JSON.writeValueAsBytes(body));
    }

    /**
     * Any Fleet call as the agent makes it: {@code apiPath} (e.g. {@code /api/fleet/uploads}) gets the trailing
     * {@code ?}, the agent's headers and its access key. {@code extraHeaders} as in {@link #checkinRaw}.
     */
    public HttpResponse<String> send(String method, String apiPath, byte[] body, String... extraHeaders) {
        String key = accessApiKey();
        return exchange(
                method,
                apiPath,
                key == null ? null : "ApiKey " + key,
                body,
                false,
                extraHeaders,
                new AgentTransport.Call());
    }

    // ---------------------------------------------------------------- helpers

    /** Go's {@code time.Time} JSON form: RFC 3339, up to 9 fraction digits without trailing zeros, offset. */
    static String goTimestamp(OffsetDateTime time) {
        StringBuilder text = new StringBuilder(SECONDS.format(time));
        int nanos = time.getNano();
        if (nanos != 0) {
            String fraction = String.format(Locale.ROOT, "%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            text.append('.').append(fraction, 0, end);
        }
        int offset = time.getOffset().getTotalSeconds();
        if (offset == 0) {
            text.append('Z');
        } else {
            int minutes = Math.abs(offset) / 60;
            text.append(offset < 0 ? '-' : '+')
                    .append(String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60));
        }
        return text.toString();
    }

    /** Go's {@code %q} for the strings agents put in ack messages. */
    static String goQuote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** A ULID (26 characters of Crockford base32: 48 bits of milliseconds, 80 random bits), as the agent uses. */
    static String requestId() {
        long millis = System.currentTimeMillis();
        byte[] random = randomBytes(10);
        char[] id = new char[26];
        for (int i = 9; i >= 0; i--) {
            id[i] = CROCKFORD[(int) (millis & 31)];
            millis >>>= 5;
        }
        // 80 random bits = 16 characters of 5 bits.
        java.math.BigInteger bits = new java.math.BigInteger(1, random);
        for (int i = 25; i >= 10; i--) {
            id[i] = CROCKFORD[bits.intValue() & 31];
            bits = bits.shiftRight(5);
        }
        return new String(id);
    }

    private HttpResponse<String> exchange(
            String method,
            String apiPath,
            String authorization,
            byte[] body,
            boolean gzipped,
            String[] extraHeaders,
            AgentTransport.Call call) {
        if (extraHeaders.length % 2 != 0) {
            throw new IllegalArgumentException("extra headers come in name/value pairs");
        }
        AgentTransport client;
        Duration timeout;
        List<String[]> headers = new ArrayList<>();
        synchronized (this) {
            client = transport;
            timeout = requestTimeout;
            // Go canonicalises header names (Kbn-Xsrf, X-Request-Id) before it writes them.
            headers.add(new String[] {"User-Agent", "Elastic Agent v" + version});
            headers.add(new String[] {"Elastic-Api-Version", API_VERSION});
            headers.add(new String[] {"Content-Type", "application/json"});
            headers.add(new String[] {"Accept", "application/json"});
            headers.add(new String[] {"Kbn-Xsrf", "1"});
            headers.add(new String[] {"X-Request-Id", requestId()});
            headers.add(new String[] {"Accept-Encoding", "gzip"});
        }
        if (authorization != null) {
            headers.add(new String[] {"Authorization", authorization});
        }
        if (gzipped) {
            headers.add(new String[] {"Content-Encoding", "gzip"});
        }
        for (int i = 0; i < extraHeaders.length; i += 2) {
            String name = extraHeaders[i];
            headers.removeIf(header -> header[0].equalsIgnoreCase(name));
            if (extraHeaders[i + 1] != null) {
                headers.add(new String[] {name, extraHeaders[i + 1]});
            }
        }
        String path = apiPath.startsWith("/") ? apiPath.substring(1) : apiPath;
        return client.exchange(method, URI.create(base + path + "?"), headers, body, timeout, call);
    }

    private ObjectNode localMetadata(String id) {
        ObjectNode local = Http.JSON.createObjectNode();
        ObjectNode agent = local.putObject("elastic").putObject("agent");
        agent.put("id", id);
        agent.put("version", version);
        agent.put("snapshot", false);
        agent.put("build.original", version + " (build: 3f2e1d0 at 2026-08-01 10:00:00 +0000 UTC)");
        agent.put("upgradeable", true);
        agent.put("log_level", logLevel);
        agent.put("complete", false);
        agent.put("unprivileged", false);
        agent.put("fips", false);
        ObjectNode host = local.putObject("host");
        host.put("architecture", "x86_64");
        host.put("hostname", hostname);
        host.put("name", hostname);
        host.put("id", hostId);
        host.putArray("ip").add(ip + "/24");
        host.putArray("mac").add(mac);
        host.put("memory", 8241631232L);
        ObjectNode os = local.putObject("os");
        os.put("family", "debian");
        os.put("kernel", "6.8.0-45-generic");
        os.put("platform", "ubuntu");
        os.put("version", "24.04.1 LTS (Noble Numbat)");
        os.put("name", "Ubuntu");
        os.put("full", "Ubuntu noble(24.04.1 LTS (Noble Numbat))");
        return local;
    }

    private static ArrayNode healthyComponents() {
        ArrayNode list = Http.JSON.createArrayNode();
        ObjectNode component = list.addObject();
        component.put("id", "log-default");
        component.put("type", "log");
        component.put("status", "HEALTHY");
        component.put("message", "Healthy: communicating with pid '4411'");
        ArrayNode units = component.putArray("units");
        ObjectNode input = units.addObject();
        input.put("id", "log-default-logfile-logs");
        input.put("type", "input");
        input.put("status", "HEALTHY");
        input.put("message", "Healthy");
        ObjectNode output = units.addObject();
        output.put("id", "log-default");
        output.put("type", "output");
        output.put("status", "HEALTHY");
        output.put("message", "Healthy");
        return list;
    }

    private synchronized String requireEnrolled() {
        if (agentId == null) {
            throw new IllegalStateException("the agent has not enrolled yet");
        }
        return agentId;
    }

    private static String registerToken(String token) {
        Secrets.register(token);
        if (token != null) {
            try {
                String decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0) {
                    Secrets.register(decoded.substring(colon + 1));
                }
            } catch (IllegalArgumentException notBase64) {
                // a garbage token from a negative test: nothing more to register
            }
        }
        return token;
    }

    private static JsonNode parseObject(HttpResponse<String> response, String what) {
        JsonNode parsed = tryParse(response.body());
        if (parsed == null || !parsed.isObject()) {
            throw new AssertionError("the agent would reject this " + what + " response (not a JSON object): "
                    + response.statusCode() + " " + response.body());
        }
        return parsed;
    }

    private static JsonNode tryParse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Http.JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static void requireType(
            JsonNode item,
            String field,
            java.util.function.Predicate<JsonNode> check,
            String expected,
            List<String> problems) {
        JsonNode value = item.path(field);
        if (!value.isMissingNode() && !value.isNull() && !check.test(value)) {
            problems.add("item." + field + " is not " + expected);
        }
    }

    private static boolean isRfc3339(String value) {
        try {
            OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    private static boolean isNullOrEmpty(String value) {
        return value == null || value.isEmpty();
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }
}
