/**
 * Bounded framing for protocol handlers: {@link dev.loomport.io.FrameReader} reads lines, length-prefixed
 * frames and fixed-size blocks from a connection's input with a limit on each, and
 * {@link dev.loomport.io.FrameWriter} writes them. A frame over its limit is a
 * {@link dev.loomport.io.FrameTooLargeException}, which loomport counts as its own outcome
 * ({@code frame-too-large}); an end of stream inside a frame is a
 * {@link dev.loomport.io.TruncatedFrameException}.
 *
 * {@snippet :
 * FrameReader in = new FrameReader(connection.input());
 * FrameWriter out = new FrameWriter(connection.output());
 * for (String line; (line = in.readLine(1024)) != null; ) {
 *     out.writeLine("you said: " + line);
 *     out.flush();
 * }
 * }
 */
package dev.loomport.io;
