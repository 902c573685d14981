package dev.loomport.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every attack, in the order the table lists them; {@link #select} picks some by name. */
final class Suite {
    private Suite() {
    }

    static List<Attack> all() {
        List<Attack> all = new ArrayList<>();
        all.addAll(SlowAttacks.all());
        all.addAll(StreamAttacks.all());
        all.addAll(ConnectionAttacks.all());
        all.addAll(ProtocolAttacks.all());
        all.addAll(ShutdownAttacks.all());
        return List.copyOf(all);
    }

    /** The attacks named in {@code names}, or all of them if it is empty; an unknown name is an error. */
    static List<Attack> select(Set<String> names) {
        List<Attack> all = all();
        List<String> known = all.stream().map(Attack::name).toList();
        for (String name : names) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("no attack named '" + name + "'; available: "
                        + String.join(", ", known));
            }
        }
        return names.isEmpty() ? all : all.stream().filter(a -> names.contains(a.name())).toList();
    }
}
