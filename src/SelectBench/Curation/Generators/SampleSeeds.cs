using SelectBench.Common;

namespace SelectBench.Curation.Generators;

/// <summary>
/// Per-image seeds and Gaussian noise that do not depend on batch order, thread count or torch's global
/// generator: each generated image gets its own seed mixed from (run seed, stream, index), so one image can
/// be regenerated alone and two runs with the same seed agree bit for bit.
/// </summary>
internal static class SampleSeeds
{
    /// <summary>The seed of one generated image (<see cref="Seeds.GeneratedSample"/>).</summary>
    public static long Mix(long seed, long stream, long index) => Seeds.GeneratedSample(seed, stream, index);

    /// <summary>Fills <paramref name="target"/> with N(0, 1) draws by the Box-Muller transform from a generator seeded by <paramref name="seed"/>.</summary>
    public static void FillGaussian(long seed, Span<float> target)
    {
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        for (int i = 0; i < target.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(); // in (0, 1], so the log is finite
            double u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            target[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < target.Length) target[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
    }
}
