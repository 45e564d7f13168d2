package dev.fleetserver.config;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An {@code ssl} block, used both by the Elasticsearch output (client side) and by the agent listener
 * (server side); each side reads the keys that concern it.
 *
 * @param enabled defaults to true when the block is present
 * @param verificationMode how the peer's certificate is checked
 * @param certificateAuthorities CA files or inline PEM; client side: roots to trust; server side: CAs of agents'
 *     client certificates
 * @param certificate own certificate (server: required; client: for mutual TLS)
 * @param key own private key
 * @param caTrustedFingerprint client side: trust the chain's CA whose certificate has this SHA-256 (hex)
 * @param clientAuthentication server side: {@code required} by default when {@code certificate_authorities} is
 *     set, else {@code none}
 */
public record TlsConfig(
        @Nullable Boolean enabled,
        @DefaultValue("full") VerificationMode verificationMode,
        @Nullable List<String> certificateAuthorities,
        @Nullable String certificate,
        @Nullable String key,
        @Nullable Secret keyPassphrase,
        @Nullable String keyPassphrasePath,
        @DefaultValue({"TLSv1.2", "TLSv1.3"}) List<String> supportedProtocols,
        @Nullable List<String> cipherSuites,
        @Nullable List<String> curveTypes,
        @Nullable List<String> caSha256,
        @Nullable String caTrustedFingerprint,
        @DefaultValue("never") Renegotiation renegotiation,
        @Nullable ClientAuthentication clientAuthentication,
        @DefaultValue CertificateReload certificateReload) {

    public TlsConfig {
        certificateAuthorities = certificateAuthorities == null ? List.of() : List.copyOf(certificateAuthorities);
        supportedProtocols = List.copyOf(supportedProtocols);
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        curveTypes = curveTypes == null ? List.of() : List.copyOf(curveTypes);
        caSha256 = caSha256 == null ? List.of() : List.copyOf(caSha256);
    }

    public boolean isEnabled() {
        return enabled == null || enabled;
    }

    /** Server side: the effective client-certificate policy. */
    public ClientAuthentication effectiveClientAuthentication() {
        if (clientAuthentication != null) {
            return clientAuthentication;
        }
        return certificateAuthorities.isEmpty() ? ClientAuthentication.NONE : ClientAuthentication.REQUIRED;
    }

    /** How a peer certificate is checked: {@code full} and {@code strict} also check the host name. */
    public enum VerificationMode {
        FULL,
        STRICT,
        CERTIFICATE,
        NONE
    }

    /** Accepted for compatibility; the JDK never renegotiates TLS 1.3 and we never allow TLS 1.2 renegotiation. */
    public enum Renegotiation {
        NEVER,
        ONCE,
        FREELY
    }

    /** Whether agents must present client certificates. */
    public enum ClientAuthentication {
        NONE,
        OPTIONAL,
        REQUIRED
    }

    /** {@code ssl.certificate_reload.*}: periodic re-reading of certificate files. */
    public record CertificateReload(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5s") Duration reloadInterval) {}
}
