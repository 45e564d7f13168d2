package dev.fleetserver.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads {@code fleet-server.yml} into a {@link FleetServerConfig}.
 *
 * <p>The file is bound on its own, outside Spring's {@code Environment}: its {@code logging.*} keys would clash
 * with Spring Boot's, and environment variables must not override keys the way Spring's relaxed binding
 * does (upstream reads only the variables a file references). Values are expanded by
 * {@link PlaceholderExpander}, durations are read in Go syntax, and every failure becomes one
 * {@link ConfigException} naming the key, the file and line, and the problem.
 */
public final class FleetConfigLoader {

    private final Function<String, @Nullable String> environment;

    /** @param environment environment variables by name ({@code System::getenv} in production) */
    public FleetConfigLoader(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    public static FleetConfigLoader fromSystemEnvironment() {
        return new FleetConfigLoader(System::getenv);
    }

    /** Loads and validates the file, with {@code -E} overrides taking precedence over it. */
    public FleetServerConfig load(Path file, Map<String, String> overrides) {
        return load(file, overrides, true);
    }

    /**
     * Like {@link #load(Path, Map)}, but a missing file is the empty configuration when {@code required} is false:
     * the server then runs on its defaults (the embedded store).
     */
    public FleetServerConfig load(Path file, Map<String, String> overrides, boolean required) {
        List<PropertySource<?>> sources = new ArrayList<>();
        List<PropertySource<?>> fromFile = required || java.nio.file.Files.exists(file) ? readYaml(file) : List.of();
        if (!overrides.isEmpty()) {
            sources.add(new OriginTrackedMapPropertySource("command line -E", withTheirLists(overrides, fromFile)));
        }
        sources.addAll(fromFile);
        if (sources.stream().noneMatch(PropertySourceKeys::declaresInputs)) {
            // No inputs at all: the one fleet-server input with upstream's defaults.
            sources.add(new MapPropertySource("defaults", Map.of("inputs[0].type", InputConfig.FLEET_SERVER_TYPE)));
        }
        ConfigSource source = new ConfigSource(file, ConfigurationPropertySources.from(sources), sources);
        FleetServerConfig config = bind(source);
        config = new ConfigValidator(source).validate(config);
        config = config.withPreconfiguration(
                new PreconfigurationReader(source, new PlaceholderExpander(name -> lookup(source, name)))
                        .read(config.store()));
        return config;
    }

    /**
     * The overrides plus every element of each list they index into, taken from the file: Spring binds a list from
     * the first source that has any of its elements, so {@code -E inputs[0].server.port=9220} alone would drop the
     * file's other keys of {@code inputs}. The file's values keep their origin (file and line) for error messages.
     */
    private static Map<String, Object> withTheirLists(Map<String, String> overrides, List<PropertySource<?>> file) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(overrides);
        java.util.Set<String> lists = new java.util.HashSet<>();
        for (String key : overrides.keySet()) {
            int bracket = key.indexOf('[');
            if (bracket > 0) {
                lists.add(key.substring(0, bracket) + "[");
            }
        }
        for (PropertySource<?> source : file) {
            if (source.getSource() instanceof Map<?, ?> values) {
                values.forEach((name, value) -> {
                    String key = String.valueOf(name);
                    if (lists.stream().anyMatch(key::startsWith)) {
                        merged.putIfAbsent(key, value);
                    }
                });
            }
        }
        return merged;
    }

