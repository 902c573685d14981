package dev.loomport.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** Median and range of one figure over the repeats of one server under one workload. */
record Stats(double median, double min, double max, int n) {
    static final Stats NONE = new Stats(Double.NaN, Double.NaN, Double.NaN, 0);

    static Stats of(List<RunResult> runs, ToDoubleFunction<RunResult> figure) {
        double[] v = runs.stream().filter(RunResult::ok).mapToDouble(figure).filter(d -> !Double.isNaN(d))
                .sorted().toArray();
        if (v.length == 0) {
            return NONE;
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Stats(median, v[0], v[v.length - 1], v.length);
    }

    boolean present() {
        return n > 0;
    }

    /** This median over the reference's; NaN when either is missing. */
    double ratio(Stats reference) {
        return present() && reference.present() && reference.median != 0 ? median / reference.median : Double.NaN;
    }
}
