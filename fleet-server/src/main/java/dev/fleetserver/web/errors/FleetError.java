package dev.fleetserver.web.errors;

/** Fleet's error body, exactly these three keys: {@code {"statusCode":403,"error":"…","message":"…"}}. */
public record FleetError(int statusCode, String error, String message) {}
