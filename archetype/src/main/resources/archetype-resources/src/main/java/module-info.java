/**
 * The loomport plug-in {@code ${handlerName}}: the launcher finds ${package}.${className}Plugin through the
 * {@code provides} line below when the jar is in its plugins directory or on its module path (and through
 * META-INF/services when it runs on the class path).
 */
module ${package} {
    requires dev.loomport;

    provides dev.loomport.spi.HandlerPlugin with ${package}.${className}Plugin;
}
