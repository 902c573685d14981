package dev.loomport.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the PEM reader with the text of a certificate or key file, decoded as {@link TlsMaterial} does
 * (US-ASCII). The first input byte picks the reader: even for {@link Pem#certificates}, odd for
 * {@link Pem#privateKey}. Each must return what it promises or throw an {@link IOException} whose message
 * names the file; any other exception is a bug. Committed seeds ({@code PemFuzzTestInputs/readsPem/}) are
 * certificates and key files that hold no key; private keys are made here at run time (see {@link #keys}),
 * since no private key is ever committed.
 */
class PemFuzzTest {
    private static final Path FILE = Path.of("fuzz-input.pem");
    private static final Map<String, PublicKey> OTHER_KEYS = new HashMap<>();

    @MethodSource("keys")
    @FuzzTest
    void readsPem(byte[] input) {
        if (input.length == 0) {
            return;
        }
        String text = new String(input, 1, input.length - 1, US_ASCII);
        try {
            if ((input[0] & 1) == 0) {
                List<X509Certificate> certificates = Pem.certificates("TLS certificate", FILE, text);
                assertFalse(certificates.isEmpty());
                certificates.forEach(c -> assertNotNull(c.getPublicKey()));
            } else {
                PrivateKey key = Pem.privateKey(FILE, text, "RSA");
                assertNotNull(key.getAlgorithm());
                Pem.matches(key, otherKey(key.getAlgorithm())); // must answer, not throw
            }
        } catch (IOException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains(FILE.toString()), "the message names the file: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            // only the fuzz test's own key pair generator: no key generator for this algorithm
        }
    }

    /** A public key of {@code algorithm} that belongs to no fuzzed key, made once per algorithm. */
    private static PublicKey otherKey(String algorithm) throws GeneralSecurityException {
        PublicKey key = OTHER_KEYS.get(algorithm);
        if (key == null) {
            key = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPublic();
            OTHER_KEYS.put(algorithm, key);
        }
        return key;
    }

    /** PKCS#8 keys of each algorithm the reader tries, and the older labels it explains. */
    static Stream<byte[]> keys() throws GeneralSecurityException {
        Stream.Builder<byte[]> seeds = Stream.builder();
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "DSA", "RSASSA-PSS")) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.startsWith("RSA") || algorithm.equals("DSA")) {
                generator.initialize(1024); // small, to keep each execution fast
            }
            byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
            seeds.add(pem(1, "PRIVATE KEY", der));
            if (algorithm.equals("EC")) {
                seeds.add(pem(1, "EC PRIVATE KEY", Arrays.copyOf(der, 40)));
            }
        }
        return seeds.build();
    }

    private static byte[] pem(int reader, String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        String text = "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
        byte[] bytes = text.getBytes(US_ASCII);
        byte[] input = new byte[bytes.length + 1];
        input[0] = (byte) reader;
        System.arraycopy(bytes, 0, input, 1, bytes.length);
        return input;
    }
}
