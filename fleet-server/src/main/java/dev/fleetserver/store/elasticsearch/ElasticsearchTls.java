package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.config.TlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;

/**
 * TLS towards Elasticsearch from {@code output.elasticsearch.ssl}: trusted CAs (files or inline PEM, else the
 * JVM's roots), {@code ca_trusted_fingerprint} (a CA in the presented chain whose SHA-256 matches is trusted
 * as a root, as upstream's libbeat does), and {@code verification_mode} ({@code full}/{@code strict} check the
 * host name, {@code certificate} only the chain, {@code none} nothing).
 */
final class ElasticsearchTls {

    private ElasticsearchTls() {}

    static TlsStrategy strategy(TlsConfig tls) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(tls)}, null);
            boolean checkHostname = tls.verificationMode() == TlsConfig.VerificationMode.FULL
                    || tls.verificationMode() == TlsConfig.VerificationMode.STRICT;
            HostnameVerifier verifier = checkHostname ? new DefaultHostnameVerifier() : NoopHostnameVerifier.INSTANCE;
            String[] protocols = tls.supportedProtocols().toArray(String[]::new);
            String[] ciphers =
                    tls.cipherSuites().isEmpty() ? null : tls.cipherSuites().toArray(String[]::new);
            return new DefaultClientTlsStrategy(
                    context, protocols, ciphers, null, HostnameVerificationPolicy.CLIENT, verifier);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS to Elasticsearch: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(TlsConfig tls) throws GeneralSecurityException, IOException {
        if (tls.verificationMode() == TlsConfig.VerificationMode.NONE) {
            return new TrustAll();
        }
        List<X509Certificate> cas = new ArrayList<>();
        for (String ca : tls.certificateAuthorities()) {
            cas.addAll(readCertificates(ca));
        }
        X509TrustManager base = cas.isEmpty() ? systemTrustManager() : trustManagerFor(cas);
        String fingerprint = tls.caTrustedFingerprint();
        return fingerprint == null || fingerprint.isBlank()
                ? base
                : new FingerprintTrustManager(base, fingerprint.replace(":", "").toLowerCase(Locale.ROOT), cas);
    }

    static List<X509Certificate> readCertificates(String pemOrPath) throws IOException, CertificateException {
        byte[] pem = pemOrPath.contains("-----BEGIN")
                ? pemOrPath.getBytes(StandardCharsets.UTF_8)
                : Files.readAllBytes(Path.of(pemOrPath));
        try (InputStream in = new ByteArrayInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            return certificates.stream().map(X509Certificate.class::cast).toList();
        }
    }

    private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return firstX509(factory.getTrustManagers());
    }

    private static X509TrustManager trustManagerFor(List<X509Certificate> cas)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return firstX509(factory.getTrustManagers());
    }

    private static X509TrustManager firstX509(TrustManager[] managers) {
        return Arrays.stream(managers)
                .filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast)
                .findFirst()
                .orElseThrow();
    }

    static String sha256(X509Certificate certificate) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new CertificateException(e);
        }
    }

    /** Trusts a chain that contains the pinned CA (validated against it), else defers to the base trust. */
    private static final class FingerprintTrustManager implements X509TrustManager {
        private final X509TrustManager base;
        private final String fingerprint;
        private final List<X509Certificate> extraCas;

        FingerprintTrustManager(X509TrustManager base, String fingerprint, List<X509Certificate> extraCas) {
            this.base = base;
            this.fingerprint = fingerprint;
            this.extraCas = extraCas;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            X509Certificate pinned = null;
            for (X509Certificate certificate : chain) {
                if (sha256(certificate).equals(fingerprint)) {
                    pinned = certificate;
                    break;
                }
            }
            if (pinned == null) {
                base.checkServerTrusted(chain, authType);
                return;
            }
            validate(chain, pinned);
        }

        private void validate(X509Certificate[] chain, X509Certificate pinned) throws CertificateException {
            try {
                List<X509Certificate> path = new ArrayList<>();
                for (X509Certificate certificate : chain) {
                    if (certificate.equals(pinned)) {
                        break;
                    }
                    path.add(certificate);
                }
                if (path.isEmpty()) {
                    return; // the server presented the pinned certificate itself
                }
                Set<TrustAnchor> anchors = new java.util.HashSet<>();
                anchors.add(new TrustAnchor(pinned, null));
                extraCas.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
                PKIXParameters parameters = new PKIXParameters(anchors);
                parameters.setRevocationEnabled(false);
                CertPathValidator.getInstance("PKIX")
                        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            } catch (GeneralSecurityException e) {
                throw new CertificateException("certificate chain does not verify against the pinned CA", e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            base.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return base.getAcceptedIssuers();
        }
    }

    /** {@code verification_mode: none}: upstream's "trust anything" for development. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
