package dev.fleetserver.auth;

/** An API key the credential store vouched for. It proves identity only, not that it belongs to Fleet. */
public record VerifiedApiKey(String id) {}
