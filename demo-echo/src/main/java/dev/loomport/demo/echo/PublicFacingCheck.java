package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.ListenerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The launcher's one warning at start when a listener bound to an address other than loopback runs
 * without {@code preset=public}: the defaults suit loopback and a balancer in front, and leave a
 * directly exposed port open to slowloris and to one host taking every slot (docs/limits.md).
 */
final class PublicFacingCheck {
    private PublicFacingCheck() {
    }

    /**
     * The warning for these listeners, each config with the listener it bound (same order), or empty when
     * every one is on loopback or has the preset.
     */
    static Optional<String> warning(List<ListenerConfig> configs, List<BoundListener> bound) {
        List<String> exposed = new ArrayList<>();
        for (int i = 0; i < Math.min(configs.size(), bound.size()); i++) {
            BoundListener listener = bound.get(i);
            if (!configs.get(i).publicFacing() && !listener.address().getAddress().isLoopbackAddress()) {
                exposed.add(listener.name() + " (" + listener.hostAndPort() + ")");
            }
        }
        if (exposed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("loomport: warning: " + String.join(", ", exposed) + (exposed.size() == 1 ? " is" : " are")
                + " bound beyond loopback without preset=public: the defaults suit loopback and a balancer in"
                + " front, not clients straight from the internet (see docs/limits.md)");
    }
}
