package dev.loomport;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TLS for one listener: where its key material is, which protocols it speaks, whether it asks clients
 * for certificates, and which ALPN protocols it offers. Immutable; made with {@link #builder()}, which
 * checks every value as it is set. The files themselves are read when the server starts (a missing file
 * or a wrong password then stops the start, naming the file, before any listener binds) and again on
 * {@link Server#reloadTls()}.
 *
 * <table class="striped">
 *   <caption>Options and their defaults</caption>
 *   <thead><tr><th>option</th><th>default</th><th>meaning</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code keyStore} or {@code certificate}</td><td>required, exactly one</td><td>a PKCS#12 key
 *       store and its {@link Password}; or a PEM certificate chain (leaf first) and a PEM PKCS#8
 *       private key ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519 or Ed448, not encrypted)</td></tr>
 *   <tr><td>{@code protocols}</td><td>{@code TLSv1.3, TLSv1.2}</td><td>protocol versions offered;
 *       the JDK's {@code jdk.tls.disabledAlgorithms} still removes old ones (TLS 1.0 and 1.1)</td></tr>
 *   <tr><td>{@code clientAuth}</td><td>{@link ClientAuth#NONE}</td><td>whether clients are asked for a
 *       certificate; anything but {@code NONE} needs a trust store</td></tr>
 *   <tr><td>{@code trustStore} or {@code trustedCertificates}</td><td>none</td><td>the certificates a
 *       client's certificate must chain to: a PKCS#12 store and its password, or a PEM bundle</td></tr>
 *   <tr><td>{@code applicationProtocols}</td><td>none</td><td>ALPN names in order of preference, such
 *       as {@code h2}; a client that offers ALPN but none of these is refused (RFC 7301); a client that
 *       offers no ALPN is served without one</td></tr>
 *   <tr><td>{@code handshakeTimeout}</td><td>10 s</td><td>the whole handshake must end within this
 *       time, and no read in it may wait longer; a client that stays silent is closed then</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet :
 * TlsConfig tls = TlsConfig.builder()
 *         .keyStore(Path.of("server.p12"), TlsConfig.Password.fromEnvironment("LOOMPORT_TLS_PASSWORD"))
 *         .applicationProtocols("imap")
 *         .build();
 * ListenerConfig imaps = ListenerConfig.builder("imap").port(993).tls(tls).build();
 * }
 */
public final class TlsConfig {

    /** Protocol names the JDK's TLS implementation knows. */
    static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

    /** Whether a listener asks clients for a certificate. */
    public enum ClientAuth {
        /** Clients are not asked for a certificate. */
        NONE,
        /** Clients are asked; one that sends none is served, one that sends an untrusted one is refused. */
        REQUESTED,
        /** Clients must send a certificate that chains to the trust store; others are refused. */
        REQUIRED
    }

    private final Path keyStore;
    private final Password keyStorePassword;
    private final Path certificateChain;
    private final Path privateKey;
    private final List<String> protocols;
    private final ClientAuth clientAuth;
    private final Path trustStore;
    private final Password trustStorePassword;
    private final List<String> applicationProtocols;
    private final Duration handshakeTimeout;

    private TlsConfig(Builder b) {
        keyStore = b.keyStore;
        keyStorePassword = b.keyStorePassword;
        certificateChain = b.certificateChain;
        privateKey = b.privateKey;
        protocols = b.protocols;
        clientAuth = b.clientAuth;
        trustStore = b.trustStore;
        trustStorePassword = b.trustStorePassword;
        applicationProtocols = b.applicationProtocols;
        handshakeTimeout = b.handshakeTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The PKCS#12 key store, when the key material is one. */
    public Optional<Path> keyStore() { return Optional.ofNullable(keyStore); }
    /** The key store's password (also the key's); empty when the key material is PEM. */
    public Optional<Password> keyStorePassword() { return Optional.ofNullable(keyStorePassword); }
    /** The PEM certificate chain, when the key material is PEM. */
    public Optional<Path> certificateChain() { return Optional.ofNullable(certificateChain); }
    /** The PEM PKCS#8 private key, when the key material is PEM. */
    public Optional<Path> privateKey() { return Optional.ofNullable(privateKey); }
    public List<String> protocols() { return protocols; }
    public ClientAuth clientAuth() { return clientAuth; }
    /** The trust store: PKCS#12 when {@link #trustStorePassword()} is present, else a PEM bundle. */
    public Optional<Path> trustStore() { return Optional.ofNullable(trustStore); }
    public Optional<Password> trustStorePassword() { return Optional.ofNullable(trustStorePassword); }
    public List<String> applicationProtocols() { return applicationProtocols; }
    public Duration handshakeTimeout() { return handshakeTimeout; }

    @Override
    public String toString() {
        return "TLS (" + (keyStore != null ? "key store " + keyStore : "certificate " + certificateChain)
                + ", " + String.join("+", protocols) + ", client auth " + clientAuth + ")";
    }

    /**
     * Where a password comes from. Given directly it stays in memory; from an environment variable or a
     * file it is read each time the key material is loaded (at start and on every reload), so it never
     * has to be on a command line. {@link #toString()} never shows the password.
     */
    public static final class Password {
        private final char[] value;
        private final String variable;
        private final Path file;

        private Password(char[] value, String variable, Path file) {
            this.value = value;
            this.variable = variable;
            this.file = file;
        }

        /** This password. */
        public static Password of(char[] password) {
            return new Password(Objects.requireNonNull(password, "password").clone(), null, null);
        }

        /** The value of the environment variable {@code name}. */
        public static Password fromEnvironment(String name) {
            Objects.requireNonNull(name, "environment variable");
            if (name.isBlank() || name.contains("=")) {
                throw new IllegalArgumentException("not an environment variable name: '" + name + "'");
            }
            return new Password(null, name, null);
        }

        /** The first line of {@code file} (UTF-8), without its line ending. */
        public static Password fromFile(Path file) {
            return new Password(null, null, Objects.requireNonNull(file, "password file"));
        }

        /**
         * Reads the password now: a copy of the one given, or the environment variable or file as they
         * are at this moment.
         *
         * @throws IOException naming the variable or file, when it is unset or unreadable
         */
        public char[] read() throws IOException {
            if (value != null) {
                return value.clone();
            }
            if (variable != null) {
                String v = System.getenv(variable);
                if (v == null) {
                    throw new IOException("environment variable " + variable + " is not set");
                }
                return v.toCharArray();
            }
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line = reader.readLine();
                return (line == null ? "" : line).toCharArray();
            } catch (NoSuchFileException e) {
                throw new IOException("password file " + file + " does not exist", e);
            } catch (AccessDeniedException e) {
                throw new IOException("password file " + file + " cannot be read: permission denied", e);
            } catch (IOException e) {
                throw new IOException("password file " + file + " cannot be read: " + e, e);
            }
        }

        @Override
        public String toString() {
            return value != null ? "password (given)"
                    : variable != null ? "password from environment variable " + variable
                    : "password from file " + file;
        }
    }

