package dev.fleetserver.store.embedded;

import dev.fleetserver.store.contract.ActionStoreContract;
import dev.fleetserver.store.contract.AgentStoreContract;
import dev.fleetserver.store.contract.ApiKeysContract;
import dev.fleetserver.store.contract.EnrollmentKeyStoreContract;
import dev.fleetserver.store.contract.PolicyStoreContract;
import dev.fleetserver.store.contract.SecretsAndHealthContract;
import dev.fleetserver.store.contract.StoreUnderTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded store, in a temporary directory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedStoreContractTests {

    @TempDir
    static Path directory;

    private EmbeddedFixture store;

    @BeforeAll
    void open() {
        store = EmbeddedFixture.open(directory);
    }

    @AfterAll
    void close() {
        store.close();
    }

    @Nested
    class Agents extends AgentStoreContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }

    @Nested
    class Policies extends PolicyStoreContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }

    @Nested
    class Actions extends ActionStoreContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }

    @Nested
    class EnrollmentKeys extends EnrollmentKeyStoreContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }

    @Nested
    class Keys extends ApiKeysContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }

    @Nested
    class SecretsAndHealth extends SecretsAndHealthContract {
        @Override
        protected StoreUnderTest store() {
            return store;
        }
    }
}
