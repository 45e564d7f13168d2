package dev.fleetserver.config;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code inputs[0].server.timeouts.*}; each default says why it is what it is.
 *
 * @param read accept to end of body; generous because the API key is checked against Elasticsearch first
 * @param readHeader accept to end of headers, before any authentication
 * @param write whole-response deadline; must exceed read plus the longest poll
 * @param idle keep-alive idle time, just above the ~30 s poll of OpAMP collectors
 * @param checkinLongPoll a checkin waits this long unless something happens; ends early on any change
 * @param checkinTimestamp while a poll is held, the agent's {@code last_checkin} is refreshed this often
 * @param checkinJitter up to this much is taken off each poll so agents do not come back together
 * @param checkinMaxPoll cap on a poll length the agent asks for
 * @param drain shutdown grace; open polls are answered at once
 */
public record ServerTimeouts(
        @DefaultValue("60s") Duration read,
        @DefaultValue("5s") Duration readHeader,
        @DefaultValue("10m") Duration write,
        @DefaultValue("35s") Duration idle,
        @DefaultValue("5m") Duration checkinLongPoll,
        @DefaultValue("30s") Duration checkinTimestamp,
        @DefaultValue("30s") Duration checkinJitter,
        @DefaultValue("1h") Duration checkinMaxPoll,
        @DefaultValue("10s") Duration drain) {}
