/**
 * What a plug-in implements. A {@link dev.loomport.spi.HandlerPlugin} is what {@link java.util.ServiceLoader}
 * finds: it names a protocol, declares its options and creates, once per listener, the
 * {@link dev.loomport.spi.ConnectionHandler} that serves each {@link dev.loomport.spi.Connection} on a
 * virtual thread of its own. A handler may run subtasks in a {@link dev.loomport.spi.TaskScope} that never
 * outlives it, and read and write bounded frames with {@link dev.loomport.io.FrameReader} and
 * {@link dev.loomport.io.FrameWriter}.
 *
 * <p>A complete plug-in is a module with a plug-in class, a handler and a {@code module-info}:
 * {@snippet :
 * module com.example.greet {
 *     requires dev.loomport;
 *     provides dev.loomport.spi.HandlerPlugin with com.example.greet.GreetPlugin;
 * }
 * }
 * See {@code docs/plugins.md} for the whole path: writing, testing, building and running one.
 */
package dev.loomport.spi;