    /** Whether a property source sets anything under {@code inputs}. */
    private static final class PropertySourceKeys {
        static boolean declaresInputs(PropertySource<?> source) {
            if (source instanceof org.springframework.core.env.EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.equals("inputs") || name.startsWith("inputs[") || name.startsWith("inputs.")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** A reference names a key of the same file first, then an environment variable. */
    private @Nullable String lookup(ConfigSource source, String name) {
        Object fromFile = source.rawValue(name);
        if (fromFile instanceof String || fromFile instanceof Number || fromFile instanceof Boolean) {
            return fromFile.toString();
        }
        return environment.apply(name);
    }

    private static List<PropertySource<?>> readYaml(Path file) {
        try {
            return new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        } catch (IOException e) {
            throw new ConfigException("-c", file.toString(), "cannot read the configuration file: " + describe(e));
        } catch (RuntimeException e) { // SnakeYAML reports syntax errors and duplicate keys with their position
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                    String where = file + ":" + (marked.getProblemMark().getLine() + 1);
                    String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
                    throw new ConfigException("-c", where, "not valid YAML: " + context + marked.getProblem());
                }
            }
            throw new ConfigException("-c", file.toString(), "not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    private FleetServerConfig bind(ConfigSource source) {
        var conversion = new ApplicationConversionService();
        conversion.addConverter(String.class, java.time.Duration.class, GoDuration::parse);
        conversion.addConverter(String.class, Secret.class, (Converter<String, Secret>) Secret::new);
        Binder binder = new Binder(source.properties(), new Placeholders(source), conversion);
        try {
            return binder.bindOrCreate("", Bindable.of(FleetServerConfig.class));
        } catch (BindException e) {
            throw describe(e, source);
        }
    }

    private static ConfigException describe(BindException e, ConfigSource source) {
        ConfigurationProperty property = e.getProperty();
        String key = ConfigSource.displayName(e.getName());
        String origin =
                property != null ? source.originText(property) : source.file().toString();
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof PlaceholderExpander.UnresolvedPlaceholderException unresolved) {
                return new ConfigException(key, origin, unresolved.getMessage());
            }
            if (cause instanceof ConversionFailedException failed) {
                Object value = failed.getValue();
                String shown = ConfigValidator.isSecretKey(key) || value == null ? "the value" : "\"" + value + "\"";
                Throwable reason = failed.getCause();
                String detail =
                        reason != null && reason.getMessage() != null ? ": " + firstLine(reason.getMessage()) : "";
                return new ConfigException(
                        key,
                        origin,
                        shown + " is not a valid "
                                + failed.getTargetType().getType().getSimpleName() + detail);
            }
            cause = cause.getCause();
        }
        return new ConfigException(key, origin, "cannot be read: " + firstLine(String.valueOf(e.getCause())));
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : firstLine(e.getMessage());
    }

    static String firstLine(@Nullable String text) {
        if (text == null) {
            return "unknown error";
        }
        String line = text.strip().lines().findFirst().orElse(text);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** Expands references in every string value as it is bound, so the Binder still knows the key and origin. */
    private final class Placeholders implements PlaceholdersResolver {

        private final ConfigSource source;
        private final PlaceholderExpander expander;

        Placeholders(ConfigSource source) {
            this.source = source;
            this.expander = new PlaceholderExpander(this::lookup);
        }

        @Override
        public @Nullable Object resolvePlaceholders(@Nullable Object value) {
            if (value instanceof String text && PlaceholderExpander.needsExpansion(text)) {
                return expander.expand(text);
            }
            return value;
        }

        private @Nullable String lookup(String name) {
            return FleetConfigLoader.this.lookup(source, name);
        }
    }

    /** The loaded file: its flattened keys with their origins, for binding and for error messages. */
    record ConfigSource(
            Path file, Iterable<ConfigurationPropertySource> properties, List<PropertySource<?>> rawSources) {

        @Nullable
        Object rawValue(String key) {
            if (!ConfigurationPropertyName.isValid(key.replace('_', '-'))) {
                return null;
            }
            ConfigurationProperty property = property(key);
            return property == null ? null : property.getValue();
        }

        @Nullable
        ConfigurationProperty property(String key) {
            ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
            for (ConfigurationPropertySource source : properties) {
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property != null) {
                    return property;
                }
            }
            return null;
        }

        /**
         * Where a key was set, as {@code file:line}. For a key that holds a block ({@code inputs[1]}), where its
         * first entry was set; just the file when the key is absent.
         */
        String originOf(String key) {
            ConfigurationProperty property = property(key);
            if (property == null) {
                property = keys().stream()
                        .filter(k -> k.startsWith(key + ".") || k.startsWith(key + "["))
                        .findFirst()
                        .map(this::property)
                        .orElse(null);
            }
            return property == null ? file.toString() : originText(property);
        }

        String originText(ConfigurationProperty property) {
            Origin origin = Origin.from(property);
            if (origin instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
                origin = wrapped.getOrigin();
            }
            if (origin instanceof TextResourceOrigin text && text.getLocation() != null) {
                return file + ":" + (text.getLocation().getLine() + 1);
            }
            return origin != null && !String.valueOf(origin).isBlank() ? String.valueOf(origin) : file.toString();
        }

        /** Every flattened key as written, e.g. {@code inputs[1].type}. */
        List<String> keys() {
            List<String> keys = new ArrayList<>();
            for (PropertySource<?> source : rawSources) {
                if (source instanceof OriginTrackedMapPropertySource map) {
                    keys.addAll(List.of(map.getPropertyNames()));
                } else if (source instanceof MapPropertySource map) {
                    keys.addAll(List.of(map.getPropertyNames()));
                }
            }
            return keys;
        }

        /** A canonical property name shown as written in fleet-server.yml (snake_case keys). */
        static String displayName(ConfigurationPropertyName name) {
            return name.toString().replace('-', '_');
        }
    }
}
