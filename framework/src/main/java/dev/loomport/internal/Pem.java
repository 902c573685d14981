package dev.loomport.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and PKCS#8 private keys from PEM text. The JDK's own PEM API is a preview in JDK 25, so
 * this reads the armour itself: base64 between {@code -----BEGIN X-----} and {@code -----END X-----},
 * with anything around the blocks (such as the "Bag Attributes" openssl writes) ignored.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private record Block(String label, String body) {
    }

    private Pem() {
    }

    /** Every {@code CERTIFICATE} block of {@code text}, in order. */
    static List<X509Certificate> certificates(String what, Path file, String text) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(text)) {
                if (block.label.equals("CERTIFICATE")) {
                    byte[] der = decode(what, file, block);
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                }
            }
        } catch (CertificateException e) {
            throw new IOException(what + " " + file + ": not a valid certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(what + " " + file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return certificates;
    }

    /**
     * The one {@code PRIVATE KEY} block of {@code text}. Keys in the other common PEM forms get an error
     * that says how to convert them, since guessing at them would be worse than asking once.
     *
     * @param algorithm the certificate's key algorithm, tried first
     */
    static PrivateKey privateKey(Path file, String text, String algorithm) throws IOException {
        Set<String> labels = new LinkedHashSet<>();
        Block found = null;
        for (Block block : blocks(text)) {
            labels.add(block.label);
            if (block.label.equals("PRIVATE KEY")) {
                found = block;
            }
        }
        String convert = "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem";
        if (found == null) {
            String what = "TLS private key " + file + ": ";
            if (labels.contains("ENCRYPTED PRIVATE KEY")) {
                throw new IOException(what + "the key is encrypted; loomport reads unencrypted PKCS#8"
                        + " (keep the file readable only by the server's user). Decrypt it with: "
                        + "openssl pkcs8 -in " + file + " -out key-pkcs8.pem");
            }
            for (String old : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY")) {
                if (labels.contains(old)) {
                    throw new IOException(what + "the key is in the older " + old.replace(" PRIVATE KEY", "")
                            + " form (-----BEGIN " + old + "-----); loomport reads PKCS#8"
                            + " (-----BEGIN PRIVATE KEY-----). Convert it with: " + convert);
                }
            }
            throw new IOException(what + "no PEM private key (-----BEGIN PRIVATE KEY-----) in it"
                    + (labels.isEmpty() ? "" : "; found: " + String.join(", ", labels)));
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(decode("TLS private key", file, found));
        Set<String> algorithms = new LinkedHashSet<>();
        algorithms.add(algorithm);
        algorithms.addAll(List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA"));
        for (String candidate : algorithms) {
            try {
                return KeyFactory.getInstance(candidate).generatePrivate(spec);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not this algorithm: try the next. (JDK 27's key decoders throw IllegalArgumentException,
                // unchecked, for some malformed DER, where earlier JDKs threw InvalidKeySpecException.)
            }
        }
        throw new IOException("TLS private key " + file + ": not a PKCS#8 key of a known algorithm ("
                + String.join(", ", algorithms) + ")");
    }

    /**
     * Whether {@code key} belongs to {@code certificate}: a signature made with one verifies with the
     * other. Unknown algorithms pass; the handshake will tell.
     */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = "loomport key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }

    private static byte[] decode(String what, Path file, Block block) throws IOException {
        String body = block.body;
        if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
            throw new IOException(what + " " + file + ": the " + block.label + " block is encrypted with"
                    + " a legacy header (Proc-Type); write it without a passphrase");
        }
        try {
            return Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " " + file + ": the " + block.label + " block is not valid base64: "
                    + e.getMessage(), e);
        }
    }
}
