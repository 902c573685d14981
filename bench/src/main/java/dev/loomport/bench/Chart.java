package dev.loomport.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The picture beside docs/performance.md, drawn with Java2D (headless): throughput by connection count
 * for ping-pong 64 B, every workload's throughput as a ratio of Netty epoll's, and each workload's
 * latency percentiles (bar to p99, dot at p50, tick at p99.9, log scale). Medians of the repeats.
 */
final class Chart {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0x7fa7d6), new Color(0x999999),
        new Color(0xd62728), new Color(0xff9896), new Color(0x2ca02c)};
    private static final int W = 1400;
    private static final int H = 1000;

    private Chart() {
    }

    static void write(Path file, List<RunResult> results, List<ServerKind> servers, List<Workload> workloads)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString("loomport vs Netty vs platform threads: echo on loopback, 2 cores (medians of repeats)", 20, 30);
            legend(g, servers, 20, 52);
            throughputByConnections(g, results, servers, workloads, 70, 90, 580, 380);
            ratios(g, results, servers, workloads, 760, 90, 600, 380);
            latency(g, results, servers, workloads, 70, 560, 1290, 380);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    private static void legend(Graphics2D g, List<ServerKind> servers, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int i = 0; i < servers.size(); i++) {
            g.setColor(color(i));
            g.fillRect(x, y - 11, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(servers.get(i).name(), x + 20, y + 1);
            x += 40 + g.getFontMetrics().stringWidth(servers.get(i).name());
        }
    }

    private static void title(Graphics2D g, String text, int x, int y) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(text, x, y - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    private static void throughputByConnections(Graphics2D g, List<RunResult> results, List<ServerKind> servers,
                                                List<Workload> workloads, int x, int y, int w, int h) {
        List<Workload> points = workloads.stream()
                .filter(wl -> wl.kind().equals("pingpong") && wl.size() == 64).toList();
        title(g, "Ping-pong 64 B: round trips/s by connection count", x, y);
        double max = 1;
        for (ServerKind s : servers) {
            for (Workload wl : points) {
                max = Math.max(max, Report.stats(results, s.name(), wl.name(), RunResult::opsPerSecond).max());
            }
        }
        max = niceCeiling(max);
        axes(g, x, y, w, h);
        for (int t = 0; t <= 4; t++) {
            int ty = y + h - t * h / 4;
            gridLine(g, x, ty, w);
            label(g, String.format(Locale.ROOT, "%,.0f", max * t / 4), x - 6, ty + 4, true);
        }
        int n = points.size();
        for (int p = 0; p < n; p++) {
            label(g, String.format(Locale.ROOT, "%,d", points.get(p).connections()), px(x, w, p, n) + 10, y + h + 18, true);
        }
        g.setStroke(new BasicStroke(2.5f));
        for (int i = 0; i < servers.size(); i++) {
            g.setColor(color(i));
            int lastX = -1;
            int lastY = -1;
            for (int p = 0; p < n; p++) {
                Stats s = Report.stats(results, servers.get(i).name(), points.get(p).name(), RunResult::opsPerSecond);
                if (!s.present()) {
                    lastX = -1;
                    continue;
                }
                int cx = px(x, w, p, n);
                int cy = y + h - (int) (s.median() / max * h);
                g.fillOval(cx - 4, cy - 4, 9, 9);
                g.drawLine(cx, y + h - (int) (s.min() / max * h), cx, y + h - (int) (s.max() / max * h));
                if (lastX >= 0) {
                    g.drawLine(lastX, lastY, cx, cy);
                }
                lastX = cx;
                lastY = cy;
            }
        }
        g.setStroke(new BasicStroke(1));
        label(g, "connections (whiskers: min-max of the repeats)", x + w / 2 + 120, y + h + 36, true);
    }

    private static int px(int x, int w, int p, int n) {
        return x + (int) ((p + 0.5) * w / Math.max(1, n));
    }

    private static void ratios(Graphics2D g, List<RunResult> results, List<ServerKind> servers,
                               List<Workload> workloads, int x, int y, int w, int h) {
        title(g, "Throughput ÷ Netty epoll, every workload (1.0 = as fast)", x, y);
        double max = 1.5;
        for (ServerKind s : servers) {
            for (Workload wl : workloads) {
                double r = ratio(results, s.name(), wl.name());
                if (!Double.isNaN(r)) {
                    max = Math.max(max, r);
                }
            }
        }
        double top = Math.ceil(max * 2) / 2;
        axes(g, x, y, w, h);
        for (double t = 0; t <= top + 1e-9; t += 0.5) {
            int ty = y + h - (int) (t / top * h);
            gridLine(g, x, ty, w);
            label(g, String.format(Locale.ROOT, "%.1f", t), x - 6, ty + 4, true);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        int one = y + h - (int) (1 / top * h);
        g.drawLine(x, one, x + w, one);
        g.setStroke(new BasicStroke(1));
        bars(g, results, servers, workloads, x, y, w, h, (s, wl) -> {
            double r = ratio(results, s, wl);
            return Double.isNaN(r) ? -1 : r / top;
        });
    }

    private static double ratio(List<RunResult> results, String server, String workload) {
        return Report.stats(results, server, workload, RunResult::opsPerSecond)
                .ratio(Report.stats(results, ServerKind.REFERENCE, workload, RunResult::opsPerSecond));
    }

    private interface Height {
        double of(String server, String workload);
    }

    private static void bars(Graphics2D g, List<RunResult> results, List<ServerKind> servers,
                             List<Workload> workloads, int x, int y, int w, int h, Height height) {
        int groups = workloads.size();
        int groupW = w / Math.max(1, groups);
        int barW = Math.max(3, (groupW - 12) / Math.max(1, servers.size()));
        for (int k = 0; k < groups; k++) {
            int gx = x + k * groupW + 6;
            for (int i = 0; i < servers.size(); i++) {
                double f = height.of(servers.get(i).name(), workloads.get(k).name());
                if (f < 0) {
                    continue;
                }
                int bh = (int) (Math.min(1, f) * h);
                g.setColor(color(i));
                g.fillRect(gx + i * barW, y + h - bh, barW - 1, bh);
            }
            rotated(g, workloads.get(k).name(), gx + 2, y + h + 8);
        }
    }

    private static void latency(Graphics2D g, List<RunResult> results, List<ServerKind> servers,
                                List<Workload> workloads, int x, int y, int w, int h) {
        title(g, "Latency, µs (log scale): bar to p99, dot at p50, tick at p99.9", x, y);
        double lo = 10;
        double hi = 1000;
        for (RunResult r : results) {
            if (r.ok()) {
                hi = Math.max(hi, r.p999());
                lo = Math.min(lo, Math.max(1, r.p50()));
            }
        }
        double logLo = Math.floor(Math.log10(lo));
        double logHi = Math.ceil(Math.log10(hi));
        axes(g, x, y, w, h);
        for (double d = logLo; d <= logHi; d++) {
            int ty = y + h - (int) ((d - logLo) / (logHi - logLo) * h);
            gridLine(g, x, ty, w);
            label(g, String.format(Locale.ROOT, "%,.0f", Math.pow(10, d)), x - 6, ty + 4, true);
        }
        int groups = workloads.size();
        int groupW = w / Math.max(1, groups);
        int barW = Math.max(3, (groupW - 16) / Math.max(1, servers.size()));
        for (int k = 0; k < groups; k++) {
            int gx = x + k * groupW + 8;
            String wl = workloads.get(k).name();
            for (int i = 0; i < servers.size(); i++) {
                String sn = servers.get(i).name();
                Stats p50 = Report.stats(results, sn, wl, RunResult::p50);
                Stats p99 = Report.stats(results, sn, wl, RunResult::p99);
                Stats p999 = Report.stats(results, sn, wl, RunResult::p999);
                if (!p99.present()) {
                    continue;
                }
                int bx = gx + i * barW;
                int y99 = ly(p99.median(), logLo, logHi, y, h);
                g.setColor(color(i));
                g.fillRect(bx, y99, barW - 2, y + h - y99);
                g.setColor(Color.BLACK);
                int cx = bx + (barW - 2) / 2;
                int y50 = ly(p50.median(), logLo, logHi, y, h);
                g.fillOval(cx - 3, y50 - 3, 7, 7);
                int y999 = ly(p999.median(), logLo, logHi, y, h);
                g.drawLine(cx, y999, cx, y99);
                g.drawLine(bx + 1, y999, bx + barW - 3, y999);
            }
            label(g, wl, gx + groupW / 2, y + h + 18, false);
        }
    }

    private static int ly(double v, double logLo, double logHi, int y, int h) {
        double f = (Math.log10(Math.max(v, Math.pow(10, logLo))) - logLo) / (logHi - logLo);
        return y + h - (int) (f * h);
    }

    private static void axes(Graphics2D g, int x, int y, int w, int h) {
        g.setColor(Color.BLACK);
        g.drawLine(x, y, x, y + h);
        g.drawLine(x, y + h, x + w, y + h);
    }

    private static void gridLine(Graphics2D g, int x, int y, int w) {
        g.setColor(new Color(0xe6e6e6));
        g.drawLine(x + 1, y, x + w, y);
    }

    private static void label(Graphics2D g, String text, int x, int y, boolean rightAligned) {
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int width = g.getFontMetrics().stringWidth(text);
        g.drawString(text, rightAligned ? x - width : x - width / 2, y);
    }

    private static void rotated(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.rotate(Math.toRadians(30), x, y);
        g.drawString(text, x, y + 8);
        g.setTransform(saved);
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
