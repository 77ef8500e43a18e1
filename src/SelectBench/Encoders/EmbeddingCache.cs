using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

/// <summary>What an embedding cache entry holds; written after the .npy, so its presence marks a complete entry.</summary>
public sealed record EmbeddingCacheManifest(
    string Encoder, string DatasetFingerprint, int Count, int Dimension,
    int Channels, int Height, int Width, DateTime CreatedUtc, double EncodeSeconds);

/// <summary>
/// On-disk cache of embeddings, one entry per (encoder name, dataset fingerprint):
/// <c>{folder}/{encoder-name-sanitised}/{fingerprint}/embeddings.npy</c> (float32, Count x Dimension) and
/// <c>manifest.json</c>. Both files are written atomically and the manifest last, so a run killed midway
/// leaves no entry that looks complete. An entry whose manifest disagrees with the request (another count
/// or dimension) is recomputed and overwritten.
/// </summary>
public static class EmbeddingCache
{
    public const string EmbeddingsFile = "embeddings.npy";
    public const string ManifestFile = "manifest.json";

    public static Embeddings GetOrCompute(IImageEncoder encoder, ImageSet images, string folder)
    {
        var fingerprint = ImageSetFingerprint.Of(images);
        var entry = EntryFolder(folder, encoder.Name, fingerprint);
        if (TryLoad(entry, encoder, images, fingerprint) is { } cached) return cached;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var embeddings = encoder.Encode(images);
        if (embeddings.Count != images.Count || embeddings.Dimension != encoder.Dimension || embeddings.Data.Length != embeddings.Count * embeddings.Dimension)
            throw new SelectBenchException(
                $"encoder '{encoder.Name}' returned {embeddings.Count} x {embeddings.Dimension} embeddings for {images.Count} images (expected dimension {encoder.Dimension}).");
        Npy.Write(Path.Combine(entry, EmbeddingsFile), embeddings.Data, embeddings.Count, embeddings.Dimension);
        AtomicFile.WriteJson(Path.Combine(entry, ManifestFile), new EmbeddingCacheManifest(
            encoder.Name, fingerprint, embeddings.Count, embeddings.Dimension,
            images.Channels, images.Height, images.Width, DateTime.UtcNow, clock.Elapsed.TotalSeconds));
        return embeddings;
    }

    /// <summary>The folder of one cache entry. Readable names; a hash suffix keeps sanitised names unique.</summary>
    public static string EntryFolder(string folder, string encoderName, string fingerprint)
    {
        var safe = new StringBuilder();
        foreach (var c in encoderName) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        if (safe.ToString() != encoderName || safe.Length > 80)
        {
            var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(encoderName)).AsSpan(0, 4));
            var head = safe.ToString();
            safe.Clear().Append(head[..Math.Min(head.Length, 80)]).Append('-').Append(suffix);
        }
        return Path.Combine(folder, safe.ToString(), fingerprint);
    }

    private static Embeddings? TryLoad(string entry, IImageEncoder encoder, ImageSet images, string fingerprint)
    {
        var manifestPath = Path.Combine(entry, ManifestFile);
        var dataPath = Path.Combine(entry, EmbeddingsFile);
        if (!File.Exists(manifestPath) || !File.Exists(dataPath)) return null;
        EmbeddingCacheManifest manifest;
        try { manifest = Json.Read<EmbeddingCacheManifest>(manifestPath); }
        catch (SelectBenchException) { return null; } // unreadable manifest: recompute and overwrite
        if (manifest.Encoder != encoder.Name || manifest.DatasetFingerprint != fingerprint ||
            manifest.Count != images.Count || manifest.Dimension != encoder.Dimension) return null;
        var (data, shape) = Npy.ReadFloat32(dataPath);
        if (shape.Length != 2 || shape[0] != manifest.Count || shape[1] != manifest.Dimension)
            throw new BadInputException(dataPath, $"holds shape ({string.Join(",", shape)}) but its manifest says {manifest.Count} x {manifest.Dimension}; delete the folder {entry} to have it rebuilt.");
        return new Embeddings(data, manifest.Count, manifest.Dimension);
    }
}
