package dev.fleetserver.store.embedded;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.fleetserver.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The SQLite database under {@code path.data} (ADR 9): one write connection owned by the
 * {@link GroupCommitWriter}, a small pool of read-only connections that WAL lets read while the writer writes,
 * and an exclusive lock on the directory so that a second server process cannot share it (feeds are notified
 * in-process only). Opened by {@link EmbeddedStoreProbe#prepare()}; until then every call fails as unavailable.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    static final String FILE_NAME = "fleet-server.db";
    private static final String LOCK_NAME = "fleet-server.lock";

    /** A read on a pooled connection. */
    @FunctionalInterface
    interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Something that must know when the database opens and closes (the feeds). */
    interface Participant {
        /** Called once the schema is current, on the opening thread, before any write is taken. */
        void opened(Connection writer) throws SQLException;

        void closing();
    }

    /**
     * @param readers size of the read pool
     * @param queueCapacity writes that may wait for the writer before callers are refused
     * @param maxBatch most writes committed together
     * @param queueWait how long a caller waits for room in a full queue
     */
    record Settings(int readers, int queueCapacity, int maxBatch, Duration queueWait, Duration readWait) {
        static Settings defaults() {
            return new Settings(8, 10_000, 1_000, Duration.ofSeconds(2), Duration.ofSeconds(5));
        }
    }

    private final Path directory;
    private final Path file;
    private final Settings settings;
    private final List<Participant> participants = new CopyOnWriteArrayList<>();
    private @Nullable FileChannel lockChannel;
    private @Nullable FileLock lock;
    private @Nullable Connection writeConnection;
    private volatile @Nullable GroupCommitWriter writer;
    private volatile @Nullable HikariDataSource readers;
    private volatile String generation = "";
    private volatile boolean closed;

    EmbeddedDatabase(Path directory, Settings settings) {
        this.directory = directory.toAbsolutePath().normalize();
        this.file = this.directory.resolve(FILE_NAME);
        this.settings = settings;
    }

    void register(Participant participant) {
        participants.add(participant);
    }

    /** Where the store lives, for log lines. */
    String describe() {
        return "embedded store " + file;
    }

    Path file() {
        return file;
    }

    boolean isOpen() {
        return writer != null;
    }

    /** Opens (creating and migrating when needed); does nothing when already open. */
    synchronized void open() {
        if (writer != null) {
            return;
        }
        if (closed) {
            throw unavailable("open the store");
        }
        try {
            createDirectory();
            lockDirectory();
            Connection connection = DriverManager.getConnection(
                    "jdbc:sqlite:" + file, writerConfig().toProperties());
            try {
                Schema.migrate(connection, describe());
                generation = readGeneration(connection);
                for (Participant participant : participants) {
                    participant.opened(connection);
                }
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            writeConnection = connection;
            readers = readPool();
            writer = new GroupCommitWriter(
                    connection, settings.queueCapacity(), settings.maxBatch(), settings.queueWait(), describe());
            log.info("Opened the {} (schema {})", describe(), Schema.currentVersion());
        } catch (StoreUnavailableException e) {
            releaseLock();
            throw e;
        } catch (IOException | SQLException | RuntimeException e) {
            releaseLock();
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "cannot open the " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** The store's incarnation, a UUID created with the database; empty before it is open. */
    String generation() {
        return generation;
    }

    /** A cheap query on a read connection. */
    void check() {
        read("check the store", connection -> {
            try (Statement sql = connection.createStatement();
                    ResultSet rows = sql.executeQuery("SELECT count(*) FROM meta")) {
                return rows.next();
            }
        });
    }

    <T> T read(String action, Read<T> work) {
        HikariDataSource pool = readers;
        if (pool == null) {
            throw unavailable(action);
        }
        try (Connection connection = pool.getConnection()) {
            // One read transaction: multi-statement reads see one snapshot.
            connection.setAutoCommit(false);
            try {
                return work.run(connection);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (pool.isClosed()) {
                throw unavailable(action);
            }
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "failed to " + action + ": " + e.getMessage(), e);
        }
    }

    /** Writes through the group-commit writer; returns once the write is durable. */
    <T> T write(String action, GroupCommitWriter.Work<T> work) {
        GroupCommitWriter current = writer;
        if (current == null) {
            throw unavailable(action);
        }
        return current.write(action, work);
    }

    /** The writer, while the store is open (for measurements). */
    @Nullable
    GroupCommitWriter writer() {
        return writer;
    }

    /** Commits what is queued, then closes every connection and releases the directory. */
    @Override
    public synchronized void close() {
        closed = true;
        participants.forEach(Participant::closing);
        GroupCommitWriter current = writer;
        writer = null;
        if (current != null) {
            current.close();
        }
        HikariDataSource pool = readers;
        readers = null;
        if (pool != null) {
            pool.close();
        }
        if (writeConnection != null) {
            try {
                writeConnection.close();
            } catch (SQLException e) {
                log.warn("Closing the {}: {}", describe(), e.getMessage());
            }
            writeConnection = null;
            log.info("Closed the {}", describe());
        }
        releaseLock();
    }

    private SQLiteConfig writerConfig() {
        SQLiteConfig config = new SQLiteConfig();
        // WAL: readers never block the writer nor the other way round; FULL: every commit is fsynced, so an
        // acknowledged write survives a crash of the process and of the machine.
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) settings.readWait().toMillis());
        return config;
    }

    private HikariDataSource readPool() {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) settings.readWait().toMillis());
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("fleet-store-readers");
        pool.setDataSource(source);
        pool.setMaximumPoolSize(settings.readers());
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(settings.readWait().toMillis());
        pool.setConnectionInitSql("PRAGMA query_only = true");
        return new HikariDataSource(pool);
    }

    /**
     * A new data directory is readable by the server's user only: the store holds secrets (the values of
     * {@code .fleet-secrets}, output service tokens inside policies). An existing one is left as the operator set it.
     */
    private void createDirectory() throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(directory);
        }
    }

    private void lockDirectory() throws IOException {
        FileChannel channel =
                FileChannel.open(directory.resolve(LOCK_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            channel.close();
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.INCOMPATIBLE,
                    directory + " is in use by another Fleet Server process; give each server its own path.data");
        }
        lockChannel = channel;
        lock = acquired;
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.debug("Releasing the lock of {}: {}", directory, e.getMessage());
        }
        lock = null;
        lockChannel = null;
    }

    private static String readGeneration(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT value FROM meta WHERE key = '" + Schema.GENERATION + "'")) {
            if (!rows.next()) {
                throw new SQLException("the store has no generation");
            }
            return rows.getString(1);
        }
    }

    private StoreUnavailableException unavailable(String action) {
        return new StoreUnavailableException(
                StoreUnavailableException.Reason.UNREACHABLE,
                "the " + describe() + " is " + (closed ? "closed" : "not open yet") + "; failed to " + action);
    }
}
