package dev.fleetserver.policy;

import java.util.List;
import java.util.function.Consumer;

/** Port: policy revisions as they are stored (by Kibana or the management API), in order. */
public interface PolicyFeed {

    /** Starts delivering new revision documents to the (single) consumer. */
    void follow(Consumer<List<PolicyDocument>> consumer);
}
