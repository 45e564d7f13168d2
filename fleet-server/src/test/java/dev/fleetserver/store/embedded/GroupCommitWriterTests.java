package dev.fleetserver.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetserver.store.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer: many callers' writes in one commit, each answered only after it; failures isolated; a bounded queue. */
@org.junit.jupiter.api.Timeout(120)
class GroupCommitWriterTests {

    @TempDir
    Path directory;

    private Connection connection;

    @BeforeEach
    void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("test.db"));
        try (Statement sql = connection.createStatement()) {
            sql.execute("PRAGMA journal_mode = WAL");
            sql.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    private static GroupCommitWriter.Work<Integer> insert(int id) {
        return tx -> {
            try (PreparedStatement insert = tx.connection().prepareStatement("INSERT INTO t (id, v) VALUES (?, 'x')")) {
                insert.setInt(1, id);
                return insert.executeUpdate();
            }
        };
    }

    private int count() throws SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM t")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void concurrentWritesAreCommittedTogetherAndEachCallerIsAnsweredAfterItsCommit() throws Exception {
        try (GroupCommitWriter writer = new GroupCommitWriter(connection, 1000, 1000, Duration.ofSeconds(5), "test");
                var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            // Hold the writer so that the callers' writes pile up and are committed as one group.
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> blocker = writer.submit("block", tx -> {
                started.countDown();
                await(release);
                return 0;
            });
            await(started);
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                int id = i;
                writes.add(CompletableFuture.supplyAsync(() -> writer.write("insert " + id, insert(id)), callers));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.queued() == 200);
            assertThat(writes).noneMatch(CompletableFuture::isDone);
            release.countDown();

            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            blocker.get(5, TimeUnit.SECONDS);
        }
        assertThat(count()).isEqualTo(200);
    }

    @Test
    void aFailingWriteIsRolledBackAloneAndItsCallerGetsTheError() throws Exception {
        try (GroupCommitWriter writer = new GroupCommitWriter(connection, 100, 100, Duration.ofSeconds(5), "test")) {
            CountDownLatch release = new CountDownLatch(1);
            writer.submit("block", tx -> {
                await(release);
                return 0;
            });
            CompletableFuture<Integer> good = writer.submit("good", insert(1));
            CompletableFuture<Integer> bad = writer.submit("bad", tx -> {
                insert(2).run(tx);
                insert(1).run(tx); // duplicate key: fails after writing row 2
                return 0;
            });
            CompletableFuture<Integer> alsoGood = writer.submit("also good", insert(3));
            release.countDown();

            assertThat(good.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(alsoGood.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("failed to bad");
        }
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT id FROM t ORDER BY id")) {
            List<Integer> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
            assertThat(ids).containsExactly(1, 3);
        }
    }

    @Test
    void aFullQueueRefusesAfterAShortWait() throws Exception {
        try (GroupCommitWriter writer = new GroupCommitWriter(connection, 1, 1, Duration.ofMillis(200), "test")) {
            CountDownLatch release = new CountDownLatch(1);
            writer.submit("block", tx -> {
                await(release);
                return 0;
            });
            // The writer took it and is now held.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.queued() == 0);
            CompletableFuture<Integer> queued = writer.submit("fills the queue", insert(1));

            assertThatThrownBy(() -> writer.submit("one too many", insert(2)))
                    .isInstanceOfSatisfying(
                            StoreUnavailableException.class,
                            e -> assertThat(e.getMessage()).contains("saturated"));

            release.countDown();
            assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void closingCommitsWhatIsQueuedAndRefusesMore() throws Exception {
        GroupCommitWriter writer = new GroupCommitWriter(connection, 100, 100, Duration.ofSeconds(5), "test");
        CountDownLatch release = new CountDownLatch(1);
        writer.submit("block", tx -> {
            await(release);
            return 0;
        });
        CompletableFuture<Integer> queued = writer.submit("queued", insert(1));
        Thread closer = Thread.ofVirtual().start(writer::close);
        Thread.sleep(100);
        release.countDown();
        closer.join(Duration.ofSeconds(10));

        assertThat(queued.get(1, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> writer.write("late", insert(2))).isInstanceOf(StoreUnavailableException.class);
        assertThat(count()).isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
