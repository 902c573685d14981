/**
 * What a plug-in implements: a {@link dev.loomport.spi.ConnectionHandler} serves each
 * {@link dev.loomport.spi.Connection} on a virtual thread of its own, and may run subtasks in a
 * {@link dev.loomport.spi.TaskScope} that never outlives it.
 *
 * <p>A complete plug-in is a module with one class and a {@code module-info}:
 * {@snippet :
 * module com.example.greet {
 *     requires dev.loomport;
 *     provides dev.loomport.spi.ConnectionHandler with com.example.greet.GreetHandler;
 * }
 * }
 * See {@code docs/plugins.md} for building and running one.
 */
package dev.loomport.spi;
