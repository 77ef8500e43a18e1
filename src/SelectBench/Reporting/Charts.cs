using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace SelectBench.Reporting;

/// <summary>
/// The report's plots, drawn with ScottPlot and returned as a <see cref="ChartImage"/>: the PNG plus one hover spot per
/// drawn value (bar, point, cell) in PNG pixels, which <see cref="HtmlReport.Chart"/> turns into tooltips. Each function
/// takes plain arrays so the report can be rebuilt from the exported numbers.
/// </summary>
public static class Charts
{
    public const int DefaultWidth = 720;
    public const int DefaultHeight = 400;

    /// <summary>Bars with 95% interval whiskers (asymmetric intervals are drawn by their larger half-width).</summary>
    public static ChartImage BarsWithIntervals(string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<double> means, IReadOnlyList<double>? lows = null, IReadOnlyList<double>? highs = null,
        IReadOnlyList<double>? reference = null, string? referenceLabel = null, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
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
        CategoryTicks(plot, categories, width);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return Render(plot, width, height, () => bars.Select((b, j) => BarSpot(plot, b,
            $"{categories[reference == null ? j : j / 2]}: {(reference != null && j % 2 == 1 ? referenceLabel ?? "reference" : "SelectBench")} {Value(b.Value)}")));
    }

