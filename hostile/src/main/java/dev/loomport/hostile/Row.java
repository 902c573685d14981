package dev.loomport.hostile;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One attack's line in the table: what was done, what was measured, and every verdict checked. The
 * row passes when every verdict holds; verdicts tied to an open {@link KnownDefect} are allowed to fail.
 */
record Row(String attack, String setting, int connections, long bytes, long peakRss, Duration timeToClose,
        List<Check> checks) {

    /** One verdict: what must hold, whether it did, the figure measured, and the defect it proves. */
    record Check(String what, boolean ok, String measured, KnownDefect defect) {
        static Check of(String what, boolean ok, String measured) {
            return new Check(what, ok, measured, KnownDefect.NONE);
        }

        static Check known(KnownDefect defect, String what, boolean ok, String measured) {
            return new Check(what, ok, measured, defect);
        }

        boolean expectedToFail() {
            return defect.open;
        }

        String describe() {
            String state = ok ? (expectedToFail() ? "PASSES (flip " + defect + " in KnownDefect)" : "ok")
                    : expectedToFail() ? "fails, " + defect.label() : "FAILS";
            return what + ": " + state + " (" + measured + ")";
        }
    }

    enum Status { PASS, KNOWN_DEFECT, FAIL }

    Status status() {
        if (checks.stream().anyMatch(c -> !c.ok() && !c.expectedToFail())) {
            return Status.FAIL;
        }
        return checks.stream().anyMatch(c -> !c.ok()) ? Status.KNOWN_DEFECT : Status.PASS;
    }

    /** The verdict column: "pass", "FAIL: ...", or "known defect N: ..." with the failing checks named. */
    String verdict() {
        return switch (status()) {
            case PASS -> "pass" + flips();
            case FAIL -> "**FAIL**: " + failing(false);
            case KNOWN_DEFECT -> "expected to fail until fixed: " + failing(true) + flips();
        };
    }

    private String failing(boolean known) {
        return checks.stream().filter(c -> !c.ok() && c.expectedToFail() == known)
                .map(c -> (known ? "defect " + c.defect().issueItem + ", " : "") + c.what() + " (" + c.measured() + ")")
                .collect(Collectors.joining("; "));
    }

    private String flips() {
        String passing = checks.stream().filter(c -> c.ok() && c.expectedToFail())
                .map(c -> "defect " + c.defect().issueItem + " verdict passes: flip " + c.defect())
                .collect(Collectors.joining("; "));
        return passing.isEmpty() ? "" : " (" + passing + ")";
    }
}
