package dev.fleetserver.limits;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The memory the server may use, for choosing a limit tier when {@code max_agents} is 0: the configured
 * {@code runtime.memory_limit}, else the cgroup v2 limit, else the machine's physical memory.
 */
final class AvailableMemory {

    static final Path CGROUP_V2_MEMORY_MAX = Path.of("/sys/fs/cgroup/memory.max");

    private AvailableMemory() {}

    static long detect(@Nullable Long memoryLimit) {
        return detect(memoryLimit, CGROUP_V2_MEMORY_MAX, AvailableMemory::physical);
    }

    static long detect(@Nullable Long memoryLimit, Path cgroupMemoryMax, LongSupplier physical) {
        if (memoryLimit != null && memoryLimit > 0) {
            return memoryLimit;
        }
        OptionalLong cgroup = cgroupLimit(cgroupMemoryMax);
        if (cgroup.isPresent()) {
            return cgroup.getAsLong();
        }
        return physical.getAsLong();
    }

    /** The cgroup's limit when it is a number; {@code max} (no limit) and a missing file count as none. */
    private static OptionalLong cgroupLimit(Path file) {
        try {
            String text = Files.readString(file).strip();
            long bytes = Long.parseLong(text);
            return bytes > 0 ? OptionalLong.of(bytes) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Total physical memory; inside a container the JVM already reports the container's limit here. */
    private static long physical() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
