using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Applies corruptions to whole image sets, in parallel over images. Every image gets its own
/// <see cref="CorruptionRandom"/> seeded from (seed, corruption index, severity, image index), so a
/// corrupted set depends only on the seed, never on thread scheduling or batch composition. These make a
/// materialised copy; <see cref="CorruptedImages"/> gives the same pixels batch by batch without one.
/// </summary>
public static class CorruptionSuite
{
    /// <summary>A corrupted copy of <paramref name="images"/> (same labels, ids, provenance).</summary>
    public static ImageSet Corrupt(ImageSet images, string corruption, int severity, long seed) =>
        Corrupt(images, Corruptions.Get(corruption), severity, seed);

    public static ImageSet Corrupt(ImageSet images, Corruption corruption, int severity, long seed) =>
        new CorruptedImages(images, corruption, severity, seed).Batch(0, images.Count);

    /// <summary>Corrupts <paramref name="count"/> NCHW images held in <paramref name="pixels"/>.</summary>
    public static byte[] CorruptPixels(byte[] pixels, int count, int channels, int height, int width,
                                       Corruption corruption, int severity, long seed, int? maxDegreeOfParallelism = null)
    {
        if (channels != 1 && channels != 3)
            throw new SelectBenchException($"corruption {corruption.Name}: images must have 1 or 3 channels, got {channels}.");
        if (severity < Corruption.MinSeverity || severity > Corruption.MaxSeverity)
            throw new SelectBenchException($"corruption {corruption.Name}: severity {severity} is outside {Corruption.MinSeverity}..{Corruption.MaxSeverity}.");
        int index = Corruptions.IndexOf(corruption.Name);
        if (index < 0)
            throw new SelectBenchException($"corruption {corruption.Name} is not in Corruptions.All, so it has no seed index.");
        int size = channels * height * width;
        if ((long)count * size != pixels.LongLength)
            throw new ArgumentException($"{count} images of {channels}x{height}x{width} need {(long)count * size} bytes, got {pixels.LongLength}");
        var output = new byte[pixels.LongLength];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, count, options, i =>
        {
            var rng = CorruptionRandom.ForImage(seed, index, severity, i);
            corruption.Apply(pixels.AsSpan(i * size, size), output.AsSpan(i * size, size), channels, height, width, severity, rng);
        });
        return output;
    }
}
