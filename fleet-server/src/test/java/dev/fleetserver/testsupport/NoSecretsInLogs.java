package dev.fleetserver.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test class, scans everything every server has logged in this test run so far for every secret
 * the tests have used. The last class of the run therefore covers the whole run.
 */
public final class NoSecretsInLogs implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        assertThat(Secrets.leaks()).as("log lines that contain a secret").isEmpty();
    }
}
