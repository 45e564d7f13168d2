package dev.fleetserver.store.embedded;

import dev.fleetserver.apikey.OutputHealth;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Output-health documents (data-model §5.10) in the {@code output_health} table, the last {@value #KEPT} per
 * output: enough to see an output's recent states without growing forever. A failed report is logged, never
 * thrown, as on Elasticsearch.
 */
final class EmbeddedOutputHealth implements OutputHealth {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedOutputHealth.class);
    static final int KEPT = 100;

    private final EmbeddedDatabase database;
    private final Clock clock;

    EmbeddedOutputHealth(EmbeddedDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public void report(String outputName, boolean healthy, String message) {
        ObjectNode document = OutputHealth.document(outputName, healthy, message, clock.instant());
        String json = Json.write(document);
        try {
            database.write("report the health of output " + outputName, tx -> {
                try (PreparedStatement insert =
                        tx.connection().prepareStatement("INSERT INTO output_health (output, doc) VALUES (?, ?)")) {
                    insert.setString(1, outputName);
                    insert.setString(2, json);
                    insert.executeUpdate();
                }
                try (PreparedStatement prune = tx.connection()
                        .prepareStatement("DELETE FROM output_health WHERE output = ? AND position <= (SELECT position"
                                + " FROM output_health WHERE output = ? ORDER BY position DESC LIMIT 1 OFFSET ?)")) {
                    prune.setString(1, outputName);
                    prune.setString(2, outputName);
                    prune.setInt(3, KEPT);
                    return prune.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not report the health of output {}: {}", outputName, e.getMessage());
        }
    }

    /** The output's recent reports, newest first. */
    List<ObjectNode> recent(String outputName) {
        return database.read("read the health of output " + outputName, c -> {
            try (PreparedStatement query =
                    c.prepareStatement("SELECT doc FROM output_health WHERE output = ? ORDER BY position DESC")) {
                query.setString(1, outputName);
                List<ObjectNode> reports = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        reports.add(Json.object(rows.getString(1)));
                    }
                }
                return reports;
            }
        });
    }
}
