namespace SelectBench.Curation.Generators;

/// <summary>
/// Per-image seeds and Gaussian noise that do not depend on batch order, thread count or torch's global
/// generator: each generated image gets its own seed mixed from (run seed, stream, index), so one image can
/// be regenerated alone and two runs with the same seed agree bit for bit.
/// </summary>
internal static class SampleSeeds
{
    /// <summary>SplitMix64 finaliser (Steele, Lea, Flood 2014; the constants of java.util.SplittableRandom).</summary>
    public static long Mix(long seed, long stream, long index)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + (ulong)index + 0x632BE59BD9B4E5F5UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return unchecked((long)(z & 0x7FFF_FFFF_FFFF_FFFFUL));
    }

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
