package dev.fleetserver.store.embedded;

import dev.fleetserver.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * The tables, created and migrated with {@code PRAGMA user_version}: each migration runs once, in its own
 * transaction, and bumps the version. A database written by a newer server (a higher version) is refused rather
 * than misread.
 *
 * <p>Documents are stored whole as JSON text in the layouts of the {@code .fleet-*} indices (data-model §5);
 * the fields the server searches by are generated columns over the JSON (always in step with it) with indexes.
 * Positions (the feeds' order, action ack tokens) are {@code AUTOINCREMENT} keys, never reused after deletes.
 */
final class Schema {

    /** Migration {@code i} brings the database from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE meta (
              key TEXT PRIMARY KEY,
              value TEXT NOT NULL
            ) WITHOUT ROWID""",
            """
            CREATE TABLE agents (
              id TEXT PRIMARY KEY,
              version INTEGER NOT NULL,
              doc TEXT NOT NULL,
              access_api_key_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.access_api_key_id')) VIRTUAL,
              enrollment_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.enrollment_id')) VIRTUAL,
              policy_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.policy_id')) VIRTUAL,
              active INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.active')) VIRTUAL
            )""",
            "CREATE INDEX agents_access_api_key_id ON agents (access_api_key_id)",
            "CREATE INDEX agents_enrollment_id ON agents (enrollment_id)",
            "CREATE INDEX agents_policy_id ON agents (policy_id)",
            """
            CREATE TABLE policies (
              position INTEGER PRIMARY KEY AUTOINCREMENT,
              policy_id TEXT NOT NULL,
              revision_idx INTEGER NOT NULL,
              doc TEXT NOT NULL,
              UNIQUE (policy_id, revision_idx)
            )""",
            """
            CREATE TABLE actions (
              position INTEGER PRIMARY KEY AUTOINCREMENT,
              id TEXT NOT NULL UNIQUE,
              action_id TEXT,
              timestamp_ms INTEGER,
              expiration_ms INTEGER,
              doc TEXT NOT NULL,
              agents TEXT
            )""",
            "CREATE INDEX actions_action_id ON actions (action_id)",
            "CREATE INDEX actions_expiration ON actions (expiration_ms)",
            "CREATE INDEX actions_timestamp ON actions (timestamp_ms)",
            """
            CREATE TABLE action_agents (
              agent_id TEXT NOT NULL,
              position INTEGER NOT NULL,
              PRIMARY KEY (agent_id, position)
            ) WITHOUT ROWID""",
            "CREATE INDEX action_agents_position ON action_agents (position)",
            """
            CREATE TABLE action_results (
              id TEXT PRIMARY KEY,
              action_id TEXT NOT NULL,
              agent_id TEXT,
              timestamp_ms INTEGER,
              doc TEXT NOT NULL
            )""",
            "CREATE INDEX action_results_action_id ON action_results (action_id)",
            """
            CREATE TABLE enrollment_keys (
              id TEXT PRIMARY KEY,
              created_ms INTEGER,
              doc TEXT NOT NULL,
              api_key_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.api_key_id')) VIRTUAL,
              active INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.active')) VIRTUAL
            )""",
            "CREATE INDEX enrollment_keys_api_key_id ON enrollment_keys (api_key_id)",
            """
            CREATE TABLE api_keys (
              id TEXT PRIMARY KEY,
              name TEXT NOT NULL,
              hash_algorithm TEXT NOT NULL,
              salt BLOB NOT NULL,
              hash BLOB NOT NULL,
              role_descriptors TEXT NOT NULL,
              metadata TEXT NOT NULL,
              created_ms INTEGER NOT NULL,
              invalidated_ms INTEGER
            )""",
            """
            CREATE TABLE secrets (
              id TEXT PRIMARY KEY,
              value TEXT NOT NULL
            )""",
            """
            CREATE TABLE output_health (
              position INTEGER PRIMARY KEY AUTOINCREMENT,
              output TEXT NOT NULL,
              doc TEXT NOT NULL
            )""",
            "CREATE INDEX output_health_output ON output_health (output, position)"));

    static final String GENERATION = "generation";

    private Schema() {}

    /** The version this server writes. */
    static int currentVersion() {
        return MIGRATIONS.size();
    }

    /** Brings the database to the current version; the writer connection must be in autocommit mode. */
    static void migrate(Connection connection, String where) throws SQLException {
        int version = userVersion(connection);
        if (version > currentVersion()) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.INCOMPATIBLE,
                    where + " was written by a newer Fleet Server (schema " + version + ", this server knows "
                            + currentVersion() + ")");
        }
        for (int next = version; next < currentVersion(); next++) {
            try (Statement sql = connection.createStatement()) {
                sql.execute("BEGIN IMMEDIATE");
                try {
                    for (String statement : MIGRATIONS.get(next)) {
                        sql.execute(statement);
                    }
                    if (next == 0) {
                        // The store's incarnation: action positions are only meaningful within one database.
                        sql.execute("INSERT INTO meta (key, value) VALUES ('" + GENERATION + "', '" + UUID.randomUUID()
                                + "')");
                    }
                    sql.execute("PRAGMA user_version = " + (next + 1));
                    sql.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    sql.execute("ROLLBACK");
                    throw e;
                }
            }
        }
    }

    static int userVersion(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("PRAGMA user_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }
}
