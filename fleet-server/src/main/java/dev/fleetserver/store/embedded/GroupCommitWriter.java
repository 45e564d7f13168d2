package dev.fleetserver.store.embedded;

import dev.fleetserver.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the database: one thread that owns the write connection and commits queued writes in
 * groups. It takes whatever is queued (up to a batch), runs each write inside its own savepoint of one
 * transaction, commits once (one fsync with {@code synchronous=FULL}), and only then completes the callers'
 * futures, so a caller is never answered before its write is durable. A write that fails is rolled back to its
 * savepoint without touching the others of its group.
 *
 * <p>The queue is bounded. When it is full a caller waits up to {@code offerTimeout} for room, then gets a
 * {@link StoreUnavailableException} (a 503 on the agent API): the store is saturated, and agents retry with
 * backoff.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** One write: runs on the writer thread inside the group's transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Transaction transaction) throws SQLException;
    }

    /** What a write sees: the connection, and a place for what must happen once its group committed. */
    static final class Transaction {
        private final Connection connection;
        private final List<Runnable> afterCommit = new ArrayList<>();

        private Transaction(Connection connection) {
            this.connection = connection;
        }

        Connection connection() {
            return connection;
        }

        /** Runs on the writer thread after the commit, before the caller is answered (e.g. wake a feed). */
        void afterCommit(Runnable action) {
            afterCommit.add(action);
        }
    }

    private final Connection connection;
    private final BlockingQueue<Task<?>> queue;
    private final Duration offerTimeout;
    private final int maxBatch;
    private final String where;
    private final Thread thread;
    private volatile boolean accepting = true;
    private final java.util.concurrent.atomic.LongAdder commits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder committedWrites = new java.util.concurrent.atomic.LongAdder();

    GroupCommitWriter(Connection connection, int capacity, int maxBatch, Duration offerTimeout, String where) {
        this.connection = connection;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.offerTimeout = offerTimeout;
        this.where = where;
        this.thread = Thread.ofPlatform().daemon().name("fleet-store-writer").start(this::run);
    }

    /** Queues a write and waits until it is committed; returns what the write returned. */
    <T> T write(String action, Work<T> work) {
        CompletableFuture<T> done = submit(action, work);
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "failed to " + action + ": " + e.getCause(), e);
        }
    }

    <T> CompletableFuture<T> submit(String action, Work<T> work) {
        if (!accepting) {
            throw closed(action);
        }
        Task<T> task = new Task<>(action, work);
        try {
            if (!queue.offer(task, offerTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StoreUnavailableException(
                        StoreUnavailableException.Reason.ERROR,
                        "the embedded store is saturated (" + queue.size() + " writes queued); failed to " + action);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "interrupted while queueing a write to " + action, e);
        }
        if (!accepting && queue.remove(task)) {
            throw closed(action);
        }
        return task.done;
    }

    /** Writes queued right now, for metrics and tests. */
    int queued() {
        return queue.size();
    }

    /** Transactions committed so far (each one fsync). */
    long commits() {
        return commits.sum();
    }

    /** Writes committed so far; divided by {@link #commits()}, the average group size. */
    long committedWrites() {
        return committedWrites.sum();
    }

    private void run() {
        List<Task<?>> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!accepting) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                // close() waits for the queue to drain; an interrupt only ends a wait early
            } catch (RuntimeException | Error e) {
                log.error("The embedded store's writer failed: {}", e.toString(), e);
                batch.forEach(task -> task.done.completeExceptionally(
                        new StoreUnavailableException(StoreUnavailableException.Reason.ERROR, e.toString(), e)));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Task<?>> batch) {
        try (Statement sql = connection.createStatement()) {
            sql.execute("BEGIN IMMEDIATE");
            for (Task<?> task : batch) {
                sql.execute("SAVEPOINT write");
                try {
                    task.run(connection);
                    sql.execute("RELEASE write");
                } catch (SQLException | RuntimeException e) {
                    sql.execute("ROLLBACK TO write");
                    sql.execute("RELEASE write");
                    task.failure = e;
                }
            }
            sql.execute("COMMIT");
            commits.increment();
            committedWrites.add(batch.size());
        } catch (SQLException e) {
            rollbackQuietly();
            log.warn("A group of {} writes to {} was not committed: {}", batch.size(), where, e.getMessage());
            StoreUnavailableException failure = new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR, "failed to write to " + where + ": " + e.getMessage(), e);
            batch.forEach(task -> task.done.completeExceptionally(failure));
            return;
        }
        for (Task<?> task : batch) {
            task.complete();
        }
    }

    private void rollbackQuietly() {
        try (Statement sql = connection.createStatement()) {
            sql.execute("ROLLBACK");
        } catch (SQLException e) {
            log.debug("Rollback after a failed commit: {}", e.getMessage());
        }
    }

    /** Stops taking writes, commits what is queued, and ends the thread. The connection stays open. */
    @Override
    public void close() {
        accepting = false;
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Task<?> left;
        while ((left = queue.poll()) != null) {
            left.done.completeExceptionally(closed(left.action));
        }
    }

    private StoreUnavailableException closed(String action) {
        return new StoreUnavailableException(
                StoreUnavailableException.Reason.UNREACHABLE, where + " is closed; failed to " + action);
    }

    private static final class Task<T> {
        private final String action;
        private final Work<T> work;
        private final CompletableFuture<T> done = new CompletableFuture<>();
        private @Nullable T result;
        private @Nullable Exception failure;
        private @Nullable Transaction transaction;

        Task(String action, Work<T> work) {
            this.action = action;
            this.work = work;
        }

        void run(Connection connection) throws SQLException {
            Transaction tx = new Transaction(connection);
            result = work.run(tx);
            transaction = tx;
        }

        void complete() {
            if (failure != null) {
                done.completeExceptionally(
                        failure instanceof RuntimeException runtime
                                ? runtime
                                : new StoreUnavailableException(
                                        StoreUnavailableException.Reason.ERROR,
                                        "failed to " + action + ": " + failure.getMessage(),
                                        failure));
                return;
            }
            if (transaction != null) {
                for (Runnable after : transaction.afterCommit) {
                    try {
                        after.run();
                    } catch (RuntimeException e) {
                        log.warn("After committing a write to {}: {}", action, e.toString());
                    }
                }
            }
            done.complete(result);
        }
    }
}
