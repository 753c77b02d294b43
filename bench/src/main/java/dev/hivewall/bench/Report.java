package dev.hivewall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Writes one benchmark's results: {@code <name>.json} (raw samples, medians, ratios, machine) and
 * {@code <name>.png}.
 */
public final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {}

  public static void write(
      Path dir,
      String name,
      String title,
      List<Samples> samples,
      Map<String, Double> ratios,
      boolean logScale)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", name);
    doc.put("title", title);
    doc.put("time", Instant.now().toString());
    doc.put("machine", Machine.current());
    Map<String, Object> results = new LinkedHashMap<>();
    for (Samples s : samples) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("unit", s.unit());
      r.put("median", s.median());
      r.put("min", s.min());
      r.put("max", s.max());
      r.put("spread", s.spread());
      r.put("samples", s.values());
      results.put(s.name(), r);
    }
    doc.put("results", results);
    doc.put("ratios", ratios);
    JSON.writeValue(dir.resolve(name + ".json").toFile(), doc);

    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Samples s : samples) {
      data.addValue(s.median(), s.unit(), s.name());
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            title,
            null,
            samples.getFirst().unit() + " (median)",
            data,
            PlotOrientation.HORIZONTAL,
            false,
            false,
            false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    if (logScale) {
      renderer.setBase(1); // bars grow from 1, not 0, which a log axis cannot show
      renderer.setIncludeBaseInRange(false);
      LogarithmicAxis axis =
          new LogarithmicAxis(samples.getFirst().unit() + " (median, log scale)");
      axis.setAllowNegativesFlag(false);
      plot.setRangeAxis(axis);
    }
    renderer.setSeriesPaint(0, new Color(0x2b, 0x6c, 0xb0));
    ChartUtils.saveChartAsPNG(
        dir.resolve(name + ".png").toFile(), chart, 900, 120 + 60 * samples.size());
  }
}
