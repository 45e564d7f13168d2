package dev.fleetserver.testsupport;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Kibana's Fleet plugin writes to Elasticsearch for the server to read (data-model §5.2, §5.3, §5.5, §5.7),
 * done as the superuser through {@link ElasticsearchAdmin}, plus the reads a test needs to check what the server
 * wrote. Every write uses {@code refresh=true}.
 *
 * <p>The {@code .fleet-*} indices other than {@code .fleet-secrets} must exist first (a server creates them with
 * their mappings when it starts); writing into a missing one fails instead of letting Elasticsearch create it
 * with dynamic mappings.
 */
public final class SimulatedKibana implements KibanaSide {

    /** Where policies send agents when no Fleet Server URL was given. */
    public static final URI PLACEHOLDER_FLEET_URL = URI.create("https://fleet-server.example.internal:8220");

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final String SECRETS_INDEX = """
            {"settings": {"index.hidden": true, "number_of_shards": 1, "auto_expand_replicas": "0-1"},
             "mappings": {"dynamic": false, "properties": {"value": {"type": "keyword", "index": false}}}}
            """;

    private final ElasticsearchAdmin admin;
    private final URI fleetServerUrl;
    private final Http http = Http.plain();

    public SimulatedKibana(ElasticsearchAdmin admin) {
        this(admin, PLACEHOLDER_FLEET_URL);
    }

    /** @param fleetServerUrl what policies put in {@code fleet.hosts} */
    public SimulatedKibana(ElasticsearchAdmin admin, URI fleetServerUrl) {
        this.admin = admin;
        this.fleetServerUrl = fleetServerUrl;
    }

    public ElasticsearchAdmin admin() {
        return admin;
    }

    /** Now, as Kibana writes dates: RFC 3339 UTC with milliseconds. */
    public static String now() {
        return MILLIS.format(Instant.now());
    }

    // ---------------------------------------------------------------- policies (§5.2)

    /** The {@code data} of the highest revision. */
    public ObjectNode latestPolicyData(String policyId) {
        return (ObjectNode) latestPolicyDocument(policyId).path("data");
    }

    /** The {@code _source} of the highest revision, with {@code _id} added. */
    @Override
    public ObjectNode latestPolicyDocument(String policyId) {
        List<ObjectNode> documents = policyDocuments(policyId);
        if (documents.isEmpty()) {
            throw new IllegalStateException("no policy " + policyId + " in .fleet-policies");
        }
        return documents.get(documents.size() - 1);
    }

    /** Every revision document of a policy, lowest {@code revision_idx} first, each with {@code _id} added. */
    public List<ObjectNode> policyDocuments(String policyId) {
        ObjectNode query = Http.JSON.createObjectNode();
        query.put("size", 1000);
        query.putObject("query").putObject("term").put("policy_id", policyId);
        query.putArray("sort").addObject().put("revision_idx", "asc");
        return hits(".fleet-policies", query);
    }

    @Override
    public void addPolicyRevision(String policyId, long revision, ObjectNode data) {
        index(".fleet-policies", policyDocument(policyId, revision, data));
    }

    /** A policy revision document as Kibana writes it. */
    static ObjectNode policyDocument(String policyId, long revision, ObjectNode data) {
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("@timestamp", now());
        document.put("policy_id", policyId);
        document.put("revision_idx", revision);
        document.put("coordinator_idx", 0);
        document.put("default_fleet_server", false);
        document.putArray("namespaces").add("default");
        document.set("data", data);
        return document;
    }

