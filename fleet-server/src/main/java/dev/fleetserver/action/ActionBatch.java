package dev.fleetserver.action;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Actions ready for one agent: in the form agents receive them, with the ack token the answer carries (the
 * document id of the last one).
 */
public record ActionBatch(List<ObjectNode> actions, String ackToken, long lastPosition) {}
