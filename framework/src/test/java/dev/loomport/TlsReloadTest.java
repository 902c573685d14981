package dev.loomport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomport.TestCerts.Cert;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading key material is each server's own affair. */
class TlsReloadTest {
    @TempDir
    Path dir;

    /** A reload stuck reading its password (here from a named pipe nobody writes yet) holds up its server only. */
    @Test
    void aSlowReloadHoldsUpNoOtherServersReload() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mkfifo")), "needs mkfifo");
        Cert cert = TestCerts.generate(dir, "reload", "EC");
        Path passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, TestCerts.PASSWORD);
        try (Server slow = start(TlsConfig.builder().keyStore(cert.p12(), TlsConfig.Password.fromFile(passwordFile)));
             Server other = start(TlsConfig.builder()
                     .keyStore(cert.p12(), TlsConfig.Password.of(TestCerts.PASSWORD.toCharArray())))) {
            Files.delete(passwordFile);
            Process mkfifo = new ProcessBuilder("/usr/bin/mkfifo", passwordFile.toString()).start();
            assertEquals(0, mkfifo.waitFor());
            Thread reloading = Thread.ofPlatform().name("slow reload").start(() -> {
                try {
                    slow.reloadTls();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                // The slow reload is reading the password: it holds whatever reloads hold.
                await().until(() -> Arrays.stream(reloading.getStackTrace())
                        .anyMatch(f -> f.getClassName().endsWith("TlsConfig$Password")));
                CompletableFuture<List<String>> otherReload = CompletableFuture.supplyAsync(() -> {
                    try {
                        return other.reloadTls();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                assertEquals(List.of("echo"), otherReload.get(TestClients.TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            } finally {
                try (OutputStream pipe = Files.newOutputStream(passwordFile)) { // lets the slow reload finish
                    pipe.write(TestCerts.PASSWORD.getBytes(StandardCharsets.UTF_8));
                }
                reloading.join(TestClients.TIMEOUT.toMillis());
            }
        }
    }

    private static Server start(TlsConfig.Builder tls) throws IOException {
        return Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").tls(tls.build()).build())
                .plugin(TestHandlers.echo())
                .build());
    }
}
