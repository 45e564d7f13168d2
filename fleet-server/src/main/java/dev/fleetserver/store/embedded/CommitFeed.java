package dev.fleetserver.store.embedded;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the rows of one table with an {@code AUTOINCREMENT} position to a consumer, in order, right after the
 * commits that stored them: the writer calls {@link #committed(long)} after each commit, which wakes this feed's
 * thread; no polling. The thread reads the new rows in pages from the database (so nothing is queued in memory
 * and a slow consumer only delays itself) and moves {@link #position()} past each page <em>before</em> handing
 * it over, so that a reader bounded by the position and this feed together never leave a gap (at worst a
 * document is both read and delivered, and the reply to a waiting agent completes once).
 *
 * <p>As the Elasticsearch monitors do, rows that existed when the database opened are not replayed.
 */
final class CommitFeed<T> implements EmbeddedDatabase.Participant {

    private static final Logger log = LoggerFactory.getLogger(CommitFeed.class);

    /** Reads the documents with a position in {@code (after, upTo]}, oldest first, at most {@code limit}. */
    @FunctionalInterface
    interface PageReader<T> {
        Page<T> read(Connection connection, long after, long upTo, int limit) throws SQLException;
    }

    /**
     * @param documents what to hand over (rows may be filtered out, e.g. expired actions)
     * @param last the position of the last row read, or -1 when none was
     * @param rows how many rows were read
     */
    record Page<T>(List<T> documents, long last, int rows) {}

    private final EmbeddedDatabase database;
    private final String table;
    private final PageReader<T> reader;
    private final int pageSize;
    private final Object lock = new Object();
    private @Nullable Consumer<List<T>> consumer;
    private long committed = -1;
    private volatile long delivered = -1;
    private boolean running;
    private @Nullable Thread thread;

    CommitFeed(EmbeddedDatabase database, String table, PageReader<T> reader, int pageSize) {
        this.database = database;
        this.table = table;
        this.reader = reader;
        this.pageSize = pageSize;
        database.register(this);
    }

    /** Starts handing new documents to the (single) consumer. */
    void follow(Consumer<List<T>> consumer) {
        synchronized (lock) {
            this.consumer = consumer;
            // Nothing committed before this moment is handed to the new consumer.
            delivered = Math.max(delivered, committed);
        }
    }

    /** The highest position handed over (or skipped as older than the start); -1 before the database opened. */
    long position() {
        return delivered;
    }

    /** The highest position committed so far, as far as this feed was told. */
    long committedPosition() {
        synchronized (lock) {
            return committed;
        }
    }

    /** Called by the writer after the commit that stored {@code position}. */
    void committed(long position) {
        synchronized (lock) {
            if (position > committed) {
                committed = position;
                lock.notifyAll();
            }
        }
    }

    @Override
    public void opened(Connection writer) throws SQLException {
        long max = highestPosition(writer);
        synchronized (lock) {
            committed = max;
            delivered = max;
            running = true;
        }
        thread = Thread.ofPlatform().daemon().name("fleet-store-feed-" + table).start(this::run);
    }

    @Override
    public void closing() {
        Thread current;
        synchronized (lock) {
            running = false;
            lock.notifyAll();
            current = thread;
        }
        if (current != null) {
            try {
                current.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (true) {
            long from;
            long to;
            synchronized (lock) {
                while (running && delivered >= committed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only closing() ends this thread
                    }
                }
                if (!running) {
                    return;
                }
                from = delivered;
                to = committed;
            }
            Page<T> page;
            try {
                page = database.read("read new rows of " + table, c -> reader.read(c, from, to, pageSize));
            } catch (RuntimeException e) {
                log.warn("Cannot read new rows of {}: {}; retrying", table, e.getMessage());
                sleep();
                continue;
            }
            long last = page.rows() < pageSize ? to : page.last();
            Consumer<List<T>> target;
            synchronized (lock) {
                if (delivered != from) {
                    continue; // a new consumer skipped ahead meanwhile; read from there
                }
                delivered = last;
                target = consumer;
            }
            if (target != null && !page.documents().isEmpty()) {
                try {
                    target.accept(page.documents());
                } catch (RuntimeException e) {
                    log.warn("A consumer of {} failed: {}", table, e.toString(), e);
                }
            }
        }
    }

    private long highestPosition(Connection connection) throws SQLException {
        // The AUTOINCREMENT counter, not max(position): rows may have been deleted since.
        try (Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = '" + table + "'")) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    private void sleep() {
        synchronized (lock) {
            if (running) {
                try {
                    lock.wait(1000);
                } catch (InterruptedException e) {
                    // closing
                }
            }
        }
    }
}
