package dev.loomport;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throwaway certificates made by the JDK's keytool in a test's temporary directory (no private key is
 * ever committed), and JDK TLS clients that trust them.
 */
final class TestCerts {
    static final String PASSWORD = "test-password";

    /** A self-signed certificate: its PKCS#12 store, and the same certificate and key as PEM. */
    record Cert(String name, Path p12, Path certPem, Path keyPem, X509Certificate certificate) {
        String subject() {
            return certificate.getSubjectX500Principal().getName();
        }
    }

    private TestCerts() {
    }

    /** keytool -genkeypair; {@code keyAlgorithm} is RSA, EC or Ed25519. */
    static Cert generate(Path dir, String name, String keyAlgorithm) throws IOException, InterruptedException {
        Path p12 = dir.resolve(name + ".p12");
        List<String> command = new ArrayList<>(List.of(keytool(), "-genkeypair", "-alias", name,
                "-keyalg", keyAlgorithm, "-dname", "CN=" + name, "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (keyAlgorithm.equals("RSA")) {
            command.addAll(List.of("-keysize", "2048"));
        }
        run(command);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, PASSWORD.toCharArray());
            }
            X509Certificate certificate = (X509Certificate) store.getCertificate(name);
            PrivateKey key = (PrivateKey) store.getKey(name, PASSWORD.toCharArray());
            Path certPem = dir.resolve(name + "-cert.pem");
            Path keyPem = dir.resolve(name + "-key.pem");
            Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()), US_ASCII);
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), US_ASCII);
            return new Cert(name, p12, certPem, keyPem, certificate);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("failed: " + String.join(" ", command) + "\n" + new String(output, US_ASCII));
        }
    }

    /** A client context that trusts {@code trusted} and, if {@code own} is given, presents it. */
    static SSLContext clientContext(List<Cert> trusted, Cert own) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Cert c : trusted) {
            trust.setCertificateEntry(c.name(), c.certificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (own != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(own.p12())) {
                keys.load(in, PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    static SSLContext clientContext(Cert trusted) throws Exception {
        return clientContext(List.of(trusted), null);
    }

    /** Connects and completes the handshake, offering only {@code protocols} (all enabled if none). */
    static SSLSocket connect(SSLContext context, InetSocketAddress address, List<String> alpn, String... protocols)
            throws IOException {
        Socket plain = TestClients.connect(address);
        SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, "localhost", address.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        if (!alpn.isEmpty()) {
            parameters.setApplicationProtocols(alpn.toArray(new String[0]));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    static SSLSocket connect(SSLContext context, Server server, String... protocols) throws IOException {
        return connect(context, server.listeners().getFirst().address(), List.of(), protocols);
    }
}