    /**
     * An agent policy as Kibana renders it for agents: one Elasticsearch output (the test node), permissions for
     * the agent's checks and one {@code logfile} integration, monitoring, and {@code fleet.hosts}.
     */
    @Override
    public ObjectNode defaultPolicyData(String policyId) {
        String packagePolicyId = UUID.randomUUID().toString();
        ObjectNode data = Http.JSON.createObjectNode();
        data.put("id", policyId);
        data.put("revision", 1);

        ObjectNode output = data.putObject("outputs").putObject("default");
        output.put("type", "elasticsearch");
        output.putArray("hosts").add(admin.node().httpUri().toString());

        ObjectNode permissions = data.putObject("output_permissions").putObject("default");
        permissions.putObject("_elastic_agent_checks").putArray("cluster").add("monitor");
        ObjectNode monitoringRole = permissions.putObject("_elastic_agent_monitoring");
        ObjectNode monitoringIndices = monitoringRole.putArray("indices").addObject();
        monitoringIndices
                .putArray("names")
                .add("logs-elastic_agent-default")
                .add("logs-elastic_agent.*-default")
                .add("metrics-elastic_agent-default")
                .add("metrics-elastic_agent.*-default");
        monitoringIndices.putArray("privileges").add("auto_configure").add("create_doc");
        ObjectNode logsIndices =
                permissions.putObject(packagePolicyId).putArray("indices").addObject();
        logsIndices.putArray("names").add("logs-generic-default");
        logsIndices.putArray("privileges").add("auto_configure").add("create_doc");

        ObjectNode agent = data.putObject("agent");
        agent.putObject("download").put("sourceURI", "https://artifacts.example.internal/downloads/");
        ObjectNode monitoring = agent.putObject("monitoring");
        monitoring.put("enabled", true);
        monitoring.put("use_output", "default");
        monitoring.put("namespace", "default");
        monitoring.put("logs", true);
        monitoring.put("metrics", true);
        agent.putObject("features");
        ObjectNode protection = agent.putObject("protection");
        protection.put("enabled", false);
        protection.put("uninstall_token_hash", "");
        protection.put("signing_key", "");

        data.putObject("fleet").putArray("hosts").add(fleetServerUrl.toString());

        ObjectNode input = data.putArray("inputs").addObject();
        input.put("id", "logfile-logs-" + packagePolicyId);
        input.put("name", "logs-1");
        input.put("revision", 1);
        input.put("type", "logfile");
        input.put("use_output", "default");
        ObjectNode pkg = input.putObject("meta").putObject("package");
        pkg.put("name", "log");
        pkg.put("version", "2.4.4");
        input.putObject("data_stream").put("namespace", "default");
        input.put("package_policy_id", packagePolicyId);
        ObjectNode stream = input.putArray("streams").addObject();
        stream.put("id", "logfile-log.logs-" + packagePolicyId);
        ObjectNode dataStream = stream.putObject("data_stream");
        dataStream.put("dataset", "generic");
        dataStream.put("type", "logs");
        stream.putArray("paths").add("/var/log/generic/*.log");
        return data;
    }

    // ---------------------------------------------------------------- enrollment tokens (§5.5)

    /**
     * Creates an enrollment token as Kibana does: an Elasticsearch API key (name {@code Default (<uuid>)}, Fleet
     * metadata, no privileges) and its {@code .fleet-enrollment-api-keys} record. Returns the encoded token the
     * agent presents, registered as a secret.
     */
    @Override
    public String createEnrollmentToken(String policyId) {
        String name = "Default (" + UUID.randomUUID() + ")";
        ObjectNode request = Http.JSON.createObjectNode();
        request.put("name", name);
        ObjectNode role = request.putObject("role_descriptors").putObject("fleet-apikey-enroll");
        role.putArray("cluster");
        role.putArray("index");
        ObjectNode application = role.putArray("applications").addObject();
        application.put("application", "fleet");
        application.putArray("privileges").add("no-privileges");
        application.putArray("resources").add("*");
        ObjectNode metadata = request.putObject("metadata");
        metadata.put("managed_by", "fleet");
        metadata.put("managed", true);
        metadata.put("type", "enroll");
        metadata.put("policy_id", policyId);
        JsonNode key = admin.json("POST", "/_security/api_key?refresh=true", Http.JSON.writeValueAsString(request));
        Secrets.register(key.path("api_key").asString());
        String encoded = Secrets.register(key.path("encoded").asString());

        index(".fleet-enrollment-api-keys", enrollmentKeyRecord(key.path("id").asString(), encoded, name, policyId));
        return encoded;
    }

