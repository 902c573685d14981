package dev.loomport.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JDK the servers can run on: its {@code java} and its version (from the home's {@code release} file). */
record Jdk(Path java, String version) {
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"([^\"]+)\"");

    /** The JDK this runner runs on: the default one, which the reference server uses. */
    static Jdk current() {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        return new Jdk(java, Runtime.version().toString().replaceFirst("\\+.*", ""));
    }

    /** The JDK installed at {@code home}; fails naming the home when it has no java or no release file. */
    static Jdk at(Path home) throws IOException {
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            throw new IOException("--jdk " + home + ": no executable bin/java there");
        }
        Path release = home.resolve("release");
        Matcher m = VERSION.matcher(Files.exists(release) ? Files.readString(release) : "");
        if (!m.find()) {
            throw new IOException("--jdk " + home + ": no JAVA_VERSION in " + release);
        }
        return new Jdk(java, m.group(1));
    }

    /** The feature release, "21" for 21.0.13: what server names carry ({@code loomport@21}). */
    String feature() {
        return version.replaceFirst("[.+-].*", "");
    }
}