    /// <summary>A heat map with row and column labels and a colour bar; NaN cells are grey.</summary>
    /// <param name="colormap">Viridis when null; pass a diverging map (e.g. Balance) for signed values such as correlations.</param>
    /// <param name="cellFormat">When given, each cell shows its value in this format (e.g. "0.00").</param>
    public static ChartImage Heatmap(string title, double[,] values, IReadOnlyList<string> rowLabels,
        IReadOnlyList<string> columnLabels, int width = DefaultWidth, int height = DefaultHeight, double? min = null, double? max = null,
        IColormap? colormap = null, string? cellFormat = null, string? xLabel = null, string? yLabel = null)
    {
        using var plot = NewPlot();
        var hm = plot.Add.Heatmap(values);
        hm.Colormap = colormap ?? new ScottPlot.Colormaps.Viridis();
        hm.NaNCellColor = Colors.LightGray;
        if (min is { } lo && max is { } hi) hm.ManualRange = new ScottPlot.Range(lo, hi);
        plot.Add.ColorBar(hm);
        plot.Axes.Margins(0, 0);
        plot.HideGrid();
        int rows = values.GetLength(0), cols = values.GetLength(1);
        // ScottPlot draws row 0 at the top; cell centres sit at integer coordinates.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(i => (double)i).ToArray(), columnLabels.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray(), rowLabels.ToArray());
        bool rotate = cols > 6 || columnLabels.Any(c => c.Length > 8);
        plot.Axes.Bottom.TickLabelStyle.Rotation = rotate ? -45 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = rotate ? Alignment.MiddleRight : Alignment.UpperCenter;
        if (rotate) plot.Axes.Bottom.MinimumSize = RotatedLabelSpace(columnLabels);
        if (cellFormat != null)
        {
            var range = hm.ManualRange ?? hm.DataRange;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    double v = values[r, c];
                    if (!double.IsFinite(v)) continue;
                    var t = plot.Add.Text(v.ToString(cellFormat, CultureInfo.InvariantCulture), c, rows - 1 - r);
                    t.LabelFontSize = cols > 10 ? 9 : 11;
                    t.LabelAlignment = Alignment.MiddleCenter;
                    // Dark text on the light middle of the map, light text on its dark ends.
                    double span = range.Max - range.Min;
                    double share = span > 0 ? (v - range.Min) / span : 0.5;
                    t.LabelFontColor = IsDarkAt(hm.Colormap, share) ? Colors.White : Colors.Black;
                }
        }
        plot.Title(title);
        if (xLabel != null) plot.XLabel(xLabel);
        if (yLabel != null) plot.YLabel(yLabel);
        return Render(plot, width, height, () =>
            from r in Enumerable.Range(0, rows)
            from c in Enumerable.Range(0, cols)
            where double.IsFinite(values[r, c])
            select Box(plot, $"{rowLabels[r]} × {(xLabel == null ? "" : xLabel + " ")}{columnLabels[c]}: {Value(values[r, c])}",
                c - 0.5, rows - 1 - r + 0.5, c + 0.5, rows - 1 - r - 0.5));
    }

    /// <summary>Labelled points (e.g. cost vs utility, per-class accuracy vs count), optionally with a connecting frontier.</summary>
    public static ChartImage LabelledScatter(string title, string xLabel, string yLabel, IReadOnlyList<double> xs,
        IReadOnlyList<double> ys, IReadOnlyList<string>? labels = null, IReadOnlyList<int>? frontier = null,
        bool logX = false, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
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
            line.LegendText = "Pareto frontier";
            plot.ShowLegend(Alignment.LowerRight);
        }
        // Room on the right for the labels of the rightmost points, which are written to the right of their marker.
        if (labels != null) plot.Axes.Margins(left: 0.05, right: 0.18, bottom: 0.1, top: 0.15);
        if (logX) plot.Axes.Bottom.TickGenerator = LogTicks(x.Min(), x.Max());
        plot.Title(title);
        plot.XLabel(logX ? $"{xLabel} (log scale)" : xLabel);
        plot.YLabel(yLabel);
        return Render(plot, width, height, () => Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i]))
            .Select(i => Point(plot, $"{(labels != null ? labels[i] + ": " : "")}{xLabel} {Value(xs[i])}, {yLabel} {Value(ys[i])}", x[i], y[i])));
    }

    /// <summary>One line per series over shared x values (e.g. kNN top-1 against k, accuracy against size).
    /// With <paramref name="logX"/> the x axis is logarithmic and ticks sit at the given x values.</summary>
    public static ChartImage Lines(string title, string xLabel, string yLabel, IReadOnlyList<double> xs,
        IReadOnlyDictionary<string, double[]> series, bool logX = false, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var x = xs.Select(v => logX ? Math.Log10(v) : v).ToArray();
        int index = 0;
        foreach (var (name, ys) in series)
        {
            var s = plot.Add.Scatter(x, ys, palette.GetColor(index++));
            s.LegendText = name;
            s.MarkerSize = 6;
            s.LineWidth = 2;
        }
        if (logX)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                x, xs.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)).ToArray());
        if (series.Count > 1) plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.XLabel(logX ? $"{xLabel} (log scale)" : xLabel);
        plot.YLabel(yLabel);
        return Render(plot, width, height, () =>
            from line in series
            from i in Enumerable.Range(0, Math.Min(x.Length, line.Value.Length))
            where double.IsFinite(x[i]) && double.IsFinite(line.Value[i])
            select Point(plot, $"{line.Key}, {xLabel} {Value(xs[i])}: {yLabel} {Value(line.Value[i])}", x[i], line.Value[i]));
    }

    /// <summary>A class-count histogram (bars per class, sorted descending) with a horizontal line at the LT threshold.</summary>
    public static ChartImage ClassCounts(string title, IReadOnlyList<string> classNames, IReadOnlyList<int> counts,
        double? longTailThreshold = null, int width = DefaultWidth, int height = DefaultHeight)
    {
        var order = Enumerable.Range(0, counts.Count).OrderByDescending(i => counts[i]).ToArray();
        using var plot = NewPlot();
        var bars = plot.Add.Bars(order.Select(i => (double)counts[i]).ToArray());
        if (longTailThreshold is { } t)
        {
            var line = plot.Add.HorizontalLine(t);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"LT threshold ({t:0})";
            // Bars fall from left to right, so the upper right corner is free.
            plot.ShowLegend(Alignment.UpperRight);
        }
        CategoryTicks(plot, order.Select(i => classNames[i]).ToArray(), width);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("images");
        return Render(plot, width, height, () => bars.Bars.Select((b, j) => BarSpot(plot, b, $"{classNames[order[j]]}: {Value(counts[order[j]])} images")));
    }

    /// <summary>
    /// Grouped bars: one group per category on the x axis, one bar per series inside each group (coloured by
    /// series, with a legend), each with its own asymmetric 95% whisker. NaN values leave a gap.
    /// </summary>
    public static ChartImage GroupedBars(string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<BarSeries> series, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        int count = Math.Max(1, series.Count);
        double slot = 0.8 / count;
        var bars = new List<Bar>();
        var labels = new List<string>();
        for (int s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            var xs = new List<double>();
            var ys = new List<double>();
            var up = new List<double>();
            var down = new List<double>();
            for (int i = 0; i < categories.Count; i++)
            {
                double mean = series[s].Means[i];
                if (!double.IsFinite(mean)) continue;
                double position = i - 0.4 + slot * (s + 0.5);
                bars.Add(new Bar { Position = position, Value = mean, Size = slot * 0.92, FillColor = color });
                string interval = series[s].Lows is { } l && series[s].Highs is { } h && double.IsFinite(l[i]) && double.IsFinite(h[i]) && l[i] != h[i]
                    ? $" [{Value(l[i])}, {Value(h[i])}]" : "";
                labels.Add($"{categories[i].Replace('\n', ' ')}{(series.Count > 1 ? " · " + series[s].Name : "")}: {Value(mean)}{interval}");
                if (series[s].Lows is { } lows && series[s].Highs is { } highs && double.IsFinite(lows[i]) && double.IsFinite(highs[i]))
                {
                    xs.Add(position);
                    ys.Add(mean);
                    up.Add(Math.Max(0, highs[i] - mean));
                    down.Add(Math.Max(0, mean - lows[i]));
                }
            }
            if (xs.Count > 0)
            {
                var whiskers = plot.Add.ErrorBar(xs, ys, up);
                whiskers.YErrorNegative = down;
                whiskers.LineColor = Colors.Black;
                whiskers.LineWidth = 1.2f;
                whiskers.CapSize = 4;
            }
            // One series needs no legend: the title and axis name it.
            if (series.Count > 1) plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = color });
        }
        plot.Add.Bars(bars);
        if (series.Count > 1) plot.ShowLegend(Edge.Right);
        CategoryTicks(plot, categories, width);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return Render(plot, width, height, () => bars.Select((b, j) => BarSpot(plot, b, labels[j])));
    }

    /// <summary>Points of several named groups (one colour each, with a legend), e.g. per-class accuracy against class count per shift.</summary>
    public static ChartImage GroupedScatter(string title, string xLabel, string yLabel, IReadOnlyList<PointSeries> series,
        bool logX = false, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < series.Count; s++)
        {
            var xs = series[s].Xs.Select(v => logX ? Math.Log10(Math.Max(v, 1)) : v).ToArray();
            if (xs.Length == 0) continue;
            var markers = plot.Add.Markers(xs, series[s].Ys.ToArray(), Shapes[s % Shapes.Length], 7, palette.GetColor(s));
            markers.LegendText = series[s].Name;
        }
        if (series.Count > 1) plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.XLabel(logX ? $"{xLabel} (log10)" : xLabel);
        plot.YLabel(yLabel);
        return Render(plot, width, height, () =>
            from g in series
            from i in Enumerable.Range(0, Math.Min(g.Xs.Count, g.Ys.Count))
            where double.IsFinite(g.Xs[i]) && double.IsFinite(g.Ys[i])
            select Point(plot, $"{g.Name}: {xLabel} {Value(g.Xs[i])}, {yLabel} {Value(g.Ys[i])}",
                logX ? Math.Log10(Math.Max(g.Xs[i], 1)) : g.Xs[i], g.Ys[i]));
    }

    /// <summary>
    /// An accuracy-against-size curve on a log x axis: measured points with 95% whiskers, the fitted curve
    /// y = a + b ln(x), and marked points placed on the curve at given sizes with horizontal intervals
    /// (hollow when extrapolated beyond the measured sizes).
    /// </summary>
    public static ChartImage SizeCurve(string title, string xLabel, string yLabel, IReadOnlyList<double> sizes,
        IReadOnlyList<double> means, IReadOnlyList<double> lows, IReadOnlyList<double> highs,
        double intercept, double slope, IReadOnlyList<MarkedSize> marks, int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var logSizes = sizes.Select(Math.Log10).ToArray();
        var spanned = sizes.Concat(marks.SelectMany(m => new[] { m.Size, m.Low, m.High }))
                           .Where(v => double.IsFinite(v) && v > 0).ToArray();
        if (spanned.Length == 0) throw new ArgumentException("a size curve needs at least one positive size");
        double lo = Math.Log10(spanned.Min()), hi = Math.Log10(spanned.Max());
        if (double.IsFinite(intercept) && double.IsFinite(slope))
        {
            var curveX = Enumerable.Range(0, 61).Select(i => lo + (hi - lo) * i / 60.0).ToArray();
            var curve = plot.Add.Scatter(curveX, curveX.Select(v => intercept + slope * Math.Log(Math.Pow(10, v))).ToArray(), Colors.Gray);
            curve.MarkerSize = 0;
            curve.LinePattern = LinePattern.Dashed;
            curve.LegendText = string.Create(CultureInfo.InvariantCulture, $"fit: {intercept:0.###} + {slope:0.###} ln(images)");
        }

        var measured = plot.Add.Scatter(logSizes, means.ToArray(), Colors.Black);
        measured.LineWidth = 0;
        measured.MarkerSize = 8;
        measured.LegendText = "expert at fractions";
        var whiskers = plot.Add.ErrorBar(logSizes, means.ToArray(),
            means.Select((m, i) => Math.Max(0, highs[i] - m)).ToArray());
        whiskers.YErrorNegative = means.Select((m, i) => Math.Max(0, m - lows[i])).ToArray();
        whiskers.LineColor = Colors.Black;

        for (int i = 0; i < marks.Count; i++)
        {
            var m = marks[i];
            if (!(double.IsFinite(m.Size) && m.Size > 0)) continue;
            double x = Math.Log10(m.Size), y = intercept + slope * Math.Log(m.Size);
            if (!double.IsFinite(y)) continue;
            var color = palette.GetColor(m.Colour >= 0 ? m.Colour : i);
            var point = plot.Add.Marker(x, y, m.Extrapolated ? MarkerShape.OpenDiamond : MarkerShape.FilledDiamond, 11, color);
            point.LegendText = m.Extrapolated ? $"{m.Label} (extrapolated)" : m.Label;
            if (double.IsFinite(m.Low) && double.IsFinite(m.High) && m.Low > 0 && m.High > 0)
            {
                var bar = new ScottPlot.Plottables.ErrorBar([x], [y], [Math.Max(0, Math.Log10(m.High) - x)], [Math.Max(0, x - Math.Log10(m.Low))], null, null)
                {
                    LineColor = color,
                    CapSize = 4,
                };
                plot.Add.Plottable(bar);
            }
        }
        plot.Axes.Bottom.TickGenerator = LogTicks(lo, hi);
        plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.XLabel($"{xLabel} (log scale)");
        plot.YLabel(yLabel);
        return Render(plot, width, height, () =>
            Enumerable.Range(0, sizes.Count).Where(i => sizes[i] > 0 && double.IsFinite(means[i]))
                .Select(i => Point(plot, $"{Value(sizes[i])} {xLabel}: {yLabel} {Value(means[i])} [{Value(lows[i])}, {Value(highs[i])}]", logSizes[i], means[i]))
            .Concat(marks.Where(m => double.IsFinite(m.Size) && m.Size > 0 && double.IsFinite(intercept + slope * Math.Log(m.Size)))
                .Select(m => Point(plot, $"{m.Label}: {Value(m.Size)} {xLabel} [{Value(m.Low)}, {Value(m.High)}]{(m.Extrapolated ? " (extrapolated)" : "")}",
                    Math.Log10(m.Size), intercept + slope * Math.Log(m.Size)))));
    }

    /// <summary>Lays charts out in a grid of the given number of columns (cells sized by the largest image), as one
    /// chart whose hover spots are the panels' spots moved to their cells.</summary>
    public static ChartImage Panels(IReadOnlyList<ChartImage> charts, int columns)
    {
        if (charts.Count == 0) throw new ArgumentException("no panels to lay out");
        var images = charts.Select(p => SKBitmap.Decode(p.Png) ?? throw new ArgumentException("a panel is not a decodable image")).ToArray();
        try
        {
            columns = Math.Clamp(columns, 1, images.Length);
            int rows = (images.Length + columns - 1) / columns;
            int cellW = images.Max(b => b.Width), cellH = images.Max(b => b.Height);
            using var surface = SKSurface.Create(new SKImageInfo(cellW * columns, cellH * rows, SKColorType.Rgba8888, SKAlphaType.Premul));
            surface.Canvas.Clear(SKColors.White);
            for (int i = 0; i < images.Length; i++)
                surface.Canvas.DrawBitmap(images[i], (i % columns) * cellW, (i / columns) * cellH);
            using var snapshot = surface.Snapshot();
            using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            var spots = charts.SelectMany((c, i) => c.Spots.Select(s => s with { X = s.X + (i % columns) * cellW, Y = s.Y + (i / columns) * cellH }));
            return new ChartImage(data.ToArray(), cellW * columns, cellH * rows, spots.ToList());
        }
        finally
        {
            foreach (var b in images) b.Dispose();
        }
    }

    private static readonly MarkerShape[] Shapes =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
         MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp];

    /// <summary>Ticks at 1, 2 and 5 times powers of ten between two log10 positions, labelled with the plain value.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double lo, double hi)
    {
        var positions = new List<double>();
        var labels = new List<string>();
        for (int p = (int)Math.Floor(lo); p <= (int)Math.Ceiling(hi); p++)
            foreach (var f in new[] { 1.0, 2.0, 5.0 })
            {
                double v = f * Math.Pow(10, p), x = Math.Log10(v);
                if (x < lo - 0.15 || x > hi + 0.15) continue;
                positions.Add(x);
                labels.Add(v.ToString(v >= 1 ? "#,0" : "0.###", CultureInfo.InvariantCulture));
            }
        return new ScottPlot.TickGenerators.NumericManual(positions.ToArray(), labels.ToArray());
    }

    /// <summary>
    /// Category names under the x axis; when they would not fit side by side (about 7 px per character of the
    /// longest line at the default size), they are rotated 45 degrees and end at their tick, so no name
    /// overlaps its neighbour or runs off the right edge.
    /// </summary>
    private static void CategoryTicks(Plot plot, IReadOnlyList<string> categories, int width)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        int longest = categories.SelectMany(c => c.Split('\n')).DefaultIfEmpty("").Max(l => l.Length);
        if (categories.Count * (longest * 7 + 12) > width * 0.7)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = RotatedLabelSpace(categories);
            // The first label ends at the first tick and runs down to the left: widen the left axis so it is not cut off.
            int first = categories.Count == 0 ? 0 : categories[0].Split('\n').Max(l => l.Length);
            plot.Axes.Left.MinimumSize = Math.Max(plot.Axes.Left.MinimumSize, 7f * 0.72f * first - 10);
        }
        plot.HideGrid();
    }

    /// <summary>A plot in the report's sans-serif font (ScottPlot's own default falls back to a serif face on Debian).</summary>
    private static Plot NewPlot()
    {
        var plot = new Plot();
        if (SansFont.Value is { } font) plot.Font.Set(font);
        return plot;
    }

    private static readonly Lazy<string?> SansFont = new(() =>
    {
        var installed = SKFontManager.Default.GetFontFamilies().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial" }.FirstOrDefault(installed.Contains);
    });

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    /// <summary>Draws the plot and then asks for its hover spots: pixel positions are known only after a render
    /// has laid out the axes (<see cref="Plot.GetPixel(Coordinates)"/> uses the last render).</summary>
    private static ChartImage Render(Plot plot, int width, int height, Func<IEnumerable<HoverSpot>> spots)
    {
        var png = plot.GetImageBytes(width, height, ImageFormat.Png);
        return new ChartImage(png, width, height, spots().ToList());
    }

    private static HoverSpot Point(Plot plot, string text, double x, double y)
    {
        var p = plot.GetPixel(new Coordinates(x, y));
        return HoverSpot.Point(text, p.X, p.Y);
    }

    private static HoverSpot Box(Plot plot, string text, double x1, double y1, double x2, double y2)
    {
        Pixel a = plot.GetPixel(new Coordinates(x1, y1)), b = plot.GetPixel(new Coordinates(x2, y2));
        return HoverSpot.Box(text, a.X, a.Y, b.X, b.Y);
    }

    /// <summary>A bar's whole column from the axis to its value, at least a few pixels tall so a bar at 0 can still be hovered.</summary>
    private static HoverSpot BarSpot(Plot plot, Bar bar, string text)
    {
        var spot = Box(plot, text, bar.Position - bar.Size / 2, bar.ValueBase, bar.Position + bar.Size / 2, bar.Value);
        return spot.Height >= 4 ? spot : spot with { Y = spot.Y - 4 + spot.Height, Height = 4 };
    }

    /// <summary>A value as the tooltips show it: precision by magnitude, like the report's tables; never "-0".</summary>
    private static string Value(double v)
    {
        if (!double.IsFinite(v)) return "–";
        // Whole numbers (k, counts, image sizes) print without decimals.
        var format = v == Math.Round(v) || Math.Abs(v) >= 100 ? "#,0" : Math.Abs(v) >= 10 ? "0.0" : "0.###";
        var text = v.ToString(format, CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    /// <summary>Pixels below the axis that 45-degree tick labels need: about 7 px per character of the longest
    /// line, times sin 45, plus a line height for each further line of a multi-line label.</summary>
    private static float RotatedLabelSpace(IReadOnlyList<string> labels)
    {
        var lines = labels.Select(l => l.Split('\n')).ToArray();
        int longest = lines.SelectMany(l => l).DefaultIfEmpty("").Max(l => l.Length);
        int extraLines = lines.Select(l => l.Length - 1).DefaultIfEmpty(0).Max();
        return Math.Max(60, 20 + 7f * 0.72f * longest + 16 * extraLines);
    }

    private static bool IsDarkAt(IColormap colormap, double share)
    {
        var c = colormap.GetColor(Math.Clamp(share, 0, 1));
        return 0.299 * c.R + 0.587 * c.G + 0.114 * c.B < 140;
    }
}

/// <summary>One series of <see cref="Charts.GroupedBars"/>: a value per category with optional 95% bounds.</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Means, IReadOnlyList<double>? Lows = null, IReadOnlyList<double>? Highs = null);

/// <summary>One group of <see cref="Charts.GroupedScatter"/>.</summary>
public sealed record PointSeries(string Name, IReadOnlyList<double> Xs, IReadOnlyList<double> Ys);

/// <summary>A size marked on <see cref="Charts.SizeCurve"/> with its interval.</summary>
/// <param name="Colour">Palette index, so a shift keeps the colour it has in the other charts; -1 uses the mark's position.</param>
public sealed record MarkedSize(string Label, double Size, double Low, double High, bool Extrapolated, int Colour = -1);
