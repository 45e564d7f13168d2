package dev.fleetserver.load.agent;

import dev.fleetserver.load.agent.AgentWire.AgentIdentity;
import dev.fleetserver.load.agent.Stats.Latency;
import dev.fleetserver.load.agent.Stats.Route;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One simulated Elastic Agent, run on its own virtual thread: enrolls (or starts from stored credentials),
 * then loops like the agent's checkin gateway (agent-behavior §3): a gzip checkin held by the server as a long
 * poll, its actions recorded and acknowledged, the next checkin 1–1.5 s after a success, the agent's backoff
 * after a failure. Acks go out on the same keep-alive connection before the next checkin, as a fast handler's
 * would; retried acks and acks driven by an ack benchmark use a second connection, as Go's pool opens one when
 * the first is busy.
 */
final class LoadAgent implements Runnable {

    private static final int UNAUTHORIZED_BEFORE_HOURLY = 7;
    private static final int MAX_ACK_RETRIES = 5;

    private final int index;
    private final AgentContext context;
    private final AgentIdentity identity;
    private final long startDelayMillis;

    private volatile String agentId;
    private volatile String apiKey;
    private String ackToken;
    private String policyId;
    private long revision;
    private byte[] checkinBody;

    private volatile HttpConnection connection;
    private volatile boolean dropped;
    private volatile long reconnectJitterMillis;
    private volatile boolean stopping;
    /** How a simulated agent answers a diagnostics request: it has nothing to upload. */
    private static final String DIAGNOSTICS_NOT_SIMULATED = "diagnostics uploads are not simulated";

    private volatile JsonNode lastAckable;

    private final ReentrantLock sideLock = new ReentrantLock();
    private HttpConnection side;

    LoadAgent(int index, AgentContext context, AgentCredentials credentials, long startDelayMillis) {
        this.index = index;
        this.context = context;
        this.identity = AgentIdentity.random(index);
        this.startDelayMillis = startDelayMillis;
        if (credentials != null) {
            this.agentId = credentials.id();
            this.apiKey = credentials.apiKey();
        }
    }

    AgentCredentials credentials() {
        String id = agentId;
        return id == null ? null : new AgentCredentials(id, apiKey);
    }

