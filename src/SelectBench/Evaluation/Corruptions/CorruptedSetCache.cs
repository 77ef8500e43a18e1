using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SelectBench.Data;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// An on-disk cache of corrupted eval sets, so that every model evaluated on the same clean set reads the
/// same 15 x 5 corrupted copies instead of recomputing them. A copy lives in
/// <c>root/&lt;clean fingerprint&gt;/&lt;corruption&gt;/s&lt;severity&gt;-seed&lt;seed&gt;-v&lt;AlgorithmVersion&gt;/</c> as an
/// <see cref="ImageSetStore"/> folder (manifest written last, so an interrupted write is never read).
/// The fingerprint is a SHA-256 of the clean set's shape, pixels and labels: a changed eval set can
/// never be served a stale corrupted copy.
/// <para>Only small sets are cached (<see cref="Pays"/>): there the copies cost little disk and every model of a
/// run reads them instead of corrupting again (glass blur takes about 30 ms per 224 px image). Larger sets are
/// corrupted on the fly, batch by batch (<see cref="CorruptedImages"/>), to the same pixels.</para>
/// </summary>
public sealed class CorruptedSetCache
{
    /// <summary>
    /// Bump when any corruption's output changes for a given seed, to invalidate old copies.
    /// 2: zoom_blur and pixelate follow the reference bit for bit, frost textures fitted to the photographs.
    /// </summary>
    public const int AlgorithmVersion = 2;

    /// <summary>
    /// The most corrupted bytes cached for one clean set (every corruption asked for x 5 severities): 1 GiB, e.g.
    /// 10,000 images of 1x28x28 x 75 = 0.59 GB; ImageNet val at 3x224x224 would need 564 GB.
    /// </summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>Whether <paramref name="corruptions"/> corruptions x 5 severities of <paramref name="clean"/> fit in <see cref="MaxBytes"/>.</summary>
    public static bool Pays(ImageSet clean, int corruptions) =>
        (long)clean.Count * clean.ImageSize * corruptions * Corruptions.Severities.Count <= MaxBytes;

    private static readonly ConditionalWeakTable<ImageSet, string> Fingerprints = new();

    public string Root { get; }

    public CorruptedSetCache(string root) => Root = root;

    /// <summary>The corrupted copy from the cache, or computed (in parallel) and saved first.</summary>
    public ImageSet GetOrCreate(ImageSet clean, Corruption corruption, int severity, long seed)
    {
        string folder = FolderFor(clean, corruption, severity, seed);
        if (ImageSetStore.Exists(folder))
        {
            var cached = ImageSetStore.Load(folder);
            if (cached.Count == clean.Count && cached.ImageSize == clean.ImageSize)
                return new ImageSet(cached.Pixels, clean.Labels, clean.LabelSet, clean.Channels, clean.Height, clean.Width, clean.Ids, clean.Provenance);
        }
        var corrupted = CorruptionSuite.Corrupt(clean, corruption, severity, seed);
        ImageSetStore.Save(corrupted, folder,
            $"{corruption.Name} severity {severity} seed {seed} (corruption algorithm v{AlgorithmVersion}) of clean set {Fingerprint(clean)}");
        return corrupted;
    }

    public string FolderFor(ImageSet clean, Corruption corruption, int severity, long seed) =>
        Path.Combine(Root, Fingerprint(clean), corruption.Name,
            string.Create(CultureInfo.InvariantCulture, $"s{severity}-seed{seed}-v{AlgorithmVersion}"));

    /// <summary>First 16 hex digits of SHA-256 over shape, pixels and labels; computed once per set instance.</summary>
    public static string Fingerprint(ImageSet set) => Fingerprints.GetValue(set, Compute);

    private static string Compute(ImageSet set)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[16];
        BitConverter.TryWriteBytes(header[..4], set.Count);
        BitConverter.TryWriteBytes(header[4..8], set.Channels);
        BitConverter.TryWriteBytes(header[8..12], set.Height);
        BitConverter.TryWriteBytes(header[12..16], set.Width);
        hash.AppendData(header);
        for (int i = 0; i < set.Count; i++) hash.AppendData(set.Image(i)); // the same bytes as the whole array, image by image
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(set.Labels.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
