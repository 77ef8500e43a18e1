using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Worlds.ImageNetLike;

/// <summary>
/// An ImageNet-shaped image source made by the project itself, to measure the out-of-core store and the loader on
/// data of ImageNet's shape without ImageNet (issue 13, "Data to test on"): 200 classes with WordNet-like ids, colour
/// JPEGs with a 256 px short side and ImageNet-like aspect ratios (long side 256 to 384, a quarter portrait). Each
/// class is a shape (one of 8), a texture (one of 5) and a hue (golden-angle spaced, so neighbouring classes differ);
/// each image jitters position, size, rotation, hue and lightness, and draws a noisy gradient background with a few
/// distractor shapes, so the classes are learnable but not trivial. Image i depends only on (seed, i): any subset or
/// order renders the same bytes, on any number of threads. docs/data.md "Out-of-core sets".
/// </summary>
public static class ImageNetLikeSource
{
    public const int Classes = 200;
    public const int ShortSide = 256;
    public const int JpegQuality = 90;
    private const int Shapes = 8, Textures = 5;
    private static readonly string[] ShapeNames = ["circle", "square", "triangle", "star", "ring", "hexagon", "cross", "diamond"];
    private static readonly string[] TextureNames = ["plain", "striped", "checkered", "dotted", "mottled"];

    /// <summary>WordNet-like ids ("n01440764", ...), increasing with the class index so that sorted folder names
    /// (torchvision's ImageFolder) give the same class order as the shards' labels.</summary>
    public static string Wnid(int label) => "n" + (1_440_764 + label * 37_813).ToString("D8", CultureInfo.InvariantCulture);

    public static LabelSet LabelSet { get; } = new(
        Enumerable.Range(0, Classes).Select(c => $"{TextureNames[c / Shapes % Textures]}-{ShapeNames[c % Shapes]}-{c:D3}").ToArray(),
        Enumerable.Range(0, Classes).Select(Wnid).ToArray());

    /// <summary>The label of image <paramref name="index"/>: every block of 200 images holds each class once, in a
    /// seeded order, so any prefix of the source is class-balanced to within one image per class.</summary>
    public static int Label(int index, int seed)
    {
        int block = index / Classes;
        var order = Enumerable.Range(0, Classes).ToArray();
        new Random(Mix(seed, -1 - block)).Shuffle(order);
        return order[index % Classes];
    }

