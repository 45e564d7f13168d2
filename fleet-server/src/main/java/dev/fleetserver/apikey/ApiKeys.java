package dev.fleetserver.apikey;

import java.util.Collection;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/** Port: the credential store's API keys, owned by the server's own account. */
public interface ApiKeys {

    /** Creates a key with these role descriptors and metadata; it authenticates at once. */
    CreatedApiKey create(String name, ObjectNode roleDescriptors, ObjectNode metadata);

    /**
     * Stores a key whose id and secret were chosen beforehand (a preconfigured enrollment token), with these role
     * descriptors and metadata. Only a store that issues keys itself can do that; Elasticsearch chooses its keys'
     * ids and secrets, so there this is refused (the configuration check already refuses such tokens).
     *
     * @throws UnsupportedOperationException when the store cannot
     */
    default CreatedApiKey adopt(CreatedApiKey key, String name, ObjectNode roleDescriptors, ObjectNode metadata) {
        throw new UnsupportedOperationException("this store cannot take an API key chosen beforehand");
    }

    /** The key's current role descriptors, or empty when the key does not exist (or is not visible yet). */
    Optional<ObjectNode> roleDescriptors(String keyId);

    /** Replaces the key's role descriptors; its id and secret stay. */
    void updateRoleDescriptors(String keyId, ObjectNode roleDescriptors);

    /**
     * Invalidates the keys. A key the store cannot see (unknown, or created so recently that it is not visible
     * yet) is left out of the answer.
     *
     * @return the ids that are now invalidated (the embedded store also lists those that already were;
     *     Elasticsearch 9.5 leaves them out)
     */
    java.util.Set<String> invalidate(Collection<String> keyIds);
}