    /** An active {@code .fleet-enrollment-api-keys} record as Kibana writes it. */
    static ObjectNode enrollmentKeyRecord(String apiKeyId, String encodedToken, String name, String policyId) {
        ObjectNode record = Http.JSON.createObjectNode();
        record.put("active", true);
        record.put("api_key_id", apiKeyId);
        record.put("api_key", encodedToken);
        record.put("name", name);
        record.put("policy_id", policyId);
        record.put("created_at", now());
        record.putArray("namespaces").add("default");
        record.put("hidden", false);
        return record;
    }

    /** Sets {@code active: false} on the token's record; the API key itself stays valid. */
    @Override
    public void deactivateEnrollmentToken(String token) {
        String keyId = apiKeyId(token);
        List<ObjectNode> records = enrollmentKeyRecords(keyId);
        if (records.isEmpty()) {
            throw new IllegalStateException("no enrollment key record for API key " + keyId);
        }
        for (ObjectNode record : records) {
            ObjectNode partial = Http.JSON.createObjectNode();
            partial.put("active", false);
            partial.put("updated_at", now());
            update(".fleet-enrollment-api-keys", record.path("_id").asString(), partial);
        }
    }

    /** Kibana's "revoke": invalidates the API key and deactivates the record. */
    @Override
    public void revokeEnrollmentToken(String token) {
        invalidateApiKey(apiKeyId(token));
        deactivateEnrollmentToken(token);
    }

    /** The {@code .fleet-enrollment-api-keys} records of an API key id, each with {@code _id} added. */
    public List<ObjectNode> enrollmentKeyRecords(String apiKeyId) {
        ObjectNode query = Http.JSON.createObjectNode();
        query.putObject("query").putObject("term").put("api_key_id", apiKeyId);
        return hits(".fleet-enrollment-api-keys", query);
    }

