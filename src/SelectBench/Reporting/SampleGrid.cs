using SelectBench.Common;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Reporting;

/// <summary>One image of a grid: C x H x W uint8 pixels (C = 1 or 3 shown as is; other counts show channel 0) and an optional caption.</summary>
public sealed record SampleGridCell(ReadOnlyMemory<byte> Pixels, int Channels, int Height, int Width, string? Caption = null)
{
    public static SampleGridCell FromSet(ImageSet set, int index, string? caption = null) =>
        new(set.IsInMemory ? set.Pixels.AsMemory(index * set.ImageSize, set.ImageSize) : set.Image(index).ToArray(), set.Channels, set.Height, set.Width, caption);
}

/// <summary>One row of a grid: a label drawn at the left, then the cells.</summary>
public sealed record SampleGridRow(string Label, IReadOnlyList<SampleGridCell> Cells);

/// <summary>Layout of a sample grid.</summary>
/// <param name="Title">Drawn above the grid when given.</param>
/// <param name="CellSize">Side of each cell in pixels; 0 picks one: small images are upscaled by a whole factor
/// (nearest neighbour, so pixels stay crisp) to at least 64, large ones shrunk to 128.</param>
/// <param name="Padding">Gap between cells.</param>
/// <param name="FontSize">Label size; captions are drawn at 80% of it.</param>
public sealed record SampleGridOptions(string? Title = null, int CellSize = 0, int Padding = 4, float FontSize = 14);

/// <summary>
/// Renders a grid of images as PNG: rows (usually classes) with a label at the left, cells with optional captions,
/// an optional title. Used by <c>data info</c>, the curation helpers and the report. Text uses a TrueType font
/// found on the machine (DejaVu Sans or Liberation Sans, else any under /usr/share/fonts), else Skia's default.
/// </summary>
public static class SampleGrid
{
    private static readonly Lazy<SKTypeface> Font = new(FindTypeface);

    /// <summary>Rows of up to <paramref name="perClass"/> images per class (seeded choice, in index order), one row per class.</summary>
    public static IReadOnlyList<SampleGridRow> ByClass(ImageSet set, int perClass, int seed = 0, Func<int, string?>? caption = null)
    {
        if (perClass <= 0) throw new SelectBenchException($"Images per class must be positive (got {perClass}).");
        var counts = set.ClassCounts();
        var quota = counts.Select(c => Math.Min(c, perClass)).ToArray();
        var picked = ClassBalanced.Subsample(set.Labels, quota, seed);
        var rows = new List<SampleGridRow>();
        for (int c = 0; c < set.LabelSet.Count; c++)
        {
            var cells = picked.Where(i => set.Labels[i] == c).Select(i => SampleGridCell.FromSet(set, i, caption?.Invoke(i))).ToArray();
            rows.Add(new SampleGridRow($"{set.LabelSet.Names[c]} ({counts[c]})", cells));
        }
        return rows;
    }

