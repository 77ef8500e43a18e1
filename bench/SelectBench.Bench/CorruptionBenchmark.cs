using System.Diagnostics;
using System.Globalization;
using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Bench;

/// <summary>
/// Throughput of every ImageNet-C corruption over all five severities, through the parallel batch API
/// (CorruptionSuite.CorruptPixels) as evaluation uses it. Default: 2,000 random 28x28 grey images (the
/// acceptance setting of issue 4: at least 2,000 images/s per corruption on average). Also prints the
/// mean absolute change per severity on the same images, the quantity the severity tests check.
/// Options: --count N, --size CxHxW (e.g. 3x64x64), --seed S, --threads T, --only name[,name], --preview file.png (writes a
/// 15 x 6 grid: a synthetic scene, clean and at severities 1-5, one row per corruption, for a visual check).
/// </summary>
public sealed class CorruptionBenchmark : IBenchmark
{
    public string Name => "corruptions";
    public string Description => "images/s of each ImageNet-C corruption (5 severities), default 2,000 28x28 grey images";

    public int Run(string[] args)
    {
        int count = 2000, channels = 1, height = 28, width = 28, threads = Environment.ProcessorCount;
        long seed = 0;
        string? preview = null;
        string[]? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--preview": preview = args[++i]; break;
                case "--only": only = args[++i].Split(','); break;
                case "--size":
                    var parts = args[++i].Split('x').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                    (channels, height, width) = (parts[0], parts[1], parts[2]);
                    break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[i]}'; options: --count N --size CxHxW --seed S --threads T --only a,b --preview file.png");
                    return 2;
            }
        }

        if (preview != null)
        {
            WritePreview(preview, channels, height, width, seed);
            return 0;
        }
        int size = channels * height * width;
        var pixels = new byte[count * size];
        new Random(12345).NextBytes(pixels);
        // Random bytes are a worst case for nothing in particular; smooth them a little so blurs and JPEG
        // see image-like content: average each pixel with its left neighbour.
        for (int i = 1; i < pixels.Length; i++) pixels[i] = (byte)((pixels[i] + pixels[i - 1]) / 2);

        // Warm up: JIT, frost texture cache, SkiaSharp native load.
        foreach (var c in Corruptions.All)
            CorruptionSuite.CorruptPixels(pixels.AsSpan(0, Math.Min(count, 16) * size).ToArray(), Math.Min(count, 16), channels, height, width, c, 5, seed, threads);

        Console.WriteLine($"corruptions benchmark: {count} images of {channels}x{height}x{width}, severities 1-5, {threads} threads");
        Console.WriteLine($"{"corruption",-20} {"images/s",10}   mean |change| per severity 1..5");
        var rates = new List<(string Name, double Rate)>();
        foreach (var corruption in Corruptions.All.Where(c => only == null || only.Contains(c.Name)))
        {
            var changes = new double[5];
            var watch = Stopwatch.StartNew();
            var outputs = new byte[5][];
            for (int severity = 1; severity <= 5; severity++)
                outputs[severity - 1] = CorruptionSuite.CorruptPixels(pixels, count, channels, height, width, corruption, severity, seed, threads);
            watch.Stop();
            for (int s = 0; s < 5; s++)
            {
                long sum = 0;
                for (int i = 0; i < pixels.Length; i++) sum += Math.Abs(outputs[s][i] - pixels[i]);
                changes[s] = (double)sum / pixels.Length;
            }
            double rate = 5.0 * count / watch.Elapsed.TotalSeconds;
            rates.Add((corruption.Name, rate));
            Console.WriteLine($"{corruption.Name,-20} {rate,10:F0}   {string.Join(" ", changes.Select(c => c.ToString("F2", CultureInfo.InvariantCulture).PadLeft(6)))}");
        }
        double mean = rates.Average(r => r.Rate);
        var slowest = rates.MinBy(r => r.Rate);
        Console.WriteLine($"{"average",-20} {mean,10:F0}");
        Console.WriteLine($"slowest: {slowest.Name} ({slowest.Rate:F0} images/s)");
        Console.WriteLine(mean >= 2000 ? "meets the 2,000 images/s average target" : "BELOW the 2,000 images/s average target");
        return 0;
    }

    private static void WritePreview(string path, int channels, int height, int width, long seed)
    {
        int size = channels * height * width;
        var scene = new byte[size];
        for (int ch = 0; ch < channels; ch++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 50 + 110.0 * x / width + 50.0 * y / height + 8 * Math.Sin(0.7 * x + 0.3 * y);
                    double dx = x - 0.4 * width, dy = y - 0.45 * height;
                    if (dx * dx + dy * dy < 0.05 * width * height) v = ch switch { 0 => 220, 1 => 150, _ => 60 };
                    if (x > 0.7 * width && x < 0.78 * width && y > 0.2 * height) v = ch == 2 ? 140 : 30;
                    scene[(ch * height + y) * width + x] = (byte)Math.Clamp(v, 0, 255);
                }
        var all = Corruptions.All;
        int gridW = 6 * (width + 2), gridH = all.Count * (height + 2);
        using var bitmap = new SkiaSharp.SKBitmap(gridW, gridH, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Opaque);
        bitmap.Erase(SkiaSharp.SKColors.White);
        for (int row = 0; row < all.Count; row++)
            for (int col = 0; col < 6; col++)
            {
                byte[] img = col == 0
                    ? scene
                    : CorruptionSuite.CorruptPixels(scene, 1, channels, height, width, all[row], col, seed, 1);
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        int p = y * width + x, plane = height * width;
                        byte r = img[p], g = channels == 3 ? img[plane + p] : r, b = channels == 3 ? img[2 * plane + p] : r;
                        bitmap.SetPixel(col * (width + 2) + x, row * (height + 2) + y, new SkiaSharp.SKColor(r, g, b));
                    }
            }
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        SelectBench.Common.AtomicFile.WriteAllBytes(path, data.AsSpan());
        Console.WriteLine($"wrote {path}: rows {string.Join(", ", all.Select(c => c.Name))}; columns clean, severity 1..5");
    }
}
