package dev.fleetserver.policy;

import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Port: policy revisions, one document per revision in the layout of {@code .fleet-policies} (data-model §5.2).
 * Written by Kibana or by the management API; a new revision reaches the {@link PolicyFeed}.
 */
public interface PolicyStore {

    /** The revision with the highest {@code revision_idx} of the policy, if it has any. */
    Optional<PolicyDocument> latest(String policyId);

    /** The whole document of the policy's latest revision, if it has any. */
    Optional<ObjectNode> latestDocument(String policyId);

    /** The whole document of the latest revision of every policy, in no particular order. */
    List<ObjectNode> latestDocuments();

    /**
     * Stores a revision document ({@code policy_id} and {@code revision_idx} set); it is visible to reads at
     * once and reaches the feed.
     *
     * @return false when the policy already has a document with that {@code revision_idx}
     */
    boolean addRevision(ObjectNode document);

    /** Deletes every revision of the policy; returns how many there were. */
    long deleteRevisions(String policyId);
}