    /// <summary>Renders the grid and returns PNG bytes.</summary>
    public static byte[] RenderPng(IReadOnlyList<SampleGridRow> rows, SampleGridOptions? options = null)
    {
        options ??= new SampleGridOptions();
        if (rows.Count == 0) throw new SelectBenchException("A sample grid needs at least one row.");
        var cells = rows.SelectMany(r => r.Cells).ToArray();
        int maxSide = cells.Length == 0 ? 28 : cells.Max(c => Math.Max(c.Height, c.Width));
        int cell = options.CellSize > 0 ? options.CellSize
                 : maxSide >= 128 ? 128
                 : maxSide * (int)Math.Ceiling(64.0 / maxSide);
        int pad = Math.Max(0, options.Padding);
        using var font = new SKFont(Font.Value, options.FontSize);
        using var captionFont = new SKFont(Font.Value, options.FontSize * 0.8f);
        bool captions = cells.Any(c => !string.IsNullOrEmpty(c.Caption));
        float lineHeight = options.FontSize * 1.3f;
        int captionHeight = captions ? (int)Math.Ceiling(options.FontSize * 0.8f * 1.3f) : 0;
        int labelWidth = (int)Math.Ceiling(rows.Max(r => font.MeasureText(r.Label))) + 2 * pad;
        int columns = Math.Max(1, rows.Max(r => r.Cells.Count));
        int titleHeight = options.Title != null ? (int)Math.Ceiling(lineHeight * 1.4f) : 0;
        int width = Math.Max(labelWidth + columns * (cell + pad) + pad,
                             options.Title != null ? (int)Math.Ceiling(font.MeasureText(options.Title) * 1.2f) + 2 * pad : 0);
        int rowHeight = cell + captionHeight + pad;
        int height = titleHeight + rows.Count * rowHeight + pad;
        if ((long)width * height > 100_000_000)
            throw new SelectBenchException($"A sample grid of {width}x{height} pixels is too large; show fewer rows or images per row.");

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new SelectBenchException($"Skia could not create a {width}x{height} canvas.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grey = new SKPaint { Color = new SKColor(90, 90, 90), IsAntialias = true };
        if (options.Title != null)
        {
            using var titleFont = new SKFont(Font.Value, options.FontSize * 1.2f);
            canvas.DrawText(options.Title, pad, titleHeight - lineHeight * 0.5f, SKTextAlign.Left, titleFont, ink);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            float top = titleHeight + pad + r * rowHeight;
            canvas.DrawText(rows[r].Label, pad, top + cell / 2f + options.FontSize * 0.35f, SKTextAlign.Left, font, ink);
            for (int k = 0; k < rows[r].Cells.Count; k++)
            {
                var c = rows[r].Cells[k];
                float left = labelWidth + k * (cell + pad);
                DrawCell(canvas, c, new SKRect(left, top, left + cell, top + cell));
                if (!string.IsNullOrEmpty(c.Caption))
                {
                    var text = Fit(c.Caption!, captionFont, cell);
                    canvas.DrawText(text, left, top + cell + captionHeight * 0.8f, SKTextAlign.Left, captionFont, grey);
                }
            }
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new SelectBenchException("Skia could not encode the sample grid as PNG.");
        return data.ToArray();
    }

    /// <summary>Renders the grid and writes it atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<SampleGridRow> rows, SampleGridOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, RenderPng(rows, options));

    private static void DrawCell(SKCanvas canvas, SampleGridCell cell, SKRect target)
    {
        var span = cell.Pixels.Span;
        int plane = cell.Height * cell.Width;
        if (span.Length != cell.Channels * plane)
            throw new ArgumentException($"cell holds {span.Length} bytes, not {cell.Channels}x{cell.Height}x{cell.Width}");
        var shown = cell.Channels is 1 or 3 ? span : span[..plane];
        using var bitmap = ImageCodec.ToBitmap(shown, cell.Channels is 1 or 3 ? cell.Channels : 1, cell.Height, cell.Width);
        using var image = SKImage.FromBitmap(bitmap);
        // Keep the aspect ratio inside the square cell.
        float scale = Math.Min(target.Width / cell.Width, target.Height / cell.Height);
        float w = cell.Width * scale, h = cell.Height * scale;
        var dest = SKRect.Create(target.Left + (target.Width - w) / 2, target.Top + (target.Height - h) / 2, w, h);
        // Nearest neighbour when enlarging (crisp pixels), trilinear when shrinking (no aliasing).
        var sampling = scale >= 1 ? new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None)
                                  : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        canvas.DrawImage(image, dest, sampling);
    }

    private static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        while (text.Length > 1 && font.MeasureText(text + "…") > width) text = text[..^1];
        return text + "…";
    }

    private static SKTypeface FindTypeface()
    {
        string[] preferred =
        [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        ];
        foreach (var path in preferred)
            if (File.Exists(path) && SKTypeface.FromFile(path) is { } face) return face;
        if (Directory.Exists("/usr/share/fonts"))
        {
            foreach (var path in Directory.EnumerateFiles("/usr/share/fonts", "*.ttf", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (SKTypeface.FromFile(path) is { } face) return face;
        }
        return SKTypeface.Default;
    }
}