    /** The key id of an encoded {@code base64(id:secret)} token or a plain {@code id:secret}. */
    public static String apiKeyId(String token) {
        String plain =
                token.contains(":") ? token : new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not an API key token");
        }
        return plain.substring(0, colon);
    }

    // ---------------------------------------------------------------- actions (§5.3)

    /**
     * Indexes an action for {@code agentIds}: {@code action_id} a random UUID, {@code @timestamp} now,
     * {@code expiration} in one hour, {@code data} a sensible default for the type (none for UNENROLL and
     * unknown types), {@code namespaces ["default"]}; {@code edit} may change or remove anything.
     */
    @Override
    public IndexedAction createAction(String type, List<String> agentIds, Consumer<ObjectNode> edit) {
        ObjectNode document = actionDocument(type, agentIds, edit);
        JsonNode indexed = index(".fleet-actions", document);
        return new IndexedAction(
                indexed.path("_id").asString(),
                document.path("action_id").asString(),
                indexed.path("_seq_no").asLong(),
                document);
    }

    /** An action document as Kibana writes it, as described at {@link KibanaSide#createAction}. */
    static ObjectNode actionDocument(String type, List<String> agentIds, Consumer<ObjectNode> edit) {
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("action_id", UUID.randomUUID().toString());
        document.put("type", type);
        ArrayNode agents = document.putArray("agents");
        agentIds.forEach(agents::add);
        Instant now = Instant.now();
        document.put("@timestamp", MILLIS.format(now));
        document.put("expiration", MILLIS.format(now.plus(1, ChronoUnit.HOURS)));
        ObjectNode data = defaultActionData(type, document);
        if (data != null) {
            document.set("data", data);
        }
        document.putArray("namespaces").add("default");
        edit.accept(document);
        return document;
    }

    private static ObjectNode defaultActionData(String type, ObjectNode document) {
        ObjectNode data = Http.JSON.createObjectNode();
        switch (type) {
            case "UPGRADE" -> data.put("version", "9.5.1");
            case "SETTINGS" -> data.put("log_level", "debug");
            case "POLICY_REASSIGN" -> data.put("policy_id", "reassigned-policy");
            case "CANCEL" -> data.put("target_id", "");
            case "REQUEST_DIAGNOSTICS" -> {
                // Kibana sends an empty object unless extra metrics were asked for
            }
            case "INPUT_ACTION" -> {
                document.put("input_type", "osquery");
                document.put("timeout", 300);
                data.put("id", UUID.randomUUID().toString());
                data.put("query", "select version from os_version;");
            }
            case "MIGRATE" -> {
                data.put("target_uri", "https://fleet-target.example.internal:8220");
                data.put("enrollment_token", "placeholder-enrollment-token");
            }
            case "PRIVILEGE_LEVEL_CHANGE" -> data.put("unprivileged", true);
            default -> {
                return null;
            }
        }
        return data;
    }

    /** Indexes the action documents with one {@code _bulk} request, in order. */
    @Override
    public List<IndexedAction> createActions(List<ObjectNode> documents) {
        requireIndex(".fleet-actions");
        StringBuilder body = new StringBuilder();
        for (ObjectNode document : documents) {
            body.append("{\"index\":{}}\n")
                    .append(Http.JSON.writeValueAsString(document))
                    .append('\n');
        }
        JsonNode response = admin.json("POST", "/.fleet-actions/_bulk?refresh=true", body.toString());
        if (response.path("errors").asBoolean()) {
            throw new IllegalStateException("bulk: " + response);
        }
        List<IndexedAction> indexed = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            JsonNode item = response.path("items").path(i).path("index");
            ObjectNode document = documents.get(i);
            indexed.add(new IndexedAction(
                    item.path("_id").asString(),
                    document.path("action_id").asString(),
                    item.path("_seq_no").asLong(),
                    document));
        }
        return indexed;
    }

    /** {@code .fleet-actions} documents with this {@code action_id}, each with {@code _id} added. */
    public List<ObjectNode> actionDocuments(String actionId) {
        ObjectNode query = Http.JSON.createObjectNode();
        query.putObject("query").putObject("term").put("action_id", actionId);
        return hits(".fleet-actions", query);
    }

    /**
     * The {@code .fleet-actions-results} documents of an action (one per acknowledging agent), each with
     * {@code _id} added; empty when there are none or the index does not exist.
     */
    @Override
    public List<ObjectNode> actionResults(String actionId) {
        ObjectNode query = Http.JSON.createObjectNode();
        query.put("size", 1000);
        query.putObject("query").putObject("term").put("action_id", actionId);
        return hits(".fleet-actions-results", query);
    }

    // ---------------------------------------------------------------- secrets (§5.7)

    /** Stores a secret value in {@code .fleet-secrets} (created when missing) and returns its generated id. */
    @Override
    public String createSecret(String value) {
        Secrets.register(value);
        if (admin.request("GET", "/.fleet-secrets/_settings", null).statusCode() == 404) {
            HttpResponse<String> created = admin.request("PUT", "/.fleet-secrets", SECRETS_INDEX);
            if (created.statusCode() >= 300 && !created.body().contains("resource_already_exists_exception")) {
                throw new IllegalStateException(
                        "create .fleet-secrets -> " + created.statusCode() + ": " + created.body());
            }
        }
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("value", value);
        return admin.json("POST", "/.fleet-secrets/_doc?refresh=true", Http.JSON.writeValueAsString(document))
                .path("_id")
                .asString();
    }

    // ---------------------------------------------------------------- agents (§5.1)

    /**
     * The agent's {@code .fleet-agents} {@code _source} with {@code _seq_no} and {@code _primary_term} added, or
     * {@code null} when there is no such document.
     */
    @Override
    public ObjectNode agentDocument(String agentId) {
        HttpResponse<String> response = admin.request("GET", "/.fleet-agents/_doc/" + encode(agentId), null);
        if (response.statusCode() == 404) {
            return null;
        }
        JsonNode document = checked("GET .fleet-agents/_doc/" + agentId, response);
        ObjectNode source = ((ObjectNode) document.path("_source")).deepCopy();
        source.put("_seq_no", document.path("_seq_no").asLong());
        source.put("_primary_term", document.path("_primary_term").asLong());
        return source;
    }

    @Override
    public List<String> agentIdsWhere(String field, String value) {
        admin.json("POST", "/.fleet-agents/_refresh", null);
        ObjectNode query = Http.JSON.createObjectNode();
        query.put("size", 1000);
        query.putObject("query").putObject("term").put(field, value);
        return hits(".fleet-agents", query).stream()
                .map(hit -> hit.path("_id").asString())
                .toList();
    }

    /** A partial update ({@code doc} merge) of the agent document. */
    @Override
    public void updateAgent(String agentId, ObjectNode partial) {
        update(".fleet-agents", agentId, partial);
    }

    // ---------------------------------------------------------------- API keys

    /**
     * Whether Elasticsearch accepts the key: {@code GET /_security/_authenticate} with
     * {@code Authorization: ApiKey <base64(id:key)>}. Takes the plain {@code id:key} or the encoded form.
     */
    @Override
    public boolean authenticates(String idColonKeyOrEncodedToken) {
        String encoded = idColonKeyOrEncodedToken.contains(":")
                ? Base64.getEncoder().encodeToString(idColonKeyOrEncodedToken.getBytes(StandardCharsets.UTF_8))
                : idColonKeyOrEncodedToken;
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(URI.create(admin.node().httpUri() + "/_security/_authenticate"))
                        .header("Authorization", "ApiKey " + encoded)
                        .GET());
        return switch (response.statusCode()) {
            case 200 -> true;
            case 401 -> false;
            default ->
                throw new IllegalStateException("_authenticate -> " + response.statusCode() + ": " + response.body());
        };
    }

    /**
     * The API key's description from {@code GET /_security/api_key?id=<id>} (name, metadata, role_descriptors,
     * invalidated, ...), or {@code null} when unknown.
     */
    @Override
    public ObjectNode apiKey(String id) {
        HttpResponse<String> response = admin.request("GET", "/_security/api_key?id=" + encode(id), null);
        if (response.statusCode() == 404) {
            return null;
        }
        JsonNode keys = checked("GET /_security/api_key", response).path("api_keys");
        return keys.isArray() && !keys.isEmpty() ? (ObjectNode) keys.get(0) : null;
    }

    /** Invalidates an API key by id, as an operator or Kibana would. */
    public void invalidateApiKey(String id) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.putArray("ids").add(id);
        admin.json("DELETE", "/_security/api_key", Http.JSON.writeValueAsString(body));
    }

    // ---------------------------------------------------------------- plumbing

    private JsonNode index(String index, ObjectNode document) {
        requireIndex(index);
        return admin.json("POST", "/" + index + "/_doc?refresh=true", Http.JSON.writeValueAsString(document));
    }

    private void update(String index, String id, ObjectNode partial) {
        requireIndex(index);
        ObjectNode body = Http.JSON.createObjectNode();
        body.set("doc", partial);
        admin.json(
                "POST",
                "/" + index + "/_update/" + encode(id) + "?refresh=true&retry_on_conflict=3",
                Http.JSON.writeValueAsString(body));
    }

    private void requireIndex(String index) {
        if (admin.request("GET", "/" + index + "/_settings", null).statusCode() == 404) {
            throw new IllegalStateException(index
                    + " does not exist: start a server first, it creates the .fleet-* indices with their mappings");
        }
    }

    private List<ObjectNode> hits(String index, ObjectNode query) {
        HttpResponse<String> response =
                admin.request("POST", "/" + index + "/_search", Http.JSON.writeValueAsString(query));
        List<ObjectNode> documents = new ArrayList<>();
        if (response.statusCode() == 404) {
            return documents;
        }
        for (JsonNode hit : checked("search " + index, response).path("hits").path("hits")) {
            ObjectNode source = ((ObjectNode) hit.path("_source")).deepCopy();
            source.put("_id", hit.path("_id").asString());
            documents.add(source);
        }
        return documents;
    }

    private static JsonNode checked(String what, HttpResponse<String> response) {
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(what + " -> " + response.statusCode() + ": " + response.body());
        }
        return Http.json(response);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
