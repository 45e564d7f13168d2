package dev.fleetserver.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules upstream checks after parsing, plus the ones without which this server cannot run. Each failure
 * names the key and where it was set.
 */
final class ConfigValidator {

    private static final Pattern INPUT_INDEX = Pattern.compile("^inputs\\[(\\d+)]");
    private static final Pattern FINGERPRINT = Pattern.compile("(?i)^[0-9a-f]{64}$");
    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "warning", "error");
    private static final Set<String> SECRET_KEY_SUFFIXES =
            Set.of("token", "api_key", "key_passphrase", "password", "secret_token", "token_key", "secret");

    /** Kibana's Fleet privilege names, and the two shorthands. */
    static final Set<String> OPERATOR_PRIVILEGES = Set.of(
            "all",
            "read",
            "fleet-agents-read",
            "fleet-agents-all",
            "fleet-agent-policies-read",
            "fleet-agent-policies-all",
            "fleet-settings-read",
            "fleet-settings-all",
            "fleet-setup");

    private final FleetConfigLoader.ConfigSource source;

    ConfigValidator(FleetConfigLoader.ConfigSource source) {
        this.source = source;
    }

    /** Keys whose values must never be printed. */
    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace('-', '_');
        return SECRET_KEY_SUFFIXES.stream().anyMatch(k::endsWith);
    }

    FleetServerConfig validate(FleetServerConfig config) {
        checkOutput(config);
        checkInputs(config);
        ServerConfig server = config.server();
        checkPort("inputs[0].server.port", server.port());
        checkPort("inputs[0].server.internal_port", server.internalPort());
        checkPort("http.port", config.http().port());
        checkPositive("inputs[0].server.timeouts.read", server.timeouts().read());
        checkPositive(
                "inputs[0].server.bulk.checkin.flush_interval",
                server.bulk().checkin().flushInterval());
        checkPositive("inputs[0].server.timeouts.read_header", server.timeouts().readHeader());
        checkPositive("inputs[0].server.timeouts.write", server.timeouts().write());
        checkPositive("inputs[0].server.timeouts.idle", server.timeouts().idle());
        checkPositive(
                "inputs[0].server.timeouts.checkin_long_poll", server.timeouts().checkinLongPoll());
        checkPositive(
                "inputs[0].server.timeouts.checkin_timestamp", server.timeouts().checkinTimestamp());
        checkPositive(
                "inputs[0].server.timeouts.checkin_max_poll", server.timeouts().checkinMaxPoll());
        checkNotNegative(
                "inputs[0].server.timeouts.checkin_jitter", server.timeouts().checkinJitter());
        checkNotNegative("inputs[0].server.timeouts.drain", server.timeouts().drain());
        if (server.compressionLevel() < 0 || server.compressionLevel() > 9) {
            fail("inputs[0].server.compression_level", "must be between 0 and 9");
        }
        checkPbkdf2(server.pdkdf2());
        if (server.tlsEnabled()) {
            checkServerTls(server.ssl());
        }
        String level = config.logging().level().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            fail("logging.level", "\"" + config.logging().level() + "\" is not one of trace, debug, info, warn, error");
        }
        checkManagement(config);
        return withOperatorKeysFile(withServiceToken(config));
    }

    private void checkManagement(FleetServerConfig config) {
        FleetServerConfig.Management management = config.fleet().management();
        checkPort("fleet.management.port", management.port());
        if (management.enabled()
                && management.port() != 0
                && management.port() == config.server().port()) {
            fail("fleet.management.port", management.port() + " is already the agent listener's port");
        }
        checkOperatorKeys("fleet.management.api_keys", management.apiKeys());
    }

    private void checkOperatorKeys(String key, java.util.List<FleetServerConfig.OperatorKey> keys) {
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            FleetServerConfig.OperatorKey operator = keys.get(i);
            String at = key + "[" + i + "]";
            if (operator.id() == null
                    || operator.id().isBlank()
                    || operator.id().contains(":")) {
                fail(at + ".id", "missing: a non-empty id without ':' is required");
            }
            if (!ids.add(operator.id())) {
                fail(at + ".id", "\"" + operator.id() + "\" is declared twice");
            }
            if (operator.key() == null || operator.key().value().length() < 16) {
                fail(at + ".key", "missing or too short: at least 16 characters are required");
            }
            for (int p = 0; p < operator.privileges().size(); p++) {
                String privilege = operator.privileges().get(p);
                if (!OPERATOR_PRIVILEGES.contains(privilege)) {
                    fail(
                            at + ".privileges[" + p + "]",
                            "\"" + privilege + "\" is not one of "
                                    + String.join(", ", new TreeSet<>(OPERATOR_PRIVILEGES)));
                }
            }
        }
    }

    /** Operator keys may also come from a file of their own ({@code api_keys: [...]}), merged after the inline ones. */
    private FleetServerConfig withOperatorKeysFile(FleetServerConfig config) {
        FleetServerConfig.Management management = config.fleet().management();
        String file = management.apiKeysFile();
        if (file == null || file.isBlank()) {
            return config;
        }
        String key = "fleet.management.api_keys_file";
        readFile(key, file);
        java.util.List<FleetServerConfig.OperatorKey> fromFile;
        try {
            var sources = new org.springframework.boot.env.YamlPropertySourceLoader()
                    .load(file, new org.springframework.core.io.FileSystemResource(file));
            fromFile = new org.springframework.boot.context.properties.bind.Binder(
                            org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(
                                    sources),
                            null,
                            secretConversion())
                    .bindOrCreate(
                            "api_keys",
                            org.springframework.boot.context.properties.bind.Bindable.listOf(
                                    FleetServerConfig.OperatorKey.class));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    key,
                    source.originOf(key),
                    "cannot read the keys in " + file + ": " + FleetConfigLoader.firstLine(e.getMessage()));
        }
        checkOperatorKeys(file + ": api_keys", fromFile);
        var all = new java.util.ArrayList<>(management.apiKeys());
        all.addAll(fromFile);
        checkOperatorKeys("fleet.management.api_keys", all);
        var fleet = config.fleet();
        return config.withFleet(new FleetServerConfig.Fleet(
                fleet.agent(),
                fleet.host(),
                fleet.store(),
                new FleetServerConfig.Management(
                        management.enabled(), management.host(), management.port(), all, file)));
    }

    private static org.springframework.boot.convert.ApplicationConversionService secretConversion() {
        var conversion = new org.springframework.boot.convert.ApplicationConversionService();
        conversion.addConverter(
                String.class, Secret.class, (org.springframework.core.convert.converter.Converter<String, Secret>)
                        Secret::new);
        return conversion;
    }

    private void checkOutput(FleetServerConfig config) {
        Set<String> outputs = new TreeSet<>();
        for (String key : source.keys()) {
            if (key.startsWith("output.")) {
                String rest = key.substring("output.".length());
                outputs.add(rest.split("[.\\[]", 2)[0]);
            }
        }
        outputs.remove("elasticsearch");
        if (!outputs.isEmpty()) {
            String first = outputs.iterator().next();
            fail("output." + first, "only the elasticsearch output is supported");
        }
        String store = config.fleet().store();
        if (store != null
                && !store.isBlank()
                && !Set.of("embedded", "elasticsearch").contains(store.strip().toLowerCase(Locale.ROOT))) {
            fail("fleet.store", "\"" + store + "\" is not one of embedded, elasticsearch");
        }
        ElasticsearchOutput es = config.output().elasticsearch();
        if (es == null) {
            if (config.store() == FleetServerConfig.StoreKind.ELASTICSEARCH) {
                throw new ConfigException(
                        "output.elasticsearch",
                        source.originOf("fleet.store"),
                        "missing: fleet.store is elasticsearch but no Elasticsearch output is configured");
            }
            return;
        }
        if (es.hosts().isEmpty() || es.hosts().stream().anyMatch(String::isBlank)) {
            fail("output.elasticsearch.hosts", "needs at least one non-empty host");
        }
        if (es.tlsConfigured()) {
            TlsConfig tls = es.ssl();
            for (int i = 0; i < tls.certificateAuthorities().size(); i++) {
                checkPemSource(
                        "output.elasticsearch.ssl.certificate_authorities[" + i + "]",
                        tls.certificateAuthorities().get(i));
            }
            String fingerprint = tls.caTrustedFingerprint();
            if (fingerprint != null
                    && !FINGERPRINT.matcher(fingerprint.replace(":", "")).matches()) {
                fail(
                        "output.elasticsearch.ssl.ca_trusted_fingerprint",
                        "must be a SHA-256 fingerprint (64 hex digits)");
            }
        }
    }

    private void checkInputs(FleetServerConfig config) {
        int declared = 0;
        for (String key : source.keys()) {
            Matcher m = INPUT_INDEX.matcher(key);
            if (m.find()) {
                declared = Math.max(declared, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (config.inputs().isEmpty() || declared == 0) {
            throw new ConfigException(
                    "inputs", source.file().toString(), "missing: exactly one input of type fleet-server is required");
        }
        if (declared > 1 || config.inputs().size() > 1) {
            fail("inputs[1]", "only one input is allowed, and it must be of type fleet-server; found " + declared);
        }
        if (!InputConfig.FLEET_SERVER_TYPE.equals(config.input().type())) {
            fail(
                    "inputs[0].type",
                    "\"" + config.input().type() + "\" is not supported; the input must be of type fleet-server");
        }
    }

    private void checkPort(String key, int port) {
        if (port < 0 || port > 65535) {
            fail(key, port + " is not a valid port (0-65535)");
        }
    }

    private void checkPositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            fail(key, "must be longer than 0");
        }
    }

    private void checkNotNegative(String key, Duration value) {
        if (value.isNegative()) {
            fail(key, "must not be negative");
        }
    }

    private void checkPbkdf2(ServerConfig.Pbkdf2 pbkdf2) {
        if (pbkdf2.iterations() < 1000) {
            fail("inputs[0].server.pdkdf2.iterations", "must be at least 1000");
        }
        if (pbkdf2.keyLength() < 14) {
            fail("inputs[0].server.pdkdf2.key_length", "must be at least 14");
        }
        if (pbkdf2.saltLength() < 16) {
            fail("inputs[0].server.pdkdf2.salt_length", "must be at least 16");
        }
    }

    private void checkServerTls(TlsConfig tls) {
        if (tls.certificate() == null || tls.certificate().isBlank()) {
            fail("inputs[0].server.ssl.certificate", "is required when TLS is enabled");
        }
        if (tls.key() == null || tls.key().isBlank()) {
            fail("inputs[0].server.ssl.key", "is required when TLS is enabled");
        }
        checkPemSource("inputs[0].server.ssl.certificate", tls.certificate());
        checkPemSource("inputs[0].server.ssl.key", tls.key());
        for (int i = 0; i < tls.certificateAuthorities().size(); i++) {
            checkPemSource(
                    "inputs[0].server.ssl.certificate_authorities[" + i + "]",
                    tls.certificateAuthorities().get(i));
        }
        if (tls.keyPassphrasePath() != null && !tls.keyPassphrasePath().isBlank()) {
            readFile("inputs[0].server.ssl.key_passphrase_path", tls.keyPassphrasePath());
        }
    }

    /** A PEM value is either inline PEM text or a readable file. */
    private void checkPemSource(String key, @Nullable String value) {
        if (value != null && !value.contains("-----BEGIN")) {
            readFile(key, value);
        }
    }

    private FleetServerConfig withServiceToken(FleetServerConfig config) {
        ElasticsearchOutput es = config.output().elasticsearch();
        if (es == null) {
            return config;
        }
        boolean hasToken = es.serviceToken() != null && !es.serviceToken().isBlank();
        if (hasToken || es.serviceTokenPath() == null || es.serviceTokenPath().isBlank()) {
            return config;
        }
        String token = readFile("output.elasticsearch.service_token_path", es.serviceTokenPath())
                .strip();
        if (token.isEmpty()) {
            fail("output.elasticsearch.service_token_path", "the file " + es.serviceTokenPath() + " is empty");
        }
        return config.withOutput(new FleetServerConfig.Output(es.withServiceToken(new Secret(token))));
    }

    private String readFile(String key, String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(key, source.originOf(key), "cannot read " + path + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException(key, source.originOf(key), "cannot read " + path + ": permission denied");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    key,
                    source.originOf(key),
                    "cannot read " + path + ": " + FleetConfigLoader.firstLine(e.getMessage()));
        }
    }

    private void fail(String key, String problem) {
        throw new ConfigException(key, source.originOf(key), problem);
    }
}
