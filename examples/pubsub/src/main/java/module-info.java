/**
 * An example loomport plug-in: {@code pubsub}, publish/subscribe over lines. It shows the whole plug-in
 * path: a {@link dev.loomport.spi.HandlerPlugin} that parses options once, a handler per listener with
 * shared state released in {@code close()}, two subtasks in a first-to-finish scope, bounded line
 * framing, and a goodbye when the server drains. See docs/plugins.md.
 */
module dev.loomport.example.pubsub {
    requires dev.loomport;
    provides dev.loomport.spi.HandlerPlugin with dev.loomport.example.pubsub.PubSubPlugin;
}
