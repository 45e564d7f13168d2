package dev.fleetserver.limits;

import dev.fleetserver.config.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every number of upstream's limit tiers and built-in defaults (config-and-ops §5.1–5.4), kept in the same
 * shape as the spec's tables so that a reviewer can compare them column by column. The tables are parsed once
 * when the class loads; a typo fails every test that touches limits.
 *
 * <p>Rates are {@code interval/burst/max} (pacers: {@code interval/burst}); {@code -} means the tier file
 * leaves the value out, so the built-in default applies. Sizes take a {@code KiB}/{@code MiB} suffix.
 */
final class LimitTable {

    /** §5.1 sizing, connections and cache, and §5.2 the main agent endpoints. */
    private static final String SIZING_AND_MAIN_ENDPOINTS = """
            tier      agents       ram_mib  max_connections  cache_num_counters  cache_max_cost  checkin            enroll        ack                artifact           status
            lte0500   0-500        256      1500             5000                50MiB           5ms/100/500        10ms/10/20    4ms/100/200        5ms/100/200        5ms/10/20
            lte1000   501-1000     512      3000             10000               50MiB           5ms/200/1000       10ms/20/40    4ms/200/400        5ms/200/400        5ms/20/40
            lte2500   1001-2500    1024     7000             20000               50MiB           5ms/500/2500       10ms/50/100   4ms/500/1000       5ms/500/1000       5ms/50/100
            lte5000   2501-5000    2048     12000            40000               50MiB           2ms/1000/5000      10ms/100/200  2ms/1000/2000      2ms/1000/2000      5ms/100/200
            lte10000  5001-10000   4048     22000            80000               50MiB           1ms/2000/10000     10ms/100/200  1ms/2000/4000      1ms/2000/4000      5ms/200/400
            lte20000  10001-20000  8096     42000            1600000             128MiB          0.5ms/4000/20000   10ms/100/200  0.5ms/4000/8000    0.5ms/4000/8000    5ms/200/400
            lte40000  20001-40000  16192    0                1600000             256MiB          0.5ms/4000/40000   10ms/100/200  0.5ms/4000/8000    0.5ms/4000/8000    5ms/200/400
            max       40001-       32384    0                6400000             512MiB          0.25ms/8000/80000  10ms/200/400  0.25ms/8000/16000  0.25ms/8000/16000  5ms/200/400
            built-in  -            -        0                500000              50MiB           1ms/1000/0         10ms/50/100   10ms/50/100        5ms/25/50          5ms/25/50
            """;

    /** §5.3 pacers and secondary endpoints; OpAMP is in no tier file, so every tier inherits it. */
    private static final String PACERS_AND_SECONDARY_ENDPOINTS = """
            tier      action      policy    upload_start  upload_end  upload_chunk  file_delivery  pgp_retrieval      audit_unenroll     opamp
            lte0500   5ms/1       5ms/1     2s/5/5        2s/5/5      3ms/5/5       100ms/5/5      5ms/100/200        4ms/100/200        -
            lte1000   5ms/1       5ms/1     2s/5/10       2s/5/10     3ms/5/10      100ms/5/10     5ms/200/400        4ms/200/400        -
            lte2500   5ms/1       5ms/1     2s/10/20      2s/10/20    3ms/10/20     100ms/10/20    5ms/500/1000       4ms/500/1000       -
            lte5000   5ms/5       5ms/1     2s/20/40      2s/20/40    3ms/20/40     100ms/20/40    2ms/1000/2000      2ms/1000/2000      -
            lte10000  1ms/10      5ms/1     2s/40/80      2s/40/80    3ms/40/80     100ms/40/80    1ms/2000/4000      1ms/2000/4000      -
            lte20000  1ms/100     5ms/1     2s/40/80      2s/40/80    3ms/40/80     100ms/40/80    0.5ms/4000/8000    0.5ms/4000/8000    -
            lte40000  0.5ms/100   2ms/1     2s/40/80      2s/40/80    3ms/40/80     100ms/40/80    0.5ms/4000/8000    0.5ms/4000/8000    -
            max       0.25ms/100  0.25ms/1  2s/40/80      2s/40/80    3ms/40/80     100ms/40/80    0.25ms/8000/16000  0.25ms/8000/16000  -
            built-in  0/5         5ms/1     2s/5/10       2s/5/10     3ms/5/10      100ms/5/10     5ms/25/50          10ms/50/100        1ms/1000/0
            """;

