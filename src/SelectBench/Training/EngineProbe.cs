using System.Diagnostics;
using SelectBench.Engine;
using SelectBench.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>What <see cref="EngineProbe"/> measured under one engine configuration.</summary>
/// <param name="InitialLogits">Eval-mode logits of the freshly initialised network on the probe's images
/// (identical weights in every configuration: a pure inference comparison).</param>
/// <param name="Losses">The training loss at every step.</param>
/// <param name="ImagesPerSecond">Training throughput over the steps after the first (which builds kernels).</param>
public sealed record EngineProbeResult(string Model, int Steps, int BatchSize, float[] InitialLogits, double[] Losses, double ImagesPerSecond);

/// <summary>
/// A short, deterministic training of the configuration the issue reports diverging on AVX-512 machines
/// (ResNet-20 at width 0.5 on 28x28 grey images, SGD with momentum and weight decay, batch 64): used by
/// <c>selectbench doctor</c> and the ISA-matrix tests to run the same computation under several engine
/// configurations and compare. The images are generated from a seed (ten classes, each lighting one block
/// of a 4x4 grid over noise), so no data set is needed.
/// </summary>
public static class EngineProbe
{
    public const string Model = "resnet20";
    public const double Width = 0.5;
    public const int BatchSize = 64, Size = 28;

    public static EngineProbeResult Run(int steps = 20, int threads = 0)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), "the probe needs at least 2 steps");
        TorchEngine.EnsureReady(threads);
        var (pixels, labels) = Images(BatchSize * steps, seed: 7);
        using var generator = new Generator(11, CPU);
        using var model = ModelZoo.Create(Model, 1, 10, Width, generator);
        float[] initialLogits;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.eval();
            initialLogits = model.forward(Batch(pixels, 0)).contiguous().data<float>().ToArray();
            model.train();
        }
        using var optimizer = new ScalarSafeSgd(model.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true);
        var losses = new double[steps];
        var clock = new Stopwatch();
        for (int step = 0; step < steps; step++)
        {
            if (step == 1) clock.Start();
            using var scope = NewDisposeScope();
            var x = Batch(pixels, step);
            using var y = tensor(labels.AsSpan(step * BatchSize, BatchSize).ToArray().Select(l => (long)l).ToArray(), dtype: ScalarType.Int64);
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            losses[step] = loss.item<float>();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        clock.Stop();
        double imagesPerSecond = (steps - 1) * BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        return new EngineProbeResult($"{Model} x{Width}", steps, BatchSize, initialLogits, losses, imagesPerSecond);
    }

    private static Tensor Batch(byte[] pixels, int index)
    {
        using var scope = NewDisposeScope();
        var bytes = pixels.AsSpan(index * BatchSize * Size * Size, BatchSize * Size * Size).ToArray();
        return tensor(bytes, [BatchSize, 1, Size, Size], ScalarType.Byte).to_type(ScalarType.Float32).div_(Scalars.Byte255).MoveToOuterDisposeScope();
    }

    private static (byte[] Pixels, int[] Labels) Images(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * Size * Size];
        var labels = new int[count];
        const int block = Size / 4;
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(10);
            labels[i] = c;
            int by = c / 4 * block, bx = c % 4 * block;
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    bool lit = y >= by && y < by + block && x >= bx && x < bx + block;
                    pixels[i * Size * Size + y * Size + x] = (byte)(rng.Next(80) + (lit ? 160 : 0));
                }
        }
        return (pixels, labels);
    }
}

/// <summary>
/// How far two probe runs under different engine configurations are apart, and whether that is within
/// round-off. Inference compares eval-mode logits of identical weights: different kernels sum in different
/// orders, which moves float32 results by a few ulps of the largest logit (measured: below 1e-6 relative), so
/// 1e-4 allows two orders of headroom while a wrong kernel misses by order 1. Training compares the loss at
/// every step: round-off differences feed back through the updates and grow with the steps, so the bound is
/// looser (see <see cref="LossTolerance"/>).
/// </summary>
public sealed record EngineComparison(double LogitDifference, double LossDifference, bool Finite)
{
    public const double LogitTolerance = 1e-4;

    /// <summary>
    /// Relative per-step loss difference allowed. Measured between oneDNN at AVX2, at AVX10_1_512 and oneDNN off
    /// on an Intel Xeon (Sapphire Rapids): at most 4e-4 over the first 5 steps, 2.4e-2 by step 20 (round-off fed back
    /// through 20 updates at learning rate 0.05 with Nesterov momentum); 0.1 leaves 4x headroom at 20 steps,
    /// while a wrong kernel gives NaN or a loss that does not fall.
    /// </summary>
    public const double LossTolerance = 0.1;

    public bool Agrees => Finite && LogitDifference <= LogitTolerance && LossDifference <= LossTolerance;

    public string Describe() => !Finite ? "non-finite values"
        : $"logits differ by {LogitDifference:G3} (allowed {LogitTolerance:G1}), losses by {LossDifference:G3} (allowed {LossTolerance:G1})";

    public static EngineComparison Compare(EngineProbeResult reference, EngineProbeResult other)
    {
        if (reference.InitialLogits.Length != other.InitialLogits.Length || reference.Losses.Length != other.Losses.Length)
            throw new ArgumentException("the two probe runs have different shapes; compare runs with the same --steps.");
        bool finite = other.InitialLogits.All(float.IsFinite) && other.Losses.All(double.IsFinite)
                      && reference.InitialLogits.All(float.IsFinite) && reference.Losses.All(double.IsFinite);
        double scale = Math.Max(reference.InitialLogits.Max(v => Math.Abs((double)v)), 1e-12);
        double logit = reference.InitialLogits.Zip(other.InitialLogits, (a, b) => Math.Abs((double)a - b)).Max() / scale;
        double loss = reference.Losses.Zip(other.Losses, (a, b) => Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-12)).Max();
        return new EngineComparison(finite ? logit : double.PositiveInfinity, finite ? loss : double.PositiveInfinity, finite);
    }
}
