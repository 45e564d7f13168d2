package dev.fleetserver.store.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link dev.fleetserver.secret.SecretStore}, {@link dev.fleetserver.apikey.OutputHealth} and
 * {@link dev.fleetserver.health.StoreProbe} do, run against each adapter.
 */
public abstract class SecretsAndHealthContract {

    protected abstract StoreUnderTest store();

    @Test
    void storedSecretsAreReadByIdAndMissingOnesAreAbsent() {
        String value = "secret-value-" + UUID.randomUUID();
        String id = store().putSecret(value);
        String missing = "missing-" + UUID.randomUUID();

        assertThat(store().secrets().read(List.of(id, missing))).containsExactlyEntriesOf(java.util.Map.of(id, value));
        assertThat(store().secrets().read(List.of(missing))).isEmpty();
        assertThat(store().secrets().read(List.of())).isEmpty();
    }

    @Test
    void outputHealthReportsAreKept() {
        String output = "remote-" + UUID.randomUUID();

        store().outputHealth().report(output, false, "remote ES could not create API key due to error: refused");
        store().outputHealth().report(output, true, "");

        assertThat(store().outputHealthStates(output)).containsExactlyInAnyOrder("DEGRADED", "HEALTHY");
    }

    @Test
    void theProbePreparesAgainChecksAndDescribesWithoutCredentials() {
        store().probe().prepare();
        store().probe().check();

        assertThat(store().probe().describe()).isNotBlank();
        if (!store().credential().isEmpty()) {
            assertThat(store().probe().describe()).doesNotContain(store().credential());
        }
    }
}
