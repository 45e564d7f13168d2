package dev.fleetserver;

import dev.fleetserver.config.CommandLine;
import dev.fleetserver.config.ConfigException;
import dev.fleetserver.config.FleetConfigLoader;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.SpringSettings;
import dev.fleetserver.management.policies.Preconfigurer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the server from {@code fleet-server.yml}: {@code java -jar fleet-server.jar -c fleet-server.yml}.
 *
 * <p>The file is loaded before Spring starts, so a bad configuration ends the process with one line on
 * standard error and exit code 1, without a stack trace.
 */
@SpringBootApplication
public class FleetServerApplication {

    /** Exit code for configuration errors. */
    public static final int EXIT_BAD_CONFIG = 1;

    public static void main(String[] args) {
        // Nothing may be logged before Spring Boot configures logging from the file: the bare logging
        // library would print debug lines, and a bad configuration must end in exactly one line.
        LoggingSystem.get(FleetServerApplication.class.getClassLoader()).beforeInitialize();
        CommandLine commandLine;
        FleetServerConfig config;
        try {
            commandLine = CommandLine.parse(args);
            config = FleetConfigLoader.fromSystemEnvironment()
                    .load(commandLine.configFile(), commandLine.overrides(), commandLine.configFileGiven());
            // Declared policies and tokens follow the management API's rules: check them before starting.
            Preconfigurer.check(config.preconfiguration());
        } catch (ConfigException e) {
            System.err.println(e.oneLine());
            System.exit(EXIT_BAD_CONFIG);
            return;
        }
        run(config, commandLine.springArgs().toArray(String[]::new));
    }

    /** Starts a server for an already loaded configuration (also used by tests that run several servers). */
    public static ConfigurableApplicationContext run(FleetServerConfig config, String... springArgs) {
        SpringApplication application = new SpringApplication(FleetServerApplication.class);
        application.setDefaultProperties(SpringSettings.derive(config));
        application.addInitializers(context -> context.getBeanFactory().registerSingleton("fleetServerConfig", config));
        return application.run(springArgs);
    }
}
