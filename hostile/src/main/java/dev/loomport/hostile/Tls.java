package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of the attacks: a throw-away self-signed key store for the demo (made with the JDK's
 * {@code keytool}, as the README does), a client context that trusts exactly it, and ClientHello
 * records built by hand for protocol versions the JDK's own client will no longer offer.
 */
final class Tls {
    static final String PASSWORD_ENV = "HOSTILE_TLS_PASSWORD";
    static final String PASSWORD = "hostile-suite";

    private final Path keystore;
    private final SSLContext client;

    private Tls(Path keystore, SSLContext client) {
        this.keystore = keystore;
        this.client = client;
    }

    /** Makes a key store in {@code dir} with {@code javaHome}'s keytool and a client context trusting it. */
    static Tls create(Path javaHome, Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("hostile.p12");
        Files.deleteIfExists(keystore);
        ProcessBuilder keytool = new ProcessBuilder(javaHome.resolve("bin/keytool").toString(), "-genkeypair",
                "-alias", "hostile", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass:env", PASSWORD_ENV).redirectErrorStream(true);
        keytool.environment().put(PASSWORD_ENV, PASSWORD);
        Process p = keytool.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return new Tls(keystore, context);
    }

    /** The listener keys that make a demo listener serve TLS with this key store. */
    String listenerKeys() {
        return "tls-keystore=" + keystore + ",tls-password-env=" + PASSWORD_ENV;
    }

    /** Wraps a connected socket and completes a handshake. */
    SSLSocket handshake(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) client.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        ssl.startHandshake();
        return ssl;
    }

    /** The old protocol versions a server must refuse, as {version, name}. */
    static final List<Object[]> OLD_VERSIONS = List.of(
            new Object[] {0x0300, "SSLv3"}, new Object[] {0x0301, "TLSv1"}, new Object[] {0x0302, "TLSv1.1"});

    /**
     * A minimal ClientHello record at {@code version} (0x0300 SSLv3 .. 0x0302 TLS 1.1): random, no session,
     * three CBC suites those versions know, null compression, no extensions.
     */
    static byte[] oldClientHello(int version) {
        int[] suites = {0x002f, 0xc009, 0xc013}; // RSA/ECDHE with AES-128-CBC-SHA
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + suites.length * 2 + 2);
        body.putShort((short) version);
        for (int i = 0; i < 32; i++) {
            body.put((byte) (i * 7 + 1));
        }
        body.put((byte) 0); // session id length
        body.putShort((short) (suites.length * 2));
        for (int s : suites) {
            body.putShort((short) s);
        }
        body.put((byte) 1).put((byte) 0); // one compression method: null
        byte[] b = body.array();
        ByteBuffer record = ByteBuffer.allocate(5 + 4 + b.length);
        record.put((byte) 0x16).putShort((short) version).putShort((short) (4 + b.length));
        record.put((byte) 1).put((byte) 0).putShort((short) b.length).put(b); // ClientHello, 24-bit length
        return record.array();
    }

    /** An SSLv2-format ClientHello (the two-byte header with the high bit set), which TLS 1.2+ never reads. */
    static byte[] sslv2ClientHello() {
        byte[] hello = {(byte) 0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
            0x01, 0x00, (byte) 0x80, 0x02, 0x00, (byte) 0x80, 0x03, 0x00, (byte) 0x80, 0x04, 0x00, (byte) 0x80,
            0x06, 0x00, 0x40, 0x07, 0x00, (byte) 0xc0, 0x00, 0x00, 0x00};
        byte[] withChallenge = new byte[hello.length + 16];
        System.arraycopy(hello, 0, withChallenge, 0, hello.length);
        return withChallenge;
    }
}
