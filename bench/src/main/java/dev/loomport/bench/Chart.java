package dev.loomport.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The picture beside docs/performance.md, four JFreeChart panels in one PNG (medians of the repeats):
 * ping-pong throughput by connection count, every workload's throughput ÷ Netty epoll, p99 latency, and the
 * JDK-by-JDK panel (each server that ran on several JDKs, per JDK, ÷ Netty epoll on the default JDK).
 */
final class Chart {
    private static final int W = 1600;
    private static final int H = 1200;

    private Chart() {
    }

    static void write(Path file, List<RunResult> results, List<ServerKind> servers, List<Workload> workloads)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<ServerKind> defaultJdk = servers.stream().filter(s -> !s.name().contains("@")).toList();
        List<ServerKind> matrix = servers.stream().filter(onSeveralJdks(servers)).toList();
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString("Echo on loopback, 2 cores: medians of the repeats (Netty epoll on the default JDK = 1.0)", 20, 28);
            byConnections(results, defaultJdk, workloads).draw(g, new Rectangle2D.Double(0, 40, W / 2.0, 560));
            ratios("Throughput ÷ Netty epoll, default JDK", results, defaultJdk, workloads)
                    .draw(g, new Rectangle2D.Double(W / 2.0, 40, W / 2.0, 560));
            p99(results, defaultJdk, workloads).draw(g, new Rectangle2D.Double(0, 620, W / 2.0, 580));
            ratios("JDK by JDK: throughput ÷ Netty epoll on the default JDK", results,
                    matrix.isEmpty() ? defaultJdk : matrix, workloads)
                    .draw(g, new Rectangle2D.Double(W / 2.0, 620, W / 2.0, 580));
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    /** Servers whose family ran on more than one JDK in this run. */
    private static Predicate<ServerKind> onSeveralJdks(List<ServerKind> servers) {
        return s -> servers.stream().filter(o -> o.family().equals(s.family())).count() > 1;
    }

    private static JFreeChart byConnections(List<RunResult> results, List<ServerKind> servers, List<Workload> workloads) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (ServerKind s : servers) {
            XYSeries series = new XYSeries(s.name());
            for (Workload wl : workloads) {
                if (wl.kind().equals("pingpong") && wl.size() == 64) {
                    Stats ops = Report.stats(results, s.name(), wl.name(), RunResult::opsPerSecond);
                    if (ops.present()) {
                        series.add(wl.connections(), ops.median());
                    }
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Ping-pong 64 B: round trips per second by connections",
                "connections", "round trips / s", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().setDomainAxis(log("connections"));
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    private static JFreeChart ratios(String title, List<RunResult> results, List<ServerKind> servers,
                                     List<Workload> workloads) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Workload wl : workloads) {
            Stats ref = Report.stats(results, ServerKind.REFERENCE, wl.name(), RunResult::opsPerSecond);
            for (ServerKind s : servers) {
                double r = Report.stats(results, s.name(), wl.name(), RunResult::opsPerSecond).ratio(ref);
                data.addValue(Double.isNaN(r) ? null : r, s.name(), wl.name());
            }
        }
        JFreeChart chart = bars(title, "× Netty epoll", data);
        ((CategoryPlot) chart.getPlot()).addRangeMarker(new ValueMarker(1.0, Color.BLACK, new java.awt.BasicStroke(1.5f)));
        return chart;
    }

    private static JFreeChart p99(List<RunResult> results, List<ServerKind> servers, List<Workload> workloads) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Workload wl : workloads) {
            for (ServerKind s : servers) {
                Stats p99 = Report.stats(results, s.name(), wl.name(), RunResult::p99);
                data.addValue(p99.present() && p99.median() > 0 ? p99.median() : null, s.name(), wl.name());
            }
        }
        JFreeChart chart = bars("p99 latency (µs, log scale; lower is better)", "µs", data);
        ((CategoryPlot) chart.getPlot()).setRangeAxis(log("µs"));
        return chart;
    }

    /** A log axis labelled in plain numbers (10, 100, 1,000), not powers. */
    private static LogarithmicAxis log(String label) {
        LogarithmicAxis axis = new LogarithmicAxis(label);
        axis.setStrictValuesFlag(false);
        axis.setExpTickLabelsFlag(false);
        axis.setAllowNegativesFlag(false);
        return axis;
    }

    private static JFreeChart bars(String title, String axis, DefaultCategoryDataset data) {
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, true, false,
                false);
        CategoryPlot plot = (CategoryPlot) chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.02);
        return chart;
    }
}
