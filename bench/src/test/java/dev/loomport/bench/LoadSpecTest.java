package dev.loomport.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadSpecTest {

    @Test
    void wordsRoundTripSoTheGeneratorGetsExactlyWhatTheRunnerMeant() {
        for (Workload w : Workload.full()) {
            LoadSpec spec = w.spec(4242, 2, 8);
            assertEquals(spec, LoadSpec.parse(spec.words()));
        }
    }

    @Test
    void badValuesAreNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LoadSpec.parse("workload=pingpong", "port=1", "connections=30000"));
        assertEquals("connections out of range 1..19500: 30000", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadSpec.parse("workload=flood", "port=1"));
        assertEquals("workload must be pingpong, churn or rate: 'flood'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadSpec.parse("workload=rate", "port=1"));
        assertTrue(e.getMessage().startsWith("rate mode needs rate > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadSpec.parse("workload=churn", "port=1", "colour=red"));
        assertEquals("unknown load keys: [colour]", e.getMessage());
    }

    @Test
    void medianAndRangeIgnoreRunsThatProducedNothing() {
        Workload w = Workload.full().get(0);
        List<RunResult> runs = List.of(run(w, 300), run(w, 100), run(w, 200), RunResult.failed(4, 1, "s", w, "boom"));
        Stats s = Stats.of(runs, RunResult::opsPerSecond);
        assertEquals(new Stats(200, 100, 300, 3), s);
        assertEquals(2.0, s.ratio(new Stats(100, 100, 100, 1)));
        assertTrue(Double.isNaN(s.ratio(Stats.NONE)));
        assertEquals(new Stats(150, 100, 200, 2), Stats.of(runs.subList(1, 3), RunResult::opsPerSecond));
    }

    private static RunResult run(Workload w, double opsPerSecond) {
        return RunResult.of(1, 1, "s", w, Runner.words("ops=" + (long) (opsPerSecond * 4) + " seconds=4 connected=100 "
                + "served=0 errors=0 p50=1 p90=2 p99=3 p999=4 max=5 gen_cpu=1"), 1.0, 3.0, 1000, 2000);
    }
}
