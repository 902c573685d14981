package dev.loomport.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's two C programs (the light load generator and the framework-less epoll echo server, both
 * resources beside this class), compiled with the machine's gcc when a run starts. Built at run time, not
 * shipped: nothing native is committed or downloaded, and the flags are in one place.
 */
final class Native {
    static final List<String> GCC_FLAGS = List.of("-O2", "-pthread");

    private Native() {
    }

    /** The native load generator, built into {@code dir}. */
    static Path loadGenerator(Path dir) throws IOException {
        return build(dir, "loadgen");
    }

    /** The C epoll echo server, built into {@code dir}. */
    static Path echoServer(Path dir) throws IOException {
        return build(dir, "echo");
    }

    private static Path build(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path source = dir.resolve(name + ".c");
        try (InputStream in = Native.class.getResourceAsStream("native/" + name + ".c")) {
            if (in == null) {
                throw new IOException("no resource native/" + name + ".c beside " + Native.class.getName());
            }
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of("gcc"));
        command.addAll(GCC_FLAGS);
        command.addAll(List.of("-o", binary.toString(), source.toString()));
        Process gcc;
        try {
            gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run gcc to build " + source + " (the native generator and echo server need"
                    + " it; --generator java avoids the generator): " + e.getMessage(), e);
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                gcc.destroyForcibly();
                throw new IOException("gcc failed on " + source + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while gcc built " + source, e);
        }
        return binary;
    }
}
