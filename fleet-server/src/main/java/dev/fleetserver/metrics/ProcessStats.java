package dev.fleetserver.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Process self-metrics for {@code /stats}, in upstream's layout (memstats, cpu, runtime, handles), read from
 * the JVM and, on Linux, from {@code /proc/self}.
 */
final class ProcessStats {

    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcessStats() {}

    static Map<String, Object> memstats() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapUsed = memory.getHeapMemoryUsage().getUsed();
        long nonHeapUsed = memory.getNonHeapMemoryUsage().getUsed();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("memory_total", heapUsed + nonHeapUsed);
        stats.put("memory_alloc", heapUsed);
        stats.put(
                "memory_sys",
                memory.getHeapMemoryUsage().getCommitted()
                        + memory.getNonHeapMemoryUsage().getCommitted());
        stats.put("gc_next", memory.getHeapMemoryUsage().getCommitted());
        stats.put("rss", rssBytes());
        return stats;
    }

    static Map<String, Object> cpu() {
        long[] ticks = cpuTicks();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("user", ticks(ticks[0]));
        cpu.put("system", ticks(ticks[1]));
        cpu.put("total", Map.of("ticks", ticks[0] + ticks[1], "value", ticks[0] + ticks[1]));
        return cpu;
    }

    static Map<String, Object> handles() {
        Map<String, Object> handles = new LinkedHashMap<>();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            handles.put("open", os.getOpenFileDescriptorCount());
            handles.put(
                    "limit", Map.of("hard", os.getMaxFileDescriptorCount(), "soft", os.getMaxFileDescriptorCount()));
        }
        return handles;
    }

    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: RSS unknown.
        }
        return 0;
    }

    private static Map<String, Object> ticks(long ticks) {
        return Map.of("ticks", ticks, "time", Map.of("ms", ticks * 1000 / CLOCK_TICKS_PER_SECOND));
    }

    /** User and system CPU time in clock ticks, from {@code /proc/self/stat} (fields 14 and 15). */
    private static long[] cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
