package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvailableMemoryTests {

    @TempDir
    Path dir;

    @Test
    void theConfiguredMemoryLimitComesFirst() throws Exception {
        Path cgroup = Files.writeString(dir.resolve("memory.max"), "1073741824\n");

        assertThat(AvailableMemory.detect(536870912L, cgroup, () -> 3)).isEqualTo(536870912L);
    }

    @Test
    void thenTheCgroupLimitWhenItIsANumber() throws Exception {
        Path cgroup = Files.writeString(dir.resolve("memory.max"), "1073741824\n");

        assertThat(AvailableMemory.detect(null, cgroup, () -> 3)).isEqualTo(1073741824L);
        assertThat(AvailableMemory.detect(0L, cgroup, () -> 3)).isEqualTo(1073741824L);
    }

    @Test
    void thenThePhysicalMemory() throws Exception {
        Path unlimited = Files.writeString(dir.resolve("memory.max"), "max\n");

        assertThat(AvailableMemory.detect(null, unlimited, () -> 3)).isEqualTo(3);
        assertThat(AvailableMemory.detect(null, dir.resolve("missing"), () -> 3))
                .isEqualTo(3);
    }

    @Test
    void thisMachineHasSomeMemory() {
        assertThat(AvailableMemory.detect(null)).isPositive();
    }
}
