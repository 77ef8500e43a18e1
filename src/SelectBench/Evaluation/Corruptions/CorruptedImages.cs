using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// A clean set seen through one corruption at one severity and seed, computed on the fly: image i's corrupted
/// pixels are made when asked for, from the clean image (<see cref="ImageSet.Image"/>, so out-of-core sets work)
/// and a generator seeded from (seed, corruption, severity, i) alone (<see cref="CorruptionRandom.ForImage"/>).
/// An image is therefore the same alone, in a batch of any size, in any order and on any thread, and the same as
/// in the materialised copy of <see cref="CorruptionSuite.Corrupt(ImageSet, Corruption, int, long)"/>. Nothing
/// holds more than one batch of corrupted pixels, so an eval run needs no 75 stored copies (docs/corruptions.md,
/// "On the fly").
/// </summary>
public sealed class CorruptedImages
{
    /// <summary>
    /// Images per batch of <see cref="Batches"/>: a multiple of the classifiers' inference batch sizes (256 for
    /// TorchSharp, 64 for ONNX), so a model sees the same forward batches as on the materialised set.
    /// </summary>
    public const int DefaultBatch = 1024;

    private readonly int _corruptionIndex;

    public ImageSet Clean { get; }
    public Corruption Corruption { get; }
    public int Severity { get; }
    public long Seed { get; }
    public int Count => Clean.Count;

    /// <summary>Threads a batch is corrupted on; null = all processors. No pixel depends on it.</summary>
    public int? Threads { get; init; }

    public CorruptedImages(ImageSet clean, Corruption corruption, int severity, long seed)
    {
        if (clean.Channels != 1 && clean.Channels != 3)
            throw new SelectBenchException($"corruption {corruption.Name}: images must have 1 or 3 channels, got {clean.Channels}.");
        if (severity < Corruption.MinSeverity || severity > Corruption.MaxSeverity)
            throw new SelectBenchException($"corruption {corruption.Name}: severity {severity} is outside {Corruption.MinSeverity}..{Corruption.MaxSeverity}.");
        _corruptionIndex = Corruptions.IndexOf(corruption.Name);
        if (_corruptionIndex < 0)
            throw new SelectBenchException($"corruption {corruption.Name} is not in Corruptions.All, so it has no seed index.");
        Clean = clean;
        Corruption = corruption;
        Severity = severity;
        Seed = seed;
    }

    /// <summary>Image <paramref name="index"/> of the clean set, corrupted, into <paramref name="output"/> (C x H x W bytes).</summary>
    public void CopyImage(int index, Span<byte> output)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is outside 0..{Count - 1}");
        var rng = CorruptionRandom.ForImage(Seed, _corruptionIndex, Severity, index);
        Corruption.Apply(Clean.Image(index), output, Clean.Channels, Clean.Height, Clean.Width, Severity, rng);
    }

    /// <summary>Image <paramref name="index"/>, corrupted, as a new array.</summary>
    public byte[] Image(int index)
    {
        var output = new byte[Clean.ImageSize];
        CopyImage(index, output);
        return output;
    }

    /// <summary>Clean images <paramref name="indices"/>, corrupted, as an in-memory set in that order (labels, ids and provenance follow).</summary>
    public ImageSet Batch(IReadOnlyList<int> indices)
    {
        int size = Clean.ImageSize, n = indices.Count;
        var pixels = new byte[(long)n * size];
        var labels = new int[n];
        var ids = new string[n];
        var provenance = Clean.Provenance == null ? null : new SampleProvenance[n];
        for (int k = 0; k < n; k++)
        {
            int i = indices[k];
            labels[k] = Clean.Labels[i];
            ids[k] = Clean.Ids[i];
            if (provenance != null) provenance[k] = Clean.Provenance![i];
        }
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Threads ?? Environment.ProcessorCount },
            k => CopyImage(indices[k], pixels.AsSpan((int)((long)k * size), size)));
        return new ImageSet(pixels, labels, Clean.LabelSet, Clean.Channels, Clean.Height, Clean.Width, ids, provenance);
    }

    /// <summary>Clean images first..first+count-1, corrupted.</summary>
    public ImageSet Batch(int first, int count) => Batch(Enumerable.Range(first, count).ToArray());

    /// <summary>The whole set in consecutive batches of <paramref name="batchSize"/> images, each made when enumerated.</summary>
    public IEnumerable<ImageSet> Batches(int batchSize = DefaultBatch)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "must be positive");
        for (int first = 0; first < Count; first += batchSize)
            yield return Batch(first, Math.Min(batchSize, Count - first));
    }
}
