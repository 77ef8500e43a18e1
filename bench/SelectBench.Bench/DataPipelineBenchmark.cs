using System.Diagnostics;
using SelectBench.Data;
using SelectBench.Models;
using SelectBench.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Bench;

/// <summary>
/// What the trainer's data pipeline costs next to the training step: batch assembly from the ImageSet
/// (index_select of uint8 pixels, conversion to float) and augmentation (random crop or random-resized
/// crop, flip, normalisation), each timed per batch of 128 and shown as a share of the fwd+bwd+SGD step.
/// The issue's target: loading plus augmentation under 5% of step time.
/// </summary>
public sealed class DataPipelineBenchmark : IBenchmark
{
    public string Name => "data-pipeline";
    public string Description => "Batch assembly + augmentation time vs training step time (target < 5%)";

    private sealed record Case(string Model, int Count, int Channels, int Size, string Crop);

    public int Run(string[] args)
    {
        int steps = TrainingThroughputBenchmark.IntOption(args, "--steps", 10);
        int threads = TrainingThroughputBenchmark.IntOption(args, "--threads", 2);
        int batch = TrainingThroughputBenchmark.IntOption(args, "--batch", 128);
        torch.set_num_threads(threads);
        Console.WriteLine($"data pipeline: batch {batch}, {threads} threads, {steps} timed batches (ms per batch)");
        Console.WriteLine($"{"model",-10} {"data",-16} {"crop",-8} {"assembly",9} {"augment",9} {"step",9} {"pipeline/step",14}");
        bool ok = true;
        foreach (var c in new[] { new Case("resnet20", 60000, 1, 28, "pad"), new Case("resnet18", 10000, 3, 64, "resized") })
        {
            var (assembly, augment, step) = Measure(c, batch, steps);
            double share = (assembly + augment) / step;
            ok &= share < 0.05;
            Console.WriteLine($"{c.Model,-10} {$"{c.Count}x{c.Channels}x{c.Size}x{c.Size}",-16} {c.Crop,-8} {assembly,9:F2} {augment,9:F2} {step,9:F1} {share,13:P2}");
        }
        Console.WriteLine(ok ? "pipeline below 5% of step time: yes" : "pipeline below 5% of step time: NO");
        return 0;
    }

    private static (double AssemblyMs, double AugmentMs, double StepMs) Measure(Case c, int batch, int steps)
    {
        var random = new Random(0);
        var pixels = new byte[(long)c.Count * c.Channels * c.Size * c.Size];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, c.Count).Select(i => i % 10).ToArray();
        var set = new ImageSet(pixels, labels, LabelSet.Numbered(10), c.Channels, c.Size, c.Size);
        var normalization = InputNormalization.FromImages(set);
        using var data = new ImageTensors(set);
        using var generator = new Generator(1, CPU);
        using var model = ModelZoo.Create(c.Model, c.Channels, 10, generator: generator);
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        using var order = randperm(c.Count, generator: generator);
        var assembly = new Stopwatch();
        var augment = new Stopwatch();
        var step = new Stopwatch();
        for (int i = -2; i < steps; i++)  // two untimed warm-up batches
        {
            using var scope = NewDisposeScope();
            if (i == 0) { assembly.Reset(); augment.Reset(); step.Reset(); }
            assembly.Start();
            var idx = order.narrow(0, (long)Math.Max(0, i + 2) * batch % (c.Count - batch), batch);
            var x = data.Batch(idx, CPU);
            var y = data.BatchLabels(idx, CPU);
            assembly.Stop();
            augment.Start();
            x = c.Crop == "pad" ? BatchAugmenter.RandomCrop(x, 2, generator) : BatchAugmenter.RandomResizedCrop(x, 0.25, generator);
            x = BatchAugmenter.HorizontalFlip(x, generator);
            ImageTensors.Normalize(x, normalization);
            augment.Stop();
            step.Start();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss.item<float>();
            step.Stop();
        }
        return (assembly.Elapsed.TotalMilliseconds / steps, augment.Elapsed.TotalMilliseconds / steps, step.Elapsed.TotalMilliseconds / steps);
    }
}
