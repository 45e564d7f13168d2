package dev.fleetserver.checkin;

import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * One agent's POLICY_CHANGE answer: the shared segments of its {@link PolicyChangeTemplate} with this agent's
 * values in the holes. Only those values are this answer's own; encoding it copies the shared bytes (or their
 * deflated segments) and puts the agent's bytes in stored blocks between them (ADR 12).
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
     * The answer as one gzip member ({@link SplicedGzip}): each shared literal's deflated segment as it is, this
     * agent's parts in stored blocks between them; the CRC-32 is taken over the whole answer.
     */
    byte[] gzip() {
        int size = SplicedGzip.overhead();
        for (PolicyChangeTemplate.Segment segment : template.segments()) {
            size += segment.shared()
                    ? template.deflatedLiteral(segment.from() / 2).length
                    : SplicedGzip.storedSize(runLength(segment));
        }
        byte[] out = new byte[size];
        int p = SplicedGzip.writeHeader(out, 0);
        CRC32 crc = new CRC32();
        for (PolicyChangeTemplate.Segment segment : template.segments()) {
            if (segment.shared()) {
                byte[] deflated = template.deflatedLiteral(segment.from() / 2);
                System.arraycopy(deflated, 0, out, p, deflated.length);
                p += deflated.length;
            } else {
                p = SplicedGzip.writeStored(out, p, parts, segment.from(), segment.to());
            }
            for (int i = segment.from(); i < segment.to(); i++) {
                crc.update(parts[i]);
            }
        }
        SplicedGzip.writeEnd(out, p, (int) crc.getValue(), length);
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