    @Override
    public void run() {
        try {
            TimeUnit.MILLISECONDS.sleep(startDelayMillis);
            if (agentId == null) {
                if (!enroll()) {
                    return;
                }
            }
            if (!context.spec.checkin()) {
                return;
            }
            // The gateway's first tick comes 0–500 ms after it starts (§3.1).
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(500));
            checkinLoop();
        } catch (InterruptedException e) {
            // stopping
        } finally {
            close();
        }
    }

    // ---------------------------------------------------------------- enrollment (§2)

    private boolean enroll() throws InterruptedException {
        String enrollmentId = context.spec.enrollmentId() ? UUID.randomUUID().toString() : null;
        byte[] body = AgentWire.enrollBody(identity, context.spec.version(), enrollmentId);
        boolean sendTwice = ThreadLocalRandom.current().nextDouble() < context.spec.enrollRetryFraction();
        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1000)); // §2.1 step 2
        for (int attempt = 1; !stopping; attempt++) {
            if (context.enrollPermits != null) {
                context.enrollPermits.acquire();
            }
            HttpConnection.Response response;
            try {
                if (sendTwice) {
                    // The client lost the first answer and retries the same request (same enrollment_id).
                    sendEnroll(body);
                    sendTwice = false;
                }
                response = sendEnroll(body);
            } finally {
                if (context.enrollPermits != null) {
                    context.enrollPermits.release();
                }
            }
            if (response != null && response.status() == 200) {
                JsonNode item = parse(response.body()).path("item");
                if ("PERMANENT".equals(item.path("type").asString(""))
                        && !item.path("id").asString("").isEmpty()
                        && !item.path("access_api_key").asString("").isEmpty()) {
                    apiKey = item.path("access_api_key").asString();
                    agentId = item.path("id").asString();
                    context.stats.enrolled.incrementAndGet();
                    return true;
                }
                context.stats.count(Route.ENROLL, "bad-response");
            } else if (response != null && response.status() == 401) {
                context.stats.stopped.incrementAndGet(); // the enroll command gives up on a refused token
                return false;
            }
            backoff(Backoff.ENROLL, attempt);
        }
        return false;
    }

    private HttpConnection.Response sendEnroll(byte[] body) {
        byte[] request = AgentWire.request(
                "POST",
                "/api/fleet/agents/enroll",
                context.hostHeader,
                context.spec.version(),
                "ApiKey " + context.spec.enrollmentToken(),
                body,
                false);
        // The enroll command's client is gone when the daemon starts checking in: one connection of its own.
        long start = System.nanoTime();
        try (HttpConnection enrollConnection = open()) {
            HttpConnection.Response response = send(Route.ENROLL, enrollConnection, request);
            context.stats.latency(Latency.ENROLL, System.nanoTime() - start);
            return response;
        } catch (IOException e) {
            context.stats.transportError(Route.ENROLL, e);
            return null;
        }
    }

    // ---------------------------------------------------------------- checkin loop (§3)

    private void checkinLoop() throws InterruptedException {
        int failures = 0;
        int unauthorized = 0;
        while (!stopping) {
            Outcome outcome = checkinOnce();
            switch (outcome) {
                case ANSWERED -> {
                    failures = 0;
                    unauthorized = 0;
                    context.stats.resting.incrementAndGet();
                    try {
                        TimeUnit.MILLISECONDS.sleep(
                                1000 + ThreadLocalRandom.current().nextLong(500));
                    } finally {
                        context.stats.resting.decrementAndGet();
                    }
                }
                case DROPPED ->
                    TimeUnit.MILLISECONDS.sleep(
                            reconnectJitterMillis > 0
                                    ? ThreadLocalRandom.current().nextLong(reconnectJitterMillis)
                                    : 0);
                case UNENROLLED -> {
                    context.stats.stopped.incrementAndGet();
                    return;
                }
                case UNAUTHORIZED -> {
                    if (++unauthorized >= UNAUTHORIZED_BEFORE_HOURLY) {
                        TimeUnit.HOURS.sleep(1); // the 7th 401 in a row counts as an empty success, checked hourly
                    } else {
                        backoff(Backoff.CHECKIN, ++failures);
                    }
                }
                case FAILED -> {
                    unauthorized = 0;
                    backoff(Backoff.CHECKIN, ++failures);
                }
            }
        }
    }

    private enum Outcome {
        ANSWERED,
        DROPPED,
        UNAUTHORIZED,
        FAILED,
        UNENROLLED
    }

    private Outcome checkinOnce() {
        if (checkinBody == null) {
            checkinBody =
                    AgentWire.checkinBody(identity, agentId, context.spec.version(), ackToken, policyId, revision);
        }
        byte[] request = agentRequest("/checkin", checkinBody, true);
        dropped = false;
        HttpConnection.Response response;
        context.stats.polling.incrementAndGet();
        long start = System.nanoTime();
        try {
            response = send(Route.CHECKIN, mainConnection(), request);
        } catch (IOException e) {
            closeMain();
            if (dropped || stopping) {
                return Outcome.DROPPED;
            }
            context.stats.transportError(Route.CHECKIN, e);
            return Outcome.FAILED;
        } finally {
            context.stats.polling.decrementAndGet();
        }
        long receivedAt = Deliveries.nowMicros();
        long elapsed = System.nanoTime() - start;
        if (response.status() != 200) {
            context.stats.latency(Latency.CHECKIN_REFUSED, elapsed);
        }
        if (response.status() == 401) {
            return Outcome.UNAUTHORIZED;
        }
        if (response.status() != 200) {
            return Outcome.FAILED;
        }
        JsonNode answer = parse(response.body());
        JsonNode token = answer.path("ack_token");
        if (!answer.isObject() || !(token.isMissingNode() || token.isNull() || token.isString())) {
            context.stats.count(Route.CHECKIN, "bad-response");
            return Outcome.FAILED;
        }
        // The agent stores a non-empty token before it looks at the actions (§3.3).
        if (token.isString() && !token.asString().isEmpty() && !token.asString().equals(ackToken)) {
            ackToken = token.asString();
            checkinBody = null;
        }
        JsonNode actions = answer.path("actions");
        boolean none = actions.isMissingNode() || actions.isNull() || actions.isEmpty();
        context.stats.latency(none ? Latency.CHECKIN_WITHOUT_ACTIONS : Latency.CHECKIN_WITH_ACTIONS, elapsed);
        if (none) {
            return Outcome.ANSWERED;
        }
        if (!actions.isArray() || !actions.valueStream().allMatch(LoadAgent::decodable)) {
            context.stats.count(Route.CHECKIN, "bad-response"); // the agent drops the whole batch
            return Outcome.ANSWERED;
        }
        return handle(actions, receivedAt);
    }

    /** What the agent's dispatcher does with a batch (§5.0): records it, applies policies, acks what it acks. */
    private Outcome handle(JsonNode actions, long receivedAt) {
        List<ObjectNode> batched = new ArrayList<>();
        boolean unenroll = false;
        for (JsonNode action : actions) {
            String id = action.path("id").asString();
            String type = action.path("type").asString();
            context.deliveries.record(id, receivedAt);
            context.stats.actionsReceived.increment();
            switch (type) {
                case "POLICY_CHANGE" -> {
                    JsonNode policy = action.path("data").path("policy");
                    if (policy.path("id").isString() && policy.path("revision").isNumber()) {
                        policyId = policy.path("id").asString();
                        revision = policy.path("revision").asLong();
                        checkinBody = null;
                    }
                    lastAckable = action;
                    ack(List.of(AgentWire.ackEvent(action, agentId, null)));
                }
                case "UNENROLL" -> {
                    ack(List.of(AgentWire.ackEvent(action, agentId, null)));
                    unenroll = true;
                }
                case "UPGRADE", "SETTINGS", "POLICY_REASSIGN", "MIGRATE", "PRIVILEGE_LEVEL_CHANGE" -> {
                    lastAckable = action;
                    ack(List.of(AgentWire.ackEvent(action, agentId, null)));
                }
                case "INPUT_ACTION" -> {
                    lastAckable = action;
                    batched.add(AgentWire.ackEvent(action, agentId, null));
                }
                case "REQUEST_DIAGNOSTICS" -> {
                    lastAckable = action;
                    batched.add(AgentWire.ackEvent(action, agentId, DIAGNOSTICS_NOT_SIMULATED));
                }
                default -> {
                    // CANCEL and unknown types are never acknowledged
                }
            }
        }
        if (!batched.isEmpty()) {
            ack(batched);
        }
        return unenroll ? Outcome.UNENROLLED : Outcome.ANSWERED;
    }

    private static boolean decodable(JsonNode action) {
        return action.isObject()
                && action.path("id").isString()
                && action.path("type").isString();
    }

    // ---------------------------------------------------------------- acks (§4)

    /** Sends events on the main connection (free between checkins); failures go to the retrier. */
    private void ack(List<ObjectNode> events) {
        if (!sendAck(events, () -> mainConnection(), this::closeMain)) {
            Thread.ofVirtual().start(() -> retryAck(events));
        }
    }

    /** The agent's retrier (§4.3): up to five more attempts at its backoff, on a second connection. */
    private void retryAck(List<ObjectNode> events) {
        try {
            for (int attempt = 1; attempt <= MAX_ACK_RETRIES && !stopping; attempt++) {
                TimeUnit.MILLISECONDS.sleep(Backoff.ACK_RETRY.waitMillis(attempt, context.spec.backoffScale()));
                if (ackOnSide(events)) {
                    return;
                }
            }
            context.stats.count(Route.ACK, "dropped-after-retries");
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /**
     * Acknowledges the last acknowledged action again on the second connection, as an agent does after a restart
     * (acks are idempotent). Returns false at once when this agent has nothing to ack or an ack in flight.
     */
    boolean reAck() {
        JsonNode action = lastAckable;
        if (action == null || agentId == null) {
            return false;
        }
        String error = action.path("type").asString().equals("REQUEST_DIAGNOSTICS") ? DIAGNOSTICS_NOT_SIMULATED : null;
        return ackOnSide(List.of(AgentWire.ackEvent(action, agentId, error)));
    }

    private boolean ackOnSide(List<ObjectNode> events) {
        if (!sideLock.tryLock()) {
            return false;
        }
        try {
            return sendAck(events, this::sideConnection, this::closeSide);
        } finally {
            sideLock.unlock();
        }
    }

    private interface ConnectionSupplier {
        HttpConnection get() throws IOException;
    }

    /** One ack POST; true when the agent would not retry it (a JSON {@code acks} body, whatever the status). */
    private boolean sendAck(List<ObjectNode> events, ConnectionSupplier connection, Runnable closeConnection) {
        byte[] request = agentRequest("/acks", AgentWire.ackBody(events), false);
        HttpConnection.Response response;
        long start = System.nanoTime();
        try {
            response = send(Route.ACK, connection.get(), request);
            context.stats.latency(Latency.ACK, System.nanoTime() - start);
        } catch (IOException e) {
            closeConnection.run();
            context.stats.transportError(Route.ACK, e);
            return false;
        }
        context.stats.acksSent.add(events.size());
        JsonNode answer = parse(response.body());
        if (!"acks".equals(answer.path("action").asString(""))) {
            context.stats.count(Route.ACK, "bad-response");
            return false;
        }
        if (answer.path("errors").asBoolean(false)) {
            for (JsonNode item : answer.path("items")) {
                int status = item.path("status").asInt(0);
                if (status >= 400) {
                    context.stats.count(Route.ACK, "item-" + status);
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- connections

    /** A POST to one of this agent's endpoints ({@code /checkin}, {@code /acks}) with its access key. */
    private byte[] agentRequest(String endpoint, byte[] body, boolean gzipped) {
        return AgentWire.request(
                "POST",
                "/api/fleet/agents/" + agentId + endpoint,
                context.hostHeader,
                context.spec.version(),
                "ApiKey " + apiKey,
                body,
                gzipped);
    }

    /** One exchange; the answer's status is counted, its latency recorded by the caller, who knows its kind. */
    private HttpConnection.Response send(Route route, HttpConnection connection, byte[] request) throws IOException {
        HttpConnection.Response response =
                connection.exchange(request, System.nanoTime() + context.spec.requestTimeoutMillis() * 1_000_000);
        context.stats.answered(route, response.status());
        if (response.closes()) {
            connection.close();
        }
        return response;
    }

    private HttpConnection open() throws IOException {
        return HttpConnection.open(context.server, context.source(index), 30_000);
    }

    private HttpConnection mainConnection() throws IOException {
        HttpConnection current = connection;
        if (current == null || !current.isOpen()) {
            current = open();
            connection = current;
        }
        return current;
    }

    private void closeMain() {
        HttpConnection current = connection;
        connection = null;
        if (current != null) {
            current.close();
        }
    }

    private HttpConnection sideConnection() throws IOException {
        if (side == null || !side.isOpen()) {
            side = open();
        }
        return side;
    }

    private void closeSide() {
        if (side != null) {
            side.close();
            side = null;
        }
    }

    /** A reconnect storm: the connection is dropped now and opened again after up to {@code jitterMillis}. */
    void drop(long jitterMillis) {
        reconnectJitterMillis = jitterMillis;
        dropped = true;
        HttpConnection current = connection;
        if (current != null) {
            current.close();
        }
    }

    void stop() {
        stopping = true;
        close();
    }

    private void close() {
        closeMain();
        if (sideLock.tryLock()) {
            try {
                closeSide();
            } finally {
                sideLock.unlock();
            }
        }
    }

    private void backoff(Backoff backoff, int failures) throws InterruptedException {
        context.stats.inBackoff.incrementAndGet();
        try {
            TimeUnit.MILLISECONDS.sleep(backoff.waitMillis(failures, context.spec.backoffScale()));
        } finally {
            context.stats.inBackoff.decrementAndGet();
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? AgentWire.JSON.missingNode() : AgentWire.JSON.readTree(body);
        } catch (JacksonException e) {
            return AgentWire.JSON.missingNode();
        }
    }
}
