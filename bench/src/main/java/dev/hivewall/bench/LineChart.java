package dev.hivewall.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** A log-log line plot: one line per engine, x = rule count, y = the medians. */
final class LineChart {
  private LineChart() {}

  static void write(
      Path png,
      String title,
      String xLabel,
      String yLabel,
      Map<String, Map<Integer, Samples>> series)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach(
        (name, points) -> {
          XYSeries s = new XYSeries(name);
          points.forEach((x, samples) -> s.add((double) x, Math.max(samples.median(), 1e-3)));
          data.addSeries(s);
        });
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    LogarithmicAxis x = new LogarithmicAxis(xLabel);
    LogarithmicAxis y = new LogarithmicAxis(yLabel);
    y.setAllowNegativesFlag(false);
    plot.setDomainAxis(x);
    plot.setRangeAxis(y);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
  }
}
