package dev.fleetserver.load.agent;

/** An enrolled agent: its id and access API key ({@code base64(id:secret)}, as the server issued it). */
public record AgentCredentials(String id, String apiKey) {

    @Override
    public String toString() {
        return "AgentCredentials[id=" + id + "]"; // never the key
    }
}
