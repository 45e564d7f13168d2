package dev.fleetserver.secret;

import java.util.Collection;
import java.util.Map;

/** Port: secret values Kibana stored for policies and actions ({@code .fleet-secrets}), read only. */
public interface SecretStore {

    /** Values of the secrets that exist; missing ids (or a missing store) are simply absent from the map. */
    Map<String, String> read(Collection<String> ids);
}
