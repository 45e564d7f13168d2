package dev.fleetserver.management;

import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A page of a list, Kibana style: {@code page} counts from 1 (0 is read as 1), {@code perPage} items per page.
 *
 * @param page as the caller gave it, echoed in the answer
 */
public record Paging(int page, int perPage) {

    /** {@code page} and {@code perPage} of a validated query, with Kibana's defaults 1 and 20. */
    public static Paging of(ObjectNode query) {
        return new Paging(query.path("page").asInt(1), query.path("perPage").asInt(20));
    }

    public <T> List<T> slice(List<T> all) {
        long from = (long) Math.max(0, page - 1) * perPage;
        if (from >= all.size() || perPage <= 0) {
            return List.of();
        }
        return all.subList((int) from, (int) Math.min(all.size(), from + perPage));
    }

    /** {@code {"items": [...], "total": N, "page": P, "perPage": PP}}. */
    public ObjectNode envelope(List<? extends tools.jackson.databind.JsonNode> items, long total) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode array = body.putArray("items");
        items.forEach(array::add);
        body.put("total", total);
        body.put("page", page);
        body.put("perPage", perPage);
        return body;
    }
}
