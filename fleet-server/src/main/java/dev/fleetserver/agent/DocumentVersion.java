package dev.fleetserver.agent;

/**
 * Where a document stood when it was read ({@code _seq_no} and {@code _primary_term} in Elasticsearch), so
 * that a read-modify-write fails instead of overwriting a concurrent change.
 */
public record DocumentVersion(long seqNo, long primaryTerm) {

    public static final DocumentVersion UNKNOWN = new DocumentVersion(-2, 0);
}
