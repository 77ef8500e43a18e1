using ScottPlot;

namespace SelectBench.Reporting;

/// <summary>
/// The report's plots, drawn with ScottPlot and returned as PNG bytes. Each function takes plain arrays
/// so the report can be rebuilt from the exported numbers.
/// </summary>
public static class Charts
{
    public const int DefaultWidth = 720;
    public const int DefaultHeight = 400;

    /// <summary>Bars with 95% interval whiskers (asymmetric intervals are drawn by their larger half-width).</summary>
    public static byte[] BarsWithIntervals(string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<double> means, IReadOnlyList<double>? lows = null, IReadOnlyList<double>? highs = null,
        IReadOnlyList<double>? reference = null, string? referenceLabel = null, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        double groupWidth = reference == null ? 0.8 : 0.4;
        for (int i = 0; i < categories.Count; i++)
        {
            double err = 0;
            if (lows != null && highs != null) err = Math.Max(highs[i] - means[i], means[i] - lows[i]);
            bars.Add(new Bar
            {
                Position = reference == null ? i : i - 0.2,
                Value = Finite(means[i]),
                Error = Finite(err),
                Size = groupWidth,
                FillColor = palette.GetColor(0),
            });
            if (reference != null)
                bars.Add(new Bar { Position = i + 0.2, Value = Finite(reference[i]), Size = groupWidth, FillColor = palette.GetColor(1) });
        }
        plot.Add.Bars(bars);
        if (reference != null)
        {
            plot.Legend.IsVisible = true;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "SelectBench", FillColor = palette.GetColor(0) });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = referenceLabel ?? "reference", FillColor = palette.GetColor(1) });
        }
        CategoryTicks(plot, categories);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>A heat map with row and column labels and a colour bar; NaN cells are grey.</summary>
    public static byte[] Heatmap(string title, double[,] values, IReadOnlyList<string> rowLabels,
        IReadOnlyList<string> columnLabels, int width = DefaultWidth, int height = DefaultHeight, double? min = null, double? max = null)
    {
        using var plot = new Plot();
        var hm = plot.Add.Heatmap(values);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.NaNCellColor = Colors.LightGray;
        if (min is { } lo && max is { } hi) hm.ManualRange = new ScottPlot.Range(lo, hi);
        plot.Add.ColorBar(hm);
        int rows = values.GetLength(0), cols = values.GetLength(1);
        // ScottPlot draws row 0 at the top; cell centres sit at integer coordinates.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(i => (double)i).ToArray(), columnLabels.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray(), rowLabels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = cols > 6 ? 45 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = cols > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Title(title);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Labelled points (e.g. cost vs utility, per-class accuracy vs count), optionally with a connecting frontier.</summary>
    public static byte[] LabelledScatter(string title, string xLabel, string yLabel, IReadOnlyList<double> xs,
        IReadOnlyList<double> ys, IReadOnlyList<string>? labels = null, IReadOnlyList<int>? frontier = null,
        bool logX = false, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = new Plot();
        var x = xs.Select(v => logX ? Math.Log10(Math.Max(v, 1e-12)) : v).ToArray();
        var y = ys.ToArray();
        plot.Add.Markers(x, y, MarkerShape.FilledCircle, 7);
        if (labels != null)
            for (int i = 0; i < labels.Count; i++)
            {
                var t = plot.Add.Text(labels[i], x[i], y[i]);
                t.LabelFontSize = 11;
                t.LabelOffsetX = 6;
            }
        if (frontier is { Count: > 1 })
        {
            var line = plot.Add.Scatter(frontier.Select(i => x[i]).ToArray(), frontier.Select(i => y[i]).ToArray());
            line.MarkerSize = 0;
            line.LinePattern = LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel(logX ? $"log10 {xLabel}" : xLabel);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>One line per series over shared x values (e.g. kNN top-1 against k, accuracy against size).</summary>
    public static byte[] Lines(string title, string xLabel, string yLabel, IReadOnlyList<double> xs,
        IReadOnlyDictionary<string, double[]> series, bool logX = false, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = new Plot();
        var x = xs.Select(v => logX ? Math.Log10(v) : v).ToArray();
        foreach (var (name, ys) in series)
        {
            var s = plot.Add.Scatter(x, ys);
            s.LegendText = name;
        }
        if (series.Count > 1) plot.ShowLegend();
        plot.Title(title);
        plot.XLabel(logX ? $"log10 {xLabel}" : xLabel);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>A class-count histogram (bars per class, sorted descending) with a horizontal line at the LT threshold.</summary>
    public static byte[] ClassCounts(string title, IReadOnlyList<string> classNames, IReadOnlyList<int> counts,
        double? longTailThreshold = null, int width = DefaultWidth, int height = DefaultHeight)
    {
        var order = Enumerable.Range(0, counts.Count).OrderByDescending(i => counts[i]).ToArray();
        using var plot = new Plot();
        plot.Add.Bars(order.Select(i => (double)counts[i]).ToArray());
        if (longTailThreshold is { } t)
        {
            var line = plot.Add.HorizontalLine(t);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"LT threshold ({t:0})";
            plot.ShowLegend();
        }
        CategoryTicks(plot, order.Select(i => classNames[i]).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("images");
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static void CategoryTicks(Plot plot, IReadOnlyList<string> categories)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        if (categories.Count > 5 || categories.Any(c => c.Length > 10))
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 90;
        }
        plot.HideGrid();
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;
}
