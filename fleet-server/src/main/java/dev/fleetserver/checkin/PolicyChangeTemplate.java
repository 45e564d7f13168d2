package dev.fleetserver.checkin;

import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checkin answer carrying one policy revision, serialized once for every agent that gets it with the same
 * outputs keyed (ADR 12): the answer's bytes cut into shared literal segments and the holes between them, where
 * each agent's own values go — its id, and the plain and base64 forms of its output API keys.
 *
 * <p>The segments are found by rendering the revision exactly as for an agent, with a random placeholder for
 * each value, and serializing that answer as any other: so the bytes an agent receives are, value for value, the
 * bytes the per-agent rendering would have produced. Literal segments of at least {@link #MIN_SHARED_SEGMENT}
 * bytes are also deflated once, as segments of the gzip stream an answer is sent as ({@link SplicedGzip}).
 */
final class PolicyChangeTemplate {

    /** Below this a literal is sent stored with its neighbouring holes: compressing it alone would gain little. */
    static final int MIN_SHARED_SEGMENT = 64;

    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    /** What fills a hole: the agent's id, or output key {@code key} as it is or in base64 (OTel exporters). */
    private record Hole(int start, int end, Kind kind, int key) {}

    private enum Kind {
        AGENT_ID,
        KEY,
        BASE64_KEY
    }

    /** A run of parts {@code [from, to)} (even: literal {@code i/2}; odd: hole {@code i/2}); shared = one literal. */
    record Segment(boolean shared, int from, int to) {}

    private final PreparedPolicy policy;
    private final List<String> keyedOutputs;
    private final byte[][] literals;
    private final Kind[] holeKinds;
    private final int[] holeKeys;
    private final byte[][] deflatedLiterals;
    private final List<Segment> segments;
    private final int literalBytes;

    private PolicyChangeTemplate(
            PreparedPolicy policy,
            List<String> keyedOutputs,
            byte[][] literals,
            List<Hole> holes,
            ResponseCompression compression) {
        this.policy = policy;
        this.keyedOutputs = keyedOutputs;
        this.literals = literals;
        this.holeKinds = holes.stream().map(Hole::kind).toArray(Kind[]::new);
        this.holeKeys = holes.stream().mapToInt(Hole::key).toArray();
        this.deflatedLiterals = new byte[literals.length][];
        int total = 0;
        for (int i = 0; i < literals.length; i++) {
            total += literals[i].length;
            if (compression.level() > 0 && literals[i].length >= MIN_SHARED_SEGMENT) {
                deflatedLiterals[i] = compression.deflateSegment(literals[i]);
            }
        }
        this.literalBytes = total;
        this.segments = segments(deflatedLiterals);
    }

    /**
     * Renders {@code policy} once for agents whose keys are for {@code keyedOutputs} (in that order).
     *
     * @param ownClusterOutputs as {@link PolicyRenderer#ownClusterOutputs}
     * @throws dev.fleetserver.policy.PolicyRenderException when the revision cannot be delivered with these keys
     */
    static PolicyChangeTemplate build(
            PreparedPolicy policy,
            List<String> keyedOutputs,
            Set<String> ownClusterOutputs,
            ResponseCompression compression) {
        // Random, so no policy can contain them; '-' never occurs in base64, so no placeholder hides in another.
        String token = UUID.randomUUID().toString().replace("-", "");
        String agentPlaceholder = "fleet-agent-" + token;
        Map<String, String> keyPlaceholders = new LinkedHashMap<>();
        for (int i = 0; i < keyedOutputs.size(); i++) {
            keyPlaceholders.put(keyedOutputs.get(i), "fleet-key-" + token + "-" + i);
        }
        ObjectNode action = PolicyRenderer.render(agentPlaceholder, policy, keyPlaceholders, ownClusterOutputs);
        byte[] json = CheckinResponse.Actions.policyChange(action).toJson();

        List<Hole> holes = new ArrayList<>(find(json, agentPlaceholder, Kind.AGENT_ID, -1));
        if (holes.size() != 1) {
            throw new IllegalStateException("the agent id occurs " + holes.size() + " times in a policy change");
        }
        for (int i = 0; i < keyedOutputs.size(); i++) {
            String placeholder = "fleet-key-" + token + "-" + i;
            List<Hole> plain = find(json, placeholder, Kind.KEY, i);
            if (plain.size() != 1) {
                throw new IllegalStateException("output " + keyedOutputs.get(i) + "'s key occurs " + plain.size()
                        + " times in a policy change");
            }
            holes.addAll(plain);
            holes.addAll(find(json, base64(placeholder), Kind.BASE64_KEY, i));
        }
        holes.sort(Comparator.comparingInt(Hole::start));
        byte[][] literals = new byte[holes.size() + 1][];
        int from = 0;
        for (int i = 0; i < holes.size(); i++) {
            literals[i] = Arrays.copyOfRange(json, from, holes.get(i).start());
            from = holes.get(i).end();
        }
        literals[holes.size()] = Arrays.copyOfRange(json, from, json.length);
        return new PolicyChangeTemplate(policy, List.copyOf(keyedOutputs), literals, holes, compression);
    }

    PreparedPolicy policy() {
        return policy;
    }

    List<String> keyedOutputs() {
        return keyedOutputs;
    }

    /** Roughly what this template keeps on the heap, for the cache's bound. */
    int retainedBytes() {
        int bytes = literalBytes + 256;
        for (byte[] member : deflatedLiterals) {
            bytes += member == null ? 16 : member.length + 16;
        }
        return bytes + literals.length * 16;
    }

    /** How many deflate segments an answer is sent as (for tests and the benchmark's report). */
    int segmentCount() {
        return segments.size();
    }

    /**
     * The answer for one agent.
     *
     * @param apiKeys {@code "<id>:<key>"} per output of {@link #keyedOutputs}, in that order
     */
    PolicyChangeAnswer fill(String agentId, List<String> apiKeys) {
        if (apiKeys.size() != keyedOutputs.size()) {
            throw new IllegalArgumentException("expected " + keyedOutputs.size() + " keys, got " + apiKeys.size());
        }
        byte[][] plainKeys = new byte[apiKeys.size()][];
        byte[][] base64Keys = new byte[apiKeys.size()][];
        byte[] agent = STRINGS.quoteAsUTF8(agentId);
        byte[][] parts = new byte[literals.length * 2 - 1][];
        int length = literalBytes;
        for (int i = 0; i < holeKinds.length; i++) {
            int key = holeKeys[i];
            byte[] value = switch (holeKinds[i]) {
                case AGENT_ID -> agent;
                case KEY ->
                    plainKeys[key] != null ? plainKeys[key] : (plainKeys[key] = STRINGS.quoteAsUTF8(apiKeys.get(key)));
                case BASE64_KEY ->
                    base64Keys[key] != null
                            ? base64Keys[key]
                            : (base64Keys[key] =
                                    Base64.getEncoder().encode(apiKeys.get(key).getBytes(StandardCharsets.UTF_8)));
            };
            parts[2 * i + 1] = value;
            length += value.length;
        }
        for (int i = 0; i < literals.length; i++) {
            parts[2 * i] = literals[i];
        }
        return new PolicyChangeAnswer(this, parts, length);
    }

    /** Literal {@code i} deflated, or null when it is sent stored. */
    byte[] deflatedLiteral(int i) {
        return deflatedLiterals[i];
    }

    List<Segment> segments() {
        return segments;
    }

    /** Each literal deflated once is a segment of its own; the parts between are stored runs. */
    private static List<Segment> segments(byte[][] deflatedLiterals) {
        List<Segment> segments = new ArrayList<>();
        int parts = deflatedLiterals.length * 2 - 1;
        int runStart = 0;
        for (int part = 0; part < parts; part += 2) {
            if (deflatedLiterals[part / 2] != null) {
                if (runStart < part) {
                    segments.add(new Segment(false, runStart, part));
                }
                segments.add(new Segment(true, part, part + 1));
                runStart = part + 1;
            }
        }
        if (runStart < parts) {
            segments.add(new Segment(false, runStart, parts));
        }
        return List.copyOf(segments);
    }

    /** Every occurrence of {@code value} as a whole JSON string: the hole is the text between its quotes. */
    private static List<Hole> find(byte[] json, String value, Kind kind, int key) {
        byte[] quoted = ("\"" + value + "\"").getBytes(StandardCharsets.UTF_8);
        List<Hole> found = new ArrayList<>();
        for (int i = indexOf(json, quoted, 0); i >= 0; i = indexOf(json, quoted, i + quoted.length)) {
            found.add(new Hole(i + 1, i + quoted.length - 1, kind, key));
        }
        return found;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
