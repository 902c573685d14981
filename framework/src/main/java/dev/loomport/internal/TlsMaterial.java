package dev.loomport.internal;

import dev.loomport.TlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads a {@link TlsConfig}'s files into an {@link SSLContext}. Every failure is an {@link IOException}
 * whose message names the file and says what is wrong with it, since it is what an operator reads when
 * a server will not start or a reload is refused.
 */
final class TlsMaterial {
    private static final System.Logger LOG = System.getLogger(TlsMaterial.class.getName());
    /** Protects the in-memory store made from PEM files; it never leaves this process. */
    private static final char[] MEMORY_PASSWORD = "loomport".toCharArray();

    private TlsMaterial() {
    }

    /** A fresh context with the key material and trust store as the files hold them now. */
    static SSLContext load(TlsConfig tls) throws IOException {
        KeyManager[] keyManagers = keyManagers(tls);
        TrustManager[] trustManagers = tls.trustStore().isPresent() ? trustManagers(tls) : null;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(TlsConfig tls) throws IOException {
        KeyStore store;
        char[] password;
        Path where;
        if (tls.keyStore().isPresent()) {
            where = tls.keyStore().get();
            password = password("TLS key store " + where, tls.keyStorePassword().get());
            store = pkcs12("TLS key store", where, password);
            checkHasKey(store, where);
        } else {
            where = tls.privateKey().get();
            store = fromPem(tls.certificateChain().get(), where);
            password = MEMORY_PASSWORD;
        }
        warnIfNotValidNow(store, where);
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (UnrecoverableKeyException e) {
            throw new IOException("TLS key store " + where + ": the private key has a password different from"
                    + " the store's; loomport opens both with the one password", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS key store " + where + ": " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(TlsConfig tls) throws IOException {
        Path file = tls.trustStore().get();
        KeyStore store;
        if (tls.trustStorePassword().isPresent()) {
            store = pkcs12("TLS trust store", file, password("TLS trust store " + file, tls.trustStorePassword().get()));
        } else {
            List<X509Certificate> certificates = Pem.certificates("TLS trusted certificates", file, text(
                    "TLS trusted certificates", file));
            store = emptyStore();
            try {
                for (int i = 0; i < certificates.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, certificates.get(i));
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("TLS trusted certificates " + file + ": " + e.getMessage(), e);
            }
        }
        try {
            if (Collections.list(store.aliases()).stream().noneMatch(a -> isCertificate(store, a))) {
                throw new IOException("TLS trust store " + file + " holds no certificate to trust");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS trust store " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isCertificate(KeyStore store, String alias) {
        try {
            return store.getCertificate(alias) != null;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore fromPem(Path chainFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = Pem.certificates("TLS certificate", chainFile, text("TLS certificate", chainFile));
        X509Certificate leaf = chain.getFirst();
        PrivateKey key = Pem.privateKey(keyFile, text("TLS private key", keyFile), leaf.getPublicKey().getAlgorithm());
        if (!Pem.matches(key, leaf.getPublicKey())) {
            throw new IOException("TLS private key " + keyFile + " does not belong to the certificate in "
                    + chainFile + " (" + leaf.getSubjectX500Principal() + "); the leaf certificate must come first");
        }
        KeyStore store = emptyStore();
        try {
            store.setKeyEntry("server", key, MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS private key " + keyFile + ": " + e.getMessage(), e);
        }
        return store;
    }

    private static KeyStore pkcs12(String what, Path file, char[] password) throws IOException {
        byte[] bytes = bytes(what, file);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IOException(what + " " + file + ": wrong password (or the file is damaged)", e);
            }
            throw new IOException(what + " " + file + ": not a readable PKCS#12 store (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IOException(what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkHasKey(KeyStore store, Path file) throws IOException {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS key store " + file + ": " + e.getMessage(), e);
        }
        throw new IOException("TLS key store " + file + " holds no private key, only certificates");
    }

    /** An expired certificate still loads (the operator may be about to reload) but is worth a warning. */
    private static void warnIfNotValidNow(KeyStore store, Path file) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
                    try {
                        c.checkValidity();
                    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                        LOG.log(Level.WARNING, "TLS certificate " + c.getSubjectX500Principal() + " in " + file
                                + " is valid only from " + c.getNotBefore().toInstant() + " to "
                                + c.getNotAfter().toInstant() + ": clients will refuse it");
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            LOG.log(Level.DEBUG, () -> "cannot check the validity of " + file + ": " + e);
        }
    }

    private static KeyStore emptyStore() throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a PKCS#12 key store: " + e.getMessage(), e);
        }
    }

    private static char[] password(String what, TlsConfig.Password password) throws IOException {
        try {
            return password.read();
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private static String text(String what, Path file) throws IOException {
        return new String(bytes(what, file), StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String what, Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(what + " " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new IOException(what + " " + file + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new IOException(what + " " + file + " cannot be read: " + e, e);
        }
    }
}
