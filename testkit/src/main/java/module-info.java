/**
 * loomport's test kit: {@link dev.loomport.testkit.TestServer} starts a plug-in on a real server on
 * loopback port 0, {@link dev.loomport.testkit.TestClient} talks to it in lines, length-prefixed frames or
 * raw bytes with timeouts, and {@link dev.loomport.testkit.LoomportExtension} stops both after each test,
 * failing it when a server thread outlives it.
 */
module dev.loomport.testkit {
    requires transitive dev.loomport;
    requires transitive org.junit.jupiter.api;

    exports dev.loomport.testkit;
}
