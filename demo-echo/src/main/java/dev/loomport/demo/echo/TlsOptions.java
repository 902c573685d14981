package dev.loomport.demo.echo;

import dev.loomport.TlsConfig;
import dev.loomport.demo.cli.Durations;
import dev.loomport.demo.cli.Option;
import dev.loomport.demo.cli.OptionTable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The TLS keys of one {@code --listen} spec, collected as they come and turned into a {@link TlsConfig}
 * at the end, when it is known which of them were given. Passwords come only from an environment
 * variable or a file, never from the command line itself, where {@code ps} would show them.
 */
final class TlsOptions {
    /**
     * Every TLS key. Most are only collected here and read together by {@link #build()}, where it is
     * known which of them were given; {@code tls-password} is refused at once.
     */
    static final OptionTable<TlsOptions> TABLE = new OptionTable<>("=",
            Option.of("tls-keystore", "FILE", null, "PKCS#12 key store, with tls-password-env or"
                    + " tls-password-file", TlsOptions::put),
            Option.of("tls-password-env", "VAR", null, "the environment variable that holds the key store's"
                    + " password", TlsOptions::put),
            Option.of("tls-password-file", "FILE", null, "the file whose first line is the key store's password",
                    TlsOptions::put),
            Option.of("tls-password", "PASSWORD", null, "refused: a password on the command line is there for"
                    + " ps to show; use tls-password-env or tls-password-file", TlsOptions::put),
            Option.of("tls-cert", "FILE", null, "PEM certificate chain (leaf first), with tls-key",
                    TlsOptions::put),
            Option.of("tls-key", "FILE", null, "PEM PKCS#8 private key (BEGIN PRIVATE KEY), with tls-cert",
                    TlsOptions::put),
            Option.of("tls-protocols", "LIST", "TLSv1.3:TLSv1.2", "the protocol versions to offer",
                    TlsOptions::put),
            Option.of("tls-client-auth", "none|requested|required", "none", "ask clients for a certificate;"
                    + " requested or required needs tls-trust-certs or tls-truststore", TlsOptions::put),
            Option.of("tls-trust-certs", "FILE", null, "PEM bundle of trusted client certificates or CAs",
                    TlsOptions::put),
            Option.of("tls-truststore", "FILE", null, "PKCS#12 trust store of the same, with"
                    + " tls-truststore-password-env or tls-truststore-password-file", TlsOptions::put),
            Option.of("tls-truststore-password-env", "VAR", null, "the environment variable that holds the"
                    + " trust store's password", TlsOptions::put),
            Option.of("tls-truststore-password-file", "FILE", null, "the file whose first line is the trust"
                    + " store's password", TlsOptions::put),
            Option.of("tls-handshake-timeout", "DURATION", "10s", "how long a client's TLS handshake may take",
                    TlsOptions::put),
            Option.of("alpn", "LIST", null, "ALPN protocol names, most preferred first", TlsOptions::put));

    static final String USAGE = "TLS KEYs (any listener; lists are separated by ':'):\n" + TABLE.help("  ") + """
            SIGHUP re-reads every TLS listener's files: new connections get the new
            certificate, open ones keep theirs; a bad file keeps the old ones.
            """;

    private final Map<String, String> given = new LinkedHashMap<>();

    /** Collects {@code key=value} if it is a TLS key (it is then not passed to the handler); says whether. */
    boolean apply(String key, String value) {
        var row = TABLE.find(key);
        row.ifPresent(r -> r.apply().apply(this, key, value));
        return row.isPresent();
    }

    private void put(String key, String value) {
        if (key.equals("tls-password")) {
            throw new IllegalArgumentException("a password never goes on the command line: use"
                    + " tls-password-env=VAR or tls-password-file=FILE");
        }
        if (given.put(key, value) != null) {
            throw new IllegalArgumentException(key + " is given twice");
        }
    }

    /** The TLS configuration, or {@code null} when no TLS key was given. */
    TlsConfig build() {
        if (given.isEmpty()) {
            return null;
        }
        TlsConfig.Builder b = TlsConfig.builder();
        String keyStore = given.get("tls-keystore");
        if (keyStore != null) {
            b.keyStore(Path.of(keyStore), password("tls-password", true));
        } else if (given.containsKey("tls-password-env") || given.containsKey("tls-password-file")) {
            throw new IllegalArgumentException("tls-password-env and tls-password-file go with tls-keystore");
        }
        String cert = given.get("tls-cert");
        String key = given.get("tls-key");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("tls-cert and tls-key go together; got only "
                    + (cert != null ? "tls-cert" : "tls-key"));
        }
        if (cert != null) {
            b.certificate(Path.of(cert), Path.of(key));
        }
        if (given.containsKey("tls-protocols")) {
            b.protocols(given.get("tls-protocols").split(":"));
        }
        if (given.containsKey("tls-client-auth")) {
            b.clientAuth(clientAuth(given.get("tls-client-auth")));
        }
        String trustCerts = given.get("tls-trust-certs");
        String trustStore = given.get("tls-truststore");
        if (trustCerts != null && trustStore != null) {
            throw new IllegalArgumentException("give tls-trust-certs or tls-truststore, not both");
        }
        if (trustCerts != null) {
            b.trustedCertificates(Path.of(trustCerts));
        }
        if (trustStore != null) {
            b.trustStore(Path.of(trustStore), password("tls-truststore-password", true));
        } else if (password("tls-truststore-password", false) != null) {
            throw new IllegalArgumentException("tls-truststore-password-* goes with tls-truststore");
        }
        if (given.containsKey("tls-handshake-timeout")) {
            b.handshakeTimeout(Durations.parse("tls-handshake-timeout", given.get("tls-handshake-timeout")));
        }
        if (given.containsKey("alpn")) {
            b.applicationProtocols(given.get("alpn").split(":"));
        }
        return b.build();
    }

    private TlsConfig.Password password(String prefix, boolean required) {
        String variable = given.get(prefix + "-env");
        String file = given.get(prefix + "-file");
        if (variable != null && file != null) {
            throw new IllegalArgumentException("give " + prefix + "-env or " + prefix + "-file, not both");
        }
        if (variable != null) {
            return TlsConfig.Password.fromEnvironment(variable);
        }
        if (file != null) {
            return TlsConfig.Password.fromFile(Path.of(file));
        }
        if (required) {
            throw new IllegalArgumentException("the PKCS#12 store needs " + prefix + "-env=VAR or " + prefix
                    + "-file=FILE");
        }
        return null;
    }

    private static TlsConfig.ClientAuth clientAuth(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> TlsConfig.ClientAuth.NONE;
            case "requested" -> TlsConfig.ClientAuth.REQUESTED;
            case "required" -> TlsConfig.ClientAuth.REQUIRED;
            default -> throw new IllegalArgumentException(
                    "tls-client-auth must be none, requested or required: '" + value + "'");
        };
    }
}
