package dev.fleetserver.testing.elasticsearch;

import java.nio.file.Path;

/**
 * Runs a test node for local development, until this process is stopped (Ctrl-C or SIGTERM).
 *
 * <p>Usage: {@code java -cp elasticsearch-test-node/target/classes
 * dev.fleetserver.testing.elasticsearch.LocalElasticsearch [workDir]} (default
 * {@code ./dev-run/elasticsearch}, wiped at each start). Prints the connection settings as
 * environment-variable lines, then {@code READY}, so scripts can wait for that line.
 */
public final class LocalElasticsearch {

    private LocalElasticsearch() {}

    /**
     * Starts the node and blocks; the node's shutdown hook stops it when this JVM exits.
     *
     * @param args optional work directory
     */
    public static void main(String[] args) throws InterruptedException {
        Path workDir = Path.of(args.length > 0 ? args[0] : "./dev-run/elasticsearch");
        long startNanos = System.nanoTime();
        ElasticsearchNode node = ElasticsearchNode.start(workDir);
        long startMillis = (System.nanoTime() - startNanos) / 1_000_000;
        System.out.println("ELASTICSEARCH_HOSTS=" + node.httpUri());
        System.out.println("ELASTICSEARCH_SERVICE_TOKEN=" + node.serviceToken());
        System.out.println("ELASTICSEARCH_SUPERUSER=" + node.superuser() + ":" + node.superuserPassword());
        System.out.println("READY");
        System.out.flush();
        System.err.printf(
                "Elasticsearch %s ready after %.1f s; log: %s%n", node.version(), startMillis / 1000.0, node.logFile());
        Thread.currentThread().join();
    }
}