    /** §5.4 body caps: built-in only, inherited by every tier; 0 = no cap. */
    private static final String BODY_SIZE_CAPS = """
            limiter         max_body_byte_size
            checkin         1MiB
            enroll          512KiB
            ack             2MiB
            artifact        0
            status          0
            opamp           3MiB
            upload_start    5MiB
            upload_chunk    4MiB
            upload_end      1024
            file_delivery   0
            pgp_retrieval   0
            audit_unenroll  1024
            """;

    /** The checkin body cap after gunzip ({@code checkin_limit.max_body_decompressed}). */
    static final long CHECKIN_MAX_BODY_DECOMPRESSED = 20L * 1024 * 1024;

    /** The columns that hold a limiter, as opposed to the tier's sizing. */
    private static final List<String> SIZING_COLUMNS =
            List.of("tier", "agents", "ram_mib", "max_connections", "cache_num_counters", "cache_max_cost");

    static final List<LimitTier> TIERS;
    static final LimitTier BUILT_IN;
    static final Map<String, Long> BODY_CAPS;

    static {
        List<Map<String, String>> sizing = rows(SIZING_AND_MAIN_ENDPOINTS);
        Map<String, Map<String, String>> secondary = new HashMap<>();
        rows(PACERS_AND_SECONDARY_ENDPOINTS).forEach(row -> secondary.put(row.get("tier"), row));
        List<LimitTier> tiers = new ArrayList<>();
        LimitTier builtIn = null;
        for (Map<String, String> row : sizing) {
            Map<String, String> all = new LinkedHashMap<>(row);
            Map<String, String> more = secondary.get(row.get("tier"));
            if (more == null) {
                throw new IllegalStateException("tier " + row.get("tier") + " has no pacers or secondary endpoints");
            }
            all.putAll(more);
            LimitTier tier = tier(all);
            if (tier.isBuiltIn()) {
                builtIn = tier;
            } else {
                tiers.add(tier);
            }
        }
        if (builtIn == null) {
            throw new IllegalStateException("the built-in defaults are missing");
        }
        TIERS = List.copyOf(tiers);
        BUILT_IN = builtIn;
        Map<String, Long> caps = new HashMap<>();
        rows(BODY_SIZE_CAPS).forEach(row -> caps.put(row.get("limiter"), size(row.get("max_body_byte_size"))));
        BODY_CAPS = Map.copyOf(caps);
    }

    private LimitTable() {}

    private static LimitTier tier(Map<String, String> row) {
        String name = row.get("tier");
        boolean builtIn = name.equals(LimitTier.BUILT_IN_NAME);
        int minAgents = 0;
        int maxAgents = 0;
        if (!builtIn) {
            String[] range = row.get("agents").split("-", -1);
            minAgents = Integer.parseInt(range[0]);
            maxAgents = range[1].isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(range[1]);
        }
        Map<String, LimitTier.Rate> rates = new HashMap<>();
        row.forEach((column, value) -> {
            if (!SIZING_COLUMNS.contains(column) && !value.equals("-")) {
                rates.put(column, rate(value));
            }
        });
        return new LimitTier(
                name,
                minAgents,
                maxAgents,
                builtIn ? 0 : Long.parseLong(row.get("ram_mib")),
                Integer.parseInt(row.get("max_connections")),
                Long.parseLong(row.get("cache_num_counters")),
                size(row.get("cache_max_cost")),
                rates);
    }

    /** {@code interval/burst/max} or, for pacers, {@code interval/burst}. */
    private static LimitTier.Rate rate(String text) {
        String[] parts = text.split("/", -1);
        Duration interval = GoDuration.parse(parts[0]);
        int burst = Integer.parseInt(parts[1]);
        int max = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        return new LimitTier.Rate(interval, burst, max);
    }

    private static long size(String text) {
        if (text.endsWith("MiB")) {
            return Long.parseLong(text.substring(0, text.length() - 3)) * 1024 * 1024;
        }
        if (text.endsWith("KiB")) {
            return Long.parseLong(text.substring(0, text.length() - 3)) * 1024;
        }
        return Long.parseLong(text);
    }

    /** The rows of a whitespace-aligned table, each by column name (the first line). */
    private static List<Map<String, String>> rows(String table) {
        List<String> lines = table.lines().filter(line -> !line.isBlank()).toList();
        String[] header = lines.getFirst().trim().split("\\s+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length != header.length) {
                throw new IllegalStateException(
                        "limit table row has " + cells.length + " cells, expected " + header.length + ": " + line);
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], cells[i]);
            }
            rows.add(Map.copyOf(row));
        }
        return rows;
    }
}
