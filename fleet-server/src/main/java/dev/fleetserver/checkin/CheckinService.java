package dev.fleetserver.checkin;

import dev.fleetserver.action.ActionConverter;
import dev.fleetserver.action.ActionDispatcher;
import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionFeed;
import dev.fleetserver.action.ActionSecrets;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.action.ActionTypes;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentVersion;
import dev.fleetserver.auth.AgentAuthenticator;
import dev.fleetserver.auth.AgentInactiveException;
import dev.fleetserver.auth.AuthenticatedAgent;
import dev.fleetserver.config.ServerConfig;
import dev.fleetserver.config.ServerTimeouts;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.policy.OutputKeys;
import dev.fleetserver.policy.PolicyMonitor;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checkin long poll (agent-api §10, algorithms §4). The agent's state is queued for the batched writer; then
 * the checkin subscribes to its agent's actions and to its policy <em>before</em> reading pending actions, so
 * nothing stored in between is missed. Pending actions answer at once; otherwise the checkin waits — holding no
 * thread — for live actions, a newer policy revision, its timer, or shutdown.
 */
public final class CheckinService {

    private static final Logger log = LoggerFactory.getLogger(CheckinService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_PENDING = 100;
    private static final int MAX_SKIPPED_PAGES = 10;
    /**
     * What a held poll drops from the agent document it keeps for a policy delivery: rendering reads the agent's
     * policy and output keys, never these, and they are most of the document (a few KiB per waiting agent).
     */
    private static final Set<String> NOT_NEEDED_FOR_DELIVERY =
            Set.of("local_metadata", "components", "upgrade_details", "user_provided_metadata");

    /** Not an upstream field: the incarnation of the actions store that {@code action_seq_no} refers to. */
    static final String POSITION_GENERATION = "action_seq_no_generation";

    private final AgentAuthenticator authenticator;
    private final ServerVersion serverVersion;
    private final ServerTimeouts timeouts;
    private final ServerConfig.FeatureFlags featureFlags;
    private final ActionStore actions;
    private final ActionFeed actionFeed;
    private final ActionDispatcher dispatcher;
    private final ActionSecrets actionSecrets;
    private final AckTokens ackTokens;
    private final PolicyMonitor policies;
    private final PolicyRenderer renderer;
    private final PolicyChangeTemplates policyChanges;
    private final OutputKeys outputKeys;
    private final UpgradeDetailsWriter upgradeDetails;
    private final CheckinWriter writer;
    private final HeldCheckins held;
    private final Executor rendering;
    private final @Nullable GracefulForceUnenroll forceUnenroll;

    CheckinService(
            AgentAuthenticator authenticator,
            ServerVersion serverVersion,
            ServerTimeouts timeouts,
            ServerConfig.FeatureFlags featureFlags,
            ActionStore actions,
            ActionFeed actionFeed,
            ActionDispatcher dispatcher,
            ActionSecrets actionSecrets,
            AckTokens ackTokens,
            PolicyMonitor policies,
            PolicyRenderer renderer,
            PolicyChangeTemplates policyChanges,
            OutputKeys outputKeys,
            UpgradeDetailsWriter upgradeDetails,
            CheckinWriter writer,
            HeldCheckins held,
            Executor rendering) {
        this.authenticator = authenticator;
        this.serverVersion = serverVersion;
        this.timeouts = timeouts;
        this.featureFlags = featureFlags;
        this.actions = actions;
        this.actionFeed = actionFeed;
        this.dispatcher = dispatcher;
        this.actionSecrets = actionSecrets;
        this.ackTokens = ackTokens;
        this.policies = policies;
        this.renderer = renderer;
        this.policyChanges = policyChanges;
        this.outputKeys = outputKeys;
        this.upgradeDetails = upgradeDetails;
        this.writer = writer;
        this.held = held;
        this.rendering = rendering;
        var graceful = featureFlags.gracefulForceUnenroll();
        this.forceUnenroll = graceful.enabled() ? new GracefulForceUnenroll(graceful.maxBytes()) : null;
    }

    /**
     * @param receivedNanos when the request arrived ({@link System#nanoTime()}): set-up time is taken off the poll
     * @param body read after authentication and the version check, as upstream orders them
     */
    CompletableFuture<CheckinResponse> checkin(
            List<String> authorization,
            String agentId,
            String userAgent,
            long receivedNanos,
            Supplier<CheckinRequest> body) {
        AuthenticatedAgent authenticated;
        try {
            authenticated = authenticator.authenticate(authorization, agentId);
        } catch (RuntimeException e) {
            if (e instanceof AgentInactiveException inactive) {
                // Kibana force-unenrolled it and invalidated its local keys; it cannot reach remote clusters.
                outputKeys.invalidateRemoteKeys(inactive.agent());
            }
            if (forceUnenroll != null && GracefulForceUnenroll.applies(e)) {
                var answer = forceUnenroll.answer(agentId);
                if (answer.isPresent()) {
                    return CompletableFuture.completedFuture(answer.get());
                }
            }
            throw e;
        }
        Agent agent = authenticated.agent();
        String version = AgentVersion.check(userAgent, serverVersion.number());
        CheckinRequest request = body.get();

        long position = actionPosition(agent, request.ackToken());
        upgradeDetails.apply(agent, request.upgradeDetails());
        ObjectNode state = stateFields(agent, request, version);
        long revision = subscriptionRevision(agent, request, state);
        if (position >= 0) {
            state.set("action_seq_no", NODES.arrayNode().add(position));
            // Our own field: which incarnation of the actions the position belongs to.
            state.put(POSITION_GENERATION, actionFeed.generation());
        }
        boolean positionChanged = position >= 0 && position != agent.actionSeqNo();

        CompletableFuture<CheckinResponse> reply = new CompletableFuture<>();
        CompletableFuture<Void> pendingRead = new CompletableFuture<>();
        var actionSubscription = dispatcher.subscribe(
                agentId, batch -> reply.complete(CheckinResponse.of(batch.ackToken(), batch.actions())));
        Agent forDelivery = agent.without(NOT_NEEDED_FOR_DELIVERY);
        var policySubscription = policies.subscribe(
                policyIdOf(agent),
                revision,
                policy -> pendingRead.thenRunAsync(() -> deliver(reply, forDelivery, policy), rendering));
        reply.whenComplete((response, error) -> {
            actionSubscription.close();
            policySubscription.close();
        });

        writer.queue(agentId, state, positionChanged, agent.hasAuditUnenrollFields());
        try {
            CheckinResponse pending = pendingActions(agentId, position);
            if (pending != null) {
                reply.complete(pending);
            }
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        } finally {
            pendingRead.complete(null);
        }
        if (!reply.isDone()) {
            ObjectNode tickState = tickFields(state);
            held.hold(reply, pollDuration(request, receivedNanos), () -> {
                ObjectNode tick = tickState.deepCopy();
                tick.put("last_checkin", now());
                writer.queue(agentId, tick, false, false);
            });
        }
        return reply;
    }

    private void deliver(CompletableFuture<CheckinResponse> reply, Agent agent, PreparedPolicy policy) {
        if (reply.isDone()) {
            return;
        }
        try {
            // Per agent only its keys; the revision's bytes are shared (ADR 12).
            Map<String, String> keys = renderer.outputKeys(agent, policy);
            reply.complete(policyChanges.answer(policy, agent.id(), keys, renderer.ownClusterOutputs(policy)));
        } catch (RuntimeException e) {
            log.warn(
                    "Policy {} revision {} could not be prepared for agent {}: {}",
                    policy.policyId(),
                    policy.revisionIdx(),
                    agent.id(),
                    e.getMessage());
            reply.completeExceptionally(e);
        }
    }

    /** The agent's position in the actions: from its ack token, else from its document (agent-api §10.5). */
    private long actionPosition(Agent agent, @Nullable String ackToken) {
        long position = -1;
        if (ackToken != null && !ackToken.isEmpty()) {
            position = ackTokens.positionOf(ackToken).orElse(-1);
        }
        if (position < 0) {
            position = agent.actionSeqNo();
            String generation = agent.source().path(POSITION_GENERATION).asString("");
            if (position >= 0 && !generation.isEmpty() && !generation.equals(actionFeed.generation())) {
                log.info("Action position of agent {} is from before the actions were re-created", agent.id());
                return -1;
            }
        }
        // A position beyond the end of the actions was taken before they were re-created: start over.
        if (position >= 0 && actionFeed.isBeyondEnd(position)) {
            log.info("Action position {} of agent {} is from before the actions were re-created", position, agent.id());
            return -1;
        }
        return position;
    }

    /**
     * Pending actions after the agent's position (agent-api §10.6.1), or null when none survive filtering and
     * the checkin should long-poll (§10.2 step 8). Documents that are never delivered ({@code UPDATE_TAGS}, ...)
     * are read past page by page, so a run of them cannot hide later deliverable ones (Quirk Q20, improved).
     * After {@link #MAX_SKIPPED_PAGES} pages of nothing deliverable the agent is answered at once with an empty
     * list and a token past them, so the next checkin starts further on.
     */
    private @Nullable CheckinResponse pendingActions(String agentId, long position) {
        long upTo = actionFeed.position();
        long after = position;
        for (int page = 0; page < MAX_SKIPPED_PAGES; page++) {
            List<ActionDocument> documents = actions.pendingFor(agentId, after, upTo, MAX_PENDING);
            if (documents.isEmpty()) {
                return null;
            }
            List<ObjectNode> wire = new ArrayList<>();
            for (ActionDocument document : documents) {
                if (ActionTypes.isDelivered(document.type())) {
                    ActionConverter.toWire(actionSecrets.resolve(document.source()), agentId, null)
                            .ifPresent(wire::add);
                }
            }
            ActionDocument last = documents.getLast();
            // The token moves past documents that are not delivered too, so they are not read again.
            if (!wire.isEmpty() || page == MAX_SKIPPED_PAGES - 1) {
                return CheckinResponse.of(last.documentId(), wire);
            }
            if (documents.size() < MAX_PENDING) {
                return null;
            }
            after = last.seqNo();
        }
        return null;
    }

    /**
     * The revision to subscribe with (agent-api §10.7.1): what the agent reports running, when it reports it;
     * 0 when it runs another policy than assigned, claims a revision that does not exist, or lacks an output key.
     */
    private long subscriptionRevision(Agent agent, CheckinRequest request, ObjectNode state) {
        long revision = agent.policyRevisionIdx();
        String reportedPolicy = request.reportedPolicyId();
        Long reportedRevision = request.reportedRevision();
        if (reportedPolicy != null && reportedRevision != null && !featureFlags.ignoreCheckinPolicyId()) {
            if (!reportedPolicy.equals(agent.agentPolicyId()) || reportedRevision != agent.policyRevisionIdx()) {
                state.put("agent_policy_id", reportedPolicy);
                state.put("policy_revision_idx", reportedRevision);
            }
            if (!reportedPolicy.equals(agent.policyId())) {
                revision = 0;
            } else {
                revision = reportedRevision;
                long latest = policies.latest(reportedPolicy)
                        .map(PreparedPolicy::revisionIdx)
                        .orElse(0L);
                if (latest != 0 && reportedRevision > latest) {
                    revision = 0;
                }
                if (!reportedPolicy.equals(agent.agentPolicyId()) || revision != agent.policyRevisionIdx()) {
                    outputKeys.cleanUp(agent);
                }
            }
        }
        if (agent.outputs().values().stream().anyMatch(key -> !key.hasApiKey())) {
            revision = 0;
        }
        return Math.max(0, revision);
    }

    /** What a checkin writes to the agent document (agent-api §10.8). */
    private static ObjectNode stateFields(Agent agent, CheckinRequest request, String version) {
        ObjectNode fields = NODES.objectNode();
        fields.put("last_checkin", now());
        fields.put("last_checkin_status", request.status());
        fields.put("last_checkin_message", request.message());
        fields.set("unhealthy_reason", unhealthyReason(agent, request));
        fields.put("sequence_num", 0);
        if (!version.equals(agent.agentVersion())) {
            fields.set("agent", NODES.objectNode().put("version", version));
        }
        JsonNode local = request.localMetadata();
        if (local != null && !local.equals(agent.field("local_metadata"))) {
            fields.set("local_metadata", local);
        }
        if (request.components() != null && !request.components().equals(agent.field("components"))) {
            fields.set("components", request.components());
        }
        JsonNode rollbacks = request.rollbacks() == null ? NODES.arrayNode() : request.rollbacks();
        JsonNode storedRollbacks = agent.source().path("upgrade").path("rollbacks");
        if (!rollbacks.equals(storedRollbacks.isMissingNode() ? NODES.arrayNode() : storedRollbacks)) {
            fields.set("upgrade", NODES.objectNode().set("rollbacks", rollbacks));
        }
        return fields;
    }

    /** The 30-second refresh while a poll is held carries less (agent-api §10.8). */
    private static ObjectNode tickFields(ObjectNode state) {
        ObjectNode tick = NODES.objectNode();
        for (String field :
                List.of("last_checkin_status", "last_checkin_message", "unhealthy_reason", "agent", "components")) {
            if (state.has(field)) {
                tick.set(field, state.get(field));
            }
        }
        return tick;
    }

    private static JsonNode unhealthyReason(Agent agent, CheckinRequest request) {
        JsonNode stored = agent.field("unhealthy_reason");
        JsonNode reason = stored;
        String lastStatus = agent.lastCheckinStatus();
        if (reason == null && ("FAILED".equals(lastStatus) || "DEGRADED".equals(lastStatus))) {
            reason = NODES.arrayNode().add("other");
        }
        if (request.components() != null && !request.components().equals(agent.field("components"))) {
            List<String> computed = UnhealthyReasons.of(request.components());
            if (computed != null) {
                var list = NODES.arrayNode();
                computed.forEach(list::add);
                reason = list;
            }
        }
        return reason == null ? NODES.nullNode() : reason;
    }

    /**
     * How long to hold the poll (agent-api §10.4): the default or the agent's {@code poll_timeout} (minus 2 min,
     * capped, at least 1 min), minus the time already spent, minus a random jitter.
     */
    private Duration pollDuration(CheckinRequest request, long receivedNanos) {
        Duration poll = timeouts.checkinLongPoll();
        if (request.pollTimeout() != null && !request.pollTimeout().isZero()) {
            Duration asked = request.pollTimeout().minusMinutes(2);
            poll = asked.compareTo(timeouts.checkinMaxPoll()) > 0 ? timeouts.checkinMaxPoll() : asked;
            if (poll.compareTo(Duration.ofMinutes(1)) < 0) {
                poll = Duration.ofMinutes(1);
            }
        }
        Duration setup = Duration.ofNanos(System.nanoTime() - receivedNanos);
        if (setup.compareTo(Duration.ofSeconds(10)) > 0) {
            log.warn("Checkin set-up took {} ms", setup.toMillis());
        }
        poll = setup.compareTo(poll) >= 0 ? Duration.ofMillis(1) : poll.minus(setup);
        long jitter = timeouts.checkinJitter().toNanos();
        if (jitter > 0) {
            long cut = ThreadLocalRandom.current().nextLong(jitter);
            if (cut < poll.toNanos()) {
                poll = poll.minusNanos(cut);
            }
        }
        return poll;
    }

    private static String policyIdOf(Agent agent) {
        return Objects.requireNonNullElse(agent.policyId(), "");
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
