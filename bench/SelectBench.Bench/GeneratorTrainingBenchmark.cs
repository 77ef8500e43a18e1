using System.Diagnostics;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Bench;

/// <summary>
/// Trains the built-in conditional VAE generator on part G (10,000 images) of the FashionMNIST++ partition and
/// reports training time, final loss terms, img2img reconstruction error by strength and sampling speed.
/// Usage: generator-training [fashion-mnist folder] [epochs] [torch threads] [output folder]. With an output
/// folder it also saves the generator there and writes samples.png (rows: txt2img samples of each class;
/// then prompts and their img2img outputs at strengths 0, 0.25, 0.5, 0.75, 1).
/// </summary>
public sealed class GeneratorTrainingBenchmark : IBenchmark
{
    public string Name => "generator-training";
    public string Description => "train the conditional VAE on FashionMNIST++ part G; time, loss, img2img error by strength";

    public int Run(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist";
        int epochs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : new CvaeTrainingSettings().Epochs;
        if (args.Length > 2) TorchSharp.torch.set_num_threads(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        var train = FashionMnist.Load(folder).Train;
        var parts = WorldPartition.Split(train, new WorldPartitionSettings(DistractorFraction: 0), distractors: null);
        Console.WriteLine($"part G: {parts.GeneratorTraining.Count} images, torch threads {TorchSharp.torch.get_num_threads()}");
        using var generator = ConditionalVaeGenerator.Train(parts.GeneratorTraining, new CvaeTrainingSettings(Epochs: epochs));
        var r = generator.Report;
        Console.WriteLine($"trained {r.Steps} steps ({epochs} epochs) in {r.Seconds:F1} s wall, {r.CpuSeconds:F1} s CPU " +
                          $"({r.Images * (double)epochs / r.Seconds:F0} img/s wall, {r.Images * (double)epochs / r.CpuSeconds:F0} img per CPU-second; " +
                          $"load average at end {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Console.WriteLine($"final reconstruction BCE {r.FinalReconstruction:F1} nats/image, KL {r.FinalKl:F1} nats/image");
        var prompts = parts.HeldOut.Select(Enumerable.Range(0, 1000).ToArray());
        Console.WriteLine("strength | mean abs pixel error vs prompt (0..255)");
        foreach (var s in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            var outSet = generator.FromImagePrompts(prompts, s, seed: 1);
            double err = 0;
            for (int i = 0; i < outSet.Pixels.Length; i++) err += Math.Abs(outSet.Pixels[i] - prompts.Pixels[i]);
            Console.WriteLine($"{s,8:F2} | {err / outSet.Pixels.Length:F1}");
        }
        var clock = Stopwatch.StartNew();
        var samples = generator.FromClassPrompts(train.LabelSet, Enumerable.Repeat(200, 10).ToArray(), seed: 1);
        Console.WriteLine($"txt2img: {samples.Count} images in {clock.Elapsed.TotalSeconds:F2} s");
        if (args.Length > 3)
        {
            generator.Save(args[3]);
            var rows = new List<ImageSet>();
            for (int c = 0; c < 10; c++) rows.Add(samples.Select(Enumerable.Range(c * 200, 10).ToArray()));
            var tenPrompts = prompts.Select(Enumerable.Range(0, 10).ToArray());
            rows.Add(tenPrompts);
            foreach (var s in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }) rows.Add(generator.FromImagePrompts(tenPrompts, s, seed: 2));
            WriteGrid(rows, Path.Combine(args[3], "samples.png"));
            Console.WriteLine($"saved the generator and samples.png to {args[3]}");
        }
        return 0;
    }

    /// <summary>A grey PNG with one row of 28x28 tiles per set, scaled x2.</summary>
    private static void WriteGrid(IReadOnlyList<ImageSet> rows, string path)
    {
        const int scale = 2;
        int side = rows[0].Height, cols = rows.Max(r => r.Count);
        using var bitmap = new SkiaSharp.SKBitmap(cols * side * scale, rows.Count * side * scale, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        int stride = bitmap.RowBytes;
        for (int r = 0; r < rows.Count; r++)
            for (int i = 0; i < rows[r].Count; i++)
            {
                var img = rows[r].Image(i);
                for (int y = 0; y < side * scale; y++)
                    for (int x = 0; x < side * scale; x++)
                        pixels[(r * side * scale + y) * stride + i * side * scale + x] = img[(y / scale) * side + x / scale];
            }
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        SelectBench.Common.AtomicFile.WriteAllBytes(path, png.AsSpan());
    }
}
