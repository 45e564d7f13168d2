package dev.fleetserver.checkin;

import org.jspecify.annotations.Nullable;

/**
 * One agent's POLICY_CHANGE answer: the shared segments of its {@link PolicyChangeTemplate} with this agent's
 * values in the holes. Only those values are this answer's own; encoding it copies the shared bytes (or their
 * precompressed gzip members) and stores the agent's bytes in small gzip members between them (ADR 12).
 */
final class PolicyChangeAnswer implements CheckinResponse {

    private final PolicyChangeTemplate template;
    /** Even: the template's literal segments; odd: this agent's values. */
    private final byte[][] parts;

    private final int length;

    PolicyChangeAnswer(PolicyChangeTemplate template, byte[][] parts, int length) {
        this.template = template;
        this.parts = parts;
        this.length = length;
    }

    PolicyChangeTemplate template() {
        return template;
    }

    /** The answer's JSON. */
    byte[] json() {
        byte[] json = new byte[length];
        int p = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, json, p, part.length);
            p += part.length;
        }
        return json;
    }

    /**
     * The answer as a multi-member gzip stream (RFC 1952 §2.2: a gzip file is a series of members; decoders return
     * the concatenation of their data): each shared literal's precompressed member, and this agent's parts in
     * stored members between them.
     */
    byte[] gzip() {
        int size = 0;
        for (PolicyChangeTemplate.Segment segment : template.segments()) {
            size += segment.shared()
                    ? template.compressedLiteral(segment.from() / 2).length
                    : StoredGzipMember.size(runLength(segment));
        }
        byte[] out = new byte[size];
        int p = 0;
        for (PolicyChangeTemplate.Segment segment : template.segments()) {
            if (segment.shared()) {
                byte[] member = template.compressedLiteral(segment.from() / 2);
                System.arraycopy(member, 0, out, p, member.length);
                p += member.length;
            } else {
                p = StoredGzipMember.write(out, p, parts, segment.from(), segment.to());
            }
        }
        return out;
    }

    @Override
    public Body encode(@Nullable ResponseCompression compression) {
        if (compression != null && compression.applies(length)) {
            return new Body(gzip(), true);
        }
        return new Body(json(), false);
    }

    private int runLength(PolicyChangeTemplate.Segment segment) {
        int n = 0;
        for (int i = segment.from(); i < segment.to(); i++) {
            n += parts[i].length;
        }
        return n;
    }
}