    /// <summary>Image <paramref name="index"/> as JPEG bytes, with its label.</summary>
    public static (byte[] Jpeg, int Label) Render(int index, int seed)
    {
        int label = Label(index, seed);
        var rng = new Random(Mix(seed, index));
        double aspect = 1 + rng.NextDouble() * 0.5;
        bool portrait = rng.NextDouble() < 0.25;
        int longSide = (int)Math.Round(ShortSide * aspect);
        int width = portrait ? ShortSide : longSide, height = portrait ? longSide : ShortSide;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            DrawBackground(canvas, width, height, rng);
            for (int d = rng.Next(1, 4); d > 0; d--) DrawDistractor(canvas, width, height, rng);
            DrawObject(canvas, width, height, label, rng);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, JpegQuality)
            ?? throw new SelectBenchException($"Skia could not encode image {index} ({width}x{height}) as JPEG.");
        return (data.ToArray(), label);
    }

    private static void DrawBackground(SKCanvas canvas, int width, int height, Random rng)
    {
        var a = Hsv(rng.NextDouble() * 360, 0.1 + 0.25 * rng.NextDouble(), 0.35 + 0.5 * rng.NextDouble());
        var b = Hsv(rng.NextDouble() * 360, 0.1 + 0.25 * rng.NextDouble(), 0.35 + 0.5 * rng.NextDouble());
        using var gradient = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width * (float)rng.NextDouble(), height),
            [a, b], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = gradient };
        canvas.DrawRect(0, 0, width, height, paint);
        // Clutter: low-contrast fractal noise, different per image.
        using var noise = NoiseShader(rng, 12 + rng.Next(12), 1f);
        using var noisePaint = new SKPaint { Shader = noise, Color = SKColors.White.WithAlpha(70), BlendMode = SKBlendMode.Overlay };
        canvas.DrawRect(0, 0, width, height, noisePaint);
    }

    private static void DrawDistractor(SKCanvas canvas, int width, int height, Random rng)
    {
        using var paint = new SKPaint
        {
            IsAntialias = true,
            Color = Hsv(rng.NextDouble() * 360, 0.2 + 0.4 * rng.NextDouble(), 0.3 + 0.6 * rng.NextDouble()).WithAlpha((byte)rng.Next(90, 200)),
        };
        float x = (float)(rng.NextDouble() * width), y = (float)(rng.NextDouble() * height);
        float r = (float)(ShortSide * (0.05 + 0.12 * rng.NextDouble()));
        if (rng.Next(2) == 0) canvas.DrawCircle(x, y, r, paint);
        else canvas.DrawRect(x - r, y - r * 0.6f, 2 * r, 1.2f * r, paint);
    }

    private static void DrawObject(SKCanvas canvas, int width, int height, int label, Random rng)
    {
        int shape = label % Shapes, texture = label / Shapes % Textures;
        // Golden-angle hues: classes 0, 1, 2, ... are far apart in hue; the jitter keeps within a class's own hue.
        double hue = (label * 137.508 + (rng.NextDouble() - 0.5) * 16) % 360;
        var colour = Hsv(hue, 0.55 + 0.35 * rng.NextDouble(), 0.45 + 0.45 * rng.NextDouble());
        var dark = Hsv(hue, 0.8, 0.2 + 0.15 * rng.NextDouble());
        float size = (float)(ShortSide * (0.35 + 0.3 * rng.NextDouble()));
        float cx = (float)(width * (0.3 + 0.4 * rng.NextDouble())), cy = (float)(height * (0.3 + 0.4 * rng.NextDouble()));
        float angle = (float)(rng.NextDouble() * 360);
        canvas.Save();
        canvas.Translate(cx, cy);
        canvas.RotateDegrees(angle);
        using var path = ShapePath(shape, size / 2);
        using var shader = TextureShader(texture, label, colour, dark, size);
        using var fill = new SKPaint { IsAntialias = true, Shader = shader, Style = shape == 4 ? SKPaintStyle.Stroke : SKPaintStyle.Fill, StrokeWidth = size * 0.18f };
        canvas.DrawPath(path, fill);
        using var outline = new SKPaint { IsAntialias = true, Color = dark, Style = SKPaintStyle.Stroke, StrokeWidth = 2 + size * 0.02f };
        if (shape != 4) canvas.DrawPath(path, outline);
        canvas.Restore();
    }

    private static SKPath ShapePath(int shape, float r)
    {
        var path = new SKPath();
        switch (shape)
        {
            case 0: path.AddCircle(0, 0, r); break;
            case 1: path.AddRect(new SKRect(-r * 0.85f, -r * 0.85f, r * 0.85f, r * 0.85f)); break;
            case 2: Polygon(path, 3, r, 0); break;
            case 3: Star(path, 5, r, r * 0.45f); break;
            case 4: path.AddCircle(0, 0, r * 0.8f); break;
            case 5: Polygon(path, 6, r, 0); break;
            case 6:
                path.AddRect(new SKRect(-r, -r * 0.3f, r, r * 0.3f));
                path.AddRect(new SKRect(-r * 0.3f, -r, r * 0.3f, r));
                path.FillType = SKPathFillType.Winding;
                break;
            default: Polygon(path, 4, r, 0); path.Transform(SKMatrix.CreateScale(0.65f, 1f)); break;
        }
        return path;
    }

    private static void Polygon(SKPath path, int sides, float r, double phase)
    {
        for (int k = 0; k < sides; k++)
        {
            double t = phase + 2 * Math.PI * k / sides - Math.PI / 2;
            var p = new SKPoint((float)(r * Math.Cos(t)), (float)(r * Math.Sin(t)));
            if (k == 0) path.MoveTo(p); else path.LineTo(p);
        }
        path.Close();
    }

    private static void Star(SKPath path, int points, float outer, float inner)
    {
        for (int k = 0; k < 2 * points; k++)
        {
            double t = Math.PI * k / points - Math.PI / 2;
            float r = k % 2 == 0 ? outer : inner;
            var p = new SKPoint((float)(r * Math.Cos(t)), (float)(r * Math.Sin(t)));
            if (k == 0) path.MoveTo(p); else path.LineTo(p);
        }
        path.Close();
    }

    private static SKShader TextureShader(int texture, int label, SKColor colour, SKColor dark, float size)
    {
        float period = size * (0.12f + 0.02f * (label % 3));
        switch (texture)
        {
            case 1: // stripes at a per-class angle
                {
                    var rotation = SKMatrix.CreateRotationDegrees(label * 23 % 180);
                    return SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(period, 0), [colour, colour, dark, dark],
                        [0f, 0.5f, 0.5f, 1f], SKShaderTileMode.Repeat, rotation);
                }
            case 2: // checkerboard
            case 3: // dots
                {
                    int cell = Math.Max(4, (int)period);
                    using var tile = new SKBitmap(new SKImageInfo(2 * cell, 2 * cell, SKColorType.Rgba8888, SKAlphaType.Premul));
                    using (var c = new SKCanvas(tile))
                    using (var p = new SKPaint { IsAntialias = true, Color = dark })
                    {
                        c.Clear(colour);
                        if (texture == 2) { c.DrawRect(0, 0, cell, cell, p); c.DrawRect(cell, cell, cell, cell, p); }
                        else { c.DrawCircle(cell / 2f, cell / 2f, cell * 0.35f, p); c.DrawCircle(1.5f * cell, 1.5f * cell, cell * 0.35f, p); }
                    }
                    using var image = SKImage.FromBitmap(tile);
                    return image.ToShader(SKShaderTileMode.Repeat, SKShaderTileMode.Repeat);
                }
            case 4: // mottled: turbulence modulating the class colour
                {
                    using var solid = SKShader.CreateColor(colour);
                    using var noise = NoiseShader(new Random(label), 8, size / 8);
                    return SKShader.CreateCompose(solid, noise, SKBlendMode.Multiply);
                }
            default: // plain: a soft radial shade
                return SKShader.CreateRadialGradient(new SKPoint(-size * 0.15f, -size * 0.15f), size * 0.7f, [colour, dark], SKShaderTileMode.Clamp);
        }
    }

    /// <summary>
    /// Smooth grey value noise: a small random tile magnified with bilinear filtering and repeated. Skia's Perlin
    /// shaders cost about 10 ms per 256 px image; this costs a fraction of that.
    /// </summary>
    private static SKShader NoiseShader(Random rng, int cells, float cellPixels)
    {
        using var tile = new SKBitmap(new SKImageInfo(cells, cells, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = new byte[cells * cells * 4];
        for (int k = 0; k < cells * cells; k++)
        {
            byte v = (byte)rng.Next(40, 256);
            pixels[4 * k] = pixels[4 * k + 1] = pixels[4 * k + 2] = v;
            pixels[4 * k + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, tile.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(tile);
        float scale = cellPixels > 1 ? cellPixels : ShortSide * 1.5f / cells;
        return image.ToShader(SKShaderTileMode.Repeat, SKShaderTileMode.Repeat, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None),
            SKMatrix.CreateScale(scale, scale));
    }

    private static SKColor Hsv(double hue, double saturation, double value) =>
        SKColor.FromHsv((float)(hue % 360), (float)(saturation * 100), (float)(value * 100));

    private static int Mix(int seed, int index)
    {
        // SplitMix-style integer mix: independent streams per (seed, index) for System.Random's seeded generator.
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>
    /// Writes images 0..count-1 as WebDataset shards "{folder}/shard-{000000..}.tar" (members "{index:D8}.jpg" and
    /// ".cls") with <c>classes.txt</c> beside them, and with <paramref name="imageFolder"/> also as an ImageFolder tree
    /// "{imageFolder}/{wnid}/{wnid}_{index:D8}.JPEG" (torchvision's ImageFolder sorts the wnids into the same class
    /// order). Renders on all cores, one shard at a time, so memory stays at about one shard of JPEGs.
    /// </summary>
    /// <returns>The shard paths, in order.</returns>
    public static IReadOnlyList<string> Write(int count, string folder, int seed = 0, int shardSize = 1000, string? imageFolder = null)
    {
        if (count <= 0) throw new SelectBenchException($"--images must be positive (got {count}).");
        if (shardSize <= 0) throw new SelectBenchException($"--shard-size must be positive (got {shardSize}).");
        Directory.CreateDirectory(folder);
        WebDatasetWriter.WriteClasses(LabelSet, folder);
        if (imageFolder != null)
            for (int c = 0; c < Classes; c++) Directory.CreateDirectory(Path.Combine(imageFolder, Wnid(c)));
        var paths = new List<string>();
        using var bar = new ProgressBar("imagenet-like", count);
        for (int start = 0, shard = 0; start < count; start += shardSize, shard++)
        {
            int end = Math.Min(count, start + shardSize);
            var rendered = new (byte[] Jpeg, int Label)[end - start];
            Parallel.For(start, end, i =>
            {
                rendered[i - start] = Render(i, seed);
                if (imageFolder != null)
                {
                    var wnid = Wnid(rendered[i - start].Label);
                    File.WriteAllBytes(Path.Combine(imageFolder, wnid, $"{wnid}_{i:D8}.JPEG"), rendered[i - start].Jpeg);
                }
                bar.Advance();
            });
            var path = Path.Combine(folder, $"shard-{shard:D6}.tar");
            WebDatasetWriter.WriteShard(path, Members(rendered, start));
            paths.Add(path);
        }
        return paths;
    }

    private static IEnumerable<(string, byte[])> Members((byte[] Jpeg, int Label)[] rendered, int start)
    {
        for (int k = 0; k < rendered.Length; k++)
        {
            var key = (start + k).ToString("D8", CultureInfo.InvariantCulture);
            yield return ($"{key}.jpg", rendered[k].Jpeg);
            yield return ($"{key}.cls", System.Text.Encoding.ASCII.GetBytes(rendered[k].Label.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