    /** Collects TLS options, checking each as it is set; {@link #build()} checks how they fit together. */
    public static final class Builder {
        private Path keyStore;
        private Password keyStorePassword;
        private Path certificateChain;
        private Path privateKey;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path trustStore;
        private Password trustStorePassword;
        private List<String> applicationProtocols = List.of();
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Key material from a PKCS#12 key store; {@code password} opens the store and its key. */
        public Builder keyStore(Path file, Password password) {
            this.keyStore = Objects.requireNonNull(file, "keyStore");
            this.keyStorePassword = Objects.requireNonNull(password, "keyStore password");
            return this;
        }

        /** Key material from PEM: the certificate chain (leaf first) and its unencrypted PKCS#8 key. */
        public Builder certificate(Path chain, Path privateKey) {
            this.certificateChain = Objects.requireNonNull(chain, "certificate chain");
            this.privateKey = Objects.requireNonNull(privateKey, "private key");
            return this;
        }

        /** Protocol versions to offer, for example {@code "TLSv1.3"}; at least one. */
        public Builder protocols(String... protocols) {
            List<String> list = List.of(protocols);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("protocols must name at least one of " + known());
            }
            for (String p : list) {
                if (!KNOWN_PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException("unknown TLS protocol '" + p + "'; known: " + known());
                }
            }
            this.protocols = list.stream().distinct().toList();
            return this;
        }

        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /** Client certificates must chain to a certificate in this PKCS#12 store. */
        public Builder trustStore(Path file, Password password) {
            this.trustStore = Objects.requireNonNull(file, "trustStore");
            this.trustStorePassword = Objects.requireNonNull(password, "trustStore password");
            return this;
        }

        /** Client certificates must chain to one of the certificates in this PEM file. */
        public Builder trustedCertificates(Path pemBundle) {
            this.trustStore = Objects.requireNonNull(pemBundle, "trustedCertificates");
            this.trustStorePassword = null;
            return this;
        }

        /** ALPN protocol names, most preferred first, for example {@code "h2", "http/1.1"}. */
        public Builder applicationProtocols(String... names) {
            for (String name : names) {
                Objects.requireNonNull(name, "application protocol");
                int length = name.getBytes(StandardCharsets.UTF_8).length;
                if (length < 1 || length > 255) {
                    throw new IllegalArgumentException(
                            "an ALPN protocol name is 1 to 255 bytes: '" + name + "' (" + length + ")");
                }
            }
            this.applicationProtocols = List.of(names).stream().distinct().toList();
            return this;
        }

        /** How long the whole handshake may take, and any read in it; at least 1 ms. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = OptionChecks.timeout("handshakeTimeout", timeout, false);
            return this;
        }

        /** @throws IllegalArgumentException when the options do not fit together */
        public TlsConfig build() {
            if (keyStore == null && certificateChain == null) {
                throw new IllegalArgumentException(
                        "TLS needs key material: a PKCS#12 keyStore, or a PEM certificate and private key");
            }
            if (keyStore != null && certificateChain != null) {
                throw new IllegalArgumentException("TLS takes a keyStore or a PEM certificate, not both: "
                        + keyStore + " and " + certificateChain);
            }
            if (clientAuth != ClientAuth.NONE && trustStore == null) {
                throw new IllegalArgumentException("clientAuth " + clientAuth
                        + " needs a trustStore or trustedCertificates to check client certificates against");
            }
            if (clientAuth == ClientAuth.NONE && trustStore != null) {
                throw new IllegalArgumentException("a trust store (" + trustStore
                        + ") is given but clientAuth is NONE: set clientAuth REQUESTED or REQUIRED");
            }
            return new TlsConfig(this);
        }

        private static String known() {
            return "TLSv1.3, TLSv1.2, TLSv1.1, TLSv1";
        }
    }
}
