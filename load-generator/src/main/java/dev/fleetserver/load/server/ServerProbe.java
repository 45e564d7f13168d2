package dev.fleetserver.load.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the server's cost from outside: resident memory from {@code /proc/<pid>/status}, the heap and the open
 * checkins from its monitoring listener's {@code /stats}, and a full GC on request through {@code jcmd} (from the
 * JDK running the generator), so that heap and RSS can be compared at rest.
 */
public final class ServerProbe {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final long pid;
    private final URI monitoring;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param pid the server's process id, or -1 when unknown (no RSS, no GC)
     * @param monitoring its monitoring listener, e.g. {@code http://127.0.0.1:5066}, or null
     */
    public ServerProbe(long pid, URI monitoring) {
        this.pid = pid;
        this.monitoring = monitoring;
    }

    public long pid() {
        return pid;
    }

    /** One reading; a value that could not be read is -1. */
    public record Sample(
            long rssBytes,
            long rssAnonBytes,
            long threads,
            double cpuSeconds,
            long heapUsedBytes,
            long checkinsActive,
            long tcpActive) {}

    public Sample sample() {
        long rss = -1;
        long anon = -1;
        long threads = -1;
        if (pid > 0) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kilobytes(line);
                    } else if (line.startsWith("RssAnon:")) {
                        anon = kilobytes(line);
                    } else if (line.startsWith("Threads:")) {
                        threads = Long.parseLong(line.substring(8).trim());
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }
        JsonNode server = stats().path("http_server");
        return new Sample(
                rss,
                anon,
                threads,
                cpuSeconds(),
                server.path("memstats").path("memory_alloc").asLong(-1),
                server.path("routes").path("checkin").path("active").asLong(-1),
                server.path("tcp_active").asLong(-1));
    }

    /** A full, blocking GC in the server ({@code jcmd <pid> GC.run}); false when it could not be asked. */
    public boolean fullGc() {
        if (pid <= 0) {
            return false;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(List.of(jcmd.toString(), String.valueOf(pid), "GC.run"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode stats() {
        if (monitoring == null) {
            return JSON.missingNode();
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(monitoring.resolve("/stats"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.missingNode();
        } catch (IOException e) {
            return JSON.missingNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.missingNode();
        }
    }

    /** User plus system CPU time of the process so far, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    private double cpuSeconds() {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are
            // fields 14 and 15 of the whole line, so 12 and 13 after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long kilobytes(String statusLine) {
        String[] parts = statusLine.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }

    /**
     * The process listening on a local TCP port, found as {@code ss -p} would: the socket's inode in
     * {@code /proc/net/tcp*}, then the process holding a descriptor on it. -1 when not found (another user's
     * process, or nothing listens).
     */
    public static long pidListeningOn(int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    // local_address is field 1, st is field 3 (0A = LISTEN), inode is field 9
                    if (fields.length > 9 && fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
                        inode = fields[9];
                    }
                }
            } catch (IOException e) {
                // no such table here
            }
        }
        if (inode == null) {
            return -1;
        }
        String target = "socket:[" + inode + "]";
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        if (target.equals(Files.readSymbolicLink(fd).toString())) {
                            return Long.parseLong(process.getFileName().toString());
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // gone or not ours
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
