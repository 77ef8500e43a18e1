using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;
using SkiaSharp;

namespace SelectBench.Data.Sharded;

/// <summary>
/// Writes a <see cref="ShardedImageStore"/> in one streaming pass, holding one image at a time plus the index
/// (16 bytes, a label and an id per image). Shards are named shard-000000.bin, ...; a new shard starts once the
/// current one holds <see cref="ShardBytes"/>. An image whose short side exceeds <see cref="MaxShortSide"/> is resized
/// to it and stored as JPEG (quality <see cref="JpegQuality"/>); any other image keeps its original bytes, so a
/// store of 256 px ImageNet-style JPEGs is a byte-for-byte copy. Any earlier manifest is deleted first and the new
/// one is written by <see cref="Complete"/>, last: a killed write leaves a store that refuses to open.
/// </summary>
public sealed class ShardedImageStoreWriter : IDisposable
{
    /// <summary>
    /// 256 px on the short side: the eval transform at 224 px resizes the short side to 256 (timm's crop_pct 0.875),
    /// and at the paper's 192 px to 219, so nothing a model sees is lost; FFCV's ImageNet configs store a similar
    /// max_resolution (Leclerc et al. 2023, "FFCV"). Larger sources are shrunk once at import, not at every epoch.
    /// </summary>
    public const int DefaultMaxShortSide = 256;

    /// <summary>64 MiB: large enough for sequential reads to dominate, small enough to copy or checksum one at a time.</summary>
    public const long DefaultShardBytes = 64L << 20;

    /// <summary>The quality of re-encoded (shrunk) images; FFCV's ImageNet example uses 90.</summary>
    public const int JpegQuality = 90;

    private readonly string _folder;
    private readonly string? _description;
    private readonly List<ShardedImageStore.Entry> _index = [];
    private readonly List<int> _labelList = [];
    private readonly List<string> _ids = [];
    private readonly List<ShardedImageStore.FileEntry> _shards = [];
    private FileStream? _shard;
    private IncrementalHash? _shardHash;
    private long _shardLength;
    private bool _completed;

    public int MaxShortSide { get; }
    public long ShardBytes { get; }
    public int Count => _index.Count;

    public ShardedImageStoreWriter(string folder, int maxShortSide = DefaultMaxShortSide, long shardBytes = DefaultShardBytes, string? description = null)
    {
        if (maxShortSide <= 0) throw new SelectBenchException($"The store's maximum short side must be positive (got {maxShortSide}).");
        if (shardBytes <= 0) throw new SelectBenchException($"The store's shard size must be positive (got {shardBytes}).");
        _folder = Path.GetFullPath(folder);
        _description = description;
        MaxShortSide = maxShortSide;
        ShardBytes = shardBytes;
        Directory.CreateDirectory(_folder);
        File.Delete(Path.Combine(_folder, ShardedImageStore.ManifestFile));
        foreach (var old in Directory.GetFiles(_folder, "shard-*.bin")) File.Delete(old);
    }

    /// <summary>
    /// The bytes to store for an encoded image: the original, or a JPEG shrunk to the maximum short side. Reads the
    /// header only unless it must shrink. Thread-safe (call it from parallel workers, then <see cref="Add"/> in order).
    /// </summary>
    public static byte[] Prepare(byte[] encoded, string item, int maxShortSide, long maxPixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        if (encoded.Length == 0) throw new BadInputException(item, "is empty (0 bytes), not an image.");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new BadInputException(item, "is not a decodable image (JPEG, PNG, WebP, BMP or GIF expected): corrupt or another format.");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0) throw new BadInputException(item, $"declares an empty size {info.Width}x{info.Height}.");
        if ((long)info.Width * info.Height > maxPixels)
            throw new BadInputException(item, $"declares {info.Width}x{info.Height} pixels, above the cap of {maxPixels:N0} (a guard against decompression bombs).");
        int shortSide = Math.Min(info.Width, info.Height);
        if (shortSide <= maxShortSide) return encoded;
        var decoded = ImageCodec.Decode(encoded, item,
            new ImageTransform(ResizeMode.Stretch,
                (int)Math.Round((double)info.Width * maxShortSide / shortSide), (int)Math.Round((double)info.Height * maxShortSide / shortSide)),
            maxPixels);
        return ImageCodec.Encode(decoded.Pixels, decoded.Channels, decoded.Height, decoded.Width, SKEncodedImageFormat.Jpeg, JpegQuality);
    }

    /// <summary>Appends an image (already through <see cref="Prepare"/>) with its label and id.</summary>
    public void Add(ReadOnlySpan<byte> stored, int label, string id)
    {
        if (_completed) throw new InvalidOperationException("the store is already complete");
        if (label < 0) throw new BadInputException(id, $"label {label} is negative.");
        if (id.Contains('\n')) throw new BadInputException(id.ReplaceLineEndings(" "), "sample ids must be one line.");
        if (_shard == null || _shardLength >= ShardBytes) NextShard();
        _shard!.Write(stored);
        _shardHash!.AppendData(stored);
        _index.Add(new ShardedImageStore.Entry(_shardLength, stored.Length, _shards.Count));
        _shardLength += stored.Length;
        _labelList.Add(label);
        _ids.Add(id);
    }

    private void NextShard()
    {
        CloseShard();
        var name = $"shard-{_shards.Count:D6}.bin";
        _shard = new FileStream(Path.Combine(_folder, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _shardHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _shardLength = 0;
    }

    private void CloseShard()
    {
        if (_shard == null) return;
        _shard.Flush(flushToDisk: true);
        var name = Path.GetFileName(_shard.Name);
        _shard.Dispose();
        _shards.Add(new ShardedImageStore.FileEntry(name, _shardLength, Convert.ToHexStringLower(_shardHash!.GetHashAndReset())));
        _shardHash.Dispose();
        _shard = null;
    }

    /// <summary>Writes the index, labels, ids and, last, the manifest with the label set; returns the opened store.</summary>
    public ShardedImageStore Complete(LabelSet labelSet)
    {
        foreach (var label in _labelList)
            if (label >= labelSet.Count) throw new SelectBenchException($"{_folder}: label {label} is outside the label set of {labelSet.Count} classes.");
        if (_completed) throw new InvalidOperationException("the store is already complete");
        if (_index.Count == 0) throw new SelectBenchException($"{_folder}: no images to store.");
        CloseShard();
        _completed = true;
        var index = WriteFile(ShardedImageStore.IndexFile, MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_index)).ToArray());
        var labels = WriteFile(ShardedImageStore.LabelsFile, MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_labelList)).ToArray());
        var ids = WriteFile(ShardedImageStore.IdsFile, Encoding.UTF8.GetBytes(string.Join('\n', _ids)));
        AtomicFile.WriteJson(Path.Combine(_folder, ShardedImageStore.ManifestFile), new ShardedImageStore.Manifest(
            ShardedImageStore.Format, ShardedImageStore.FormatVersion, _index.Count, MaxShortSide,
            labelSet.Names.ToArray(), labelSet.Ids.ToArray(), _shards.ToArray(), index, labels, ids, _description));
        return ShardedImageStore.Open(_folder);
    }

    private ShardedImageStore.FileEntry WriteFile(string name, byte[] bytes)
    {
        AtomicFile.WriteAllBytes(Path.Combine(_folder, name), bytes);
        return new ShardedImageStore.FileEntry(name, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    public void Dispose()
    {
        _shard?.Dispose();
        _shardHash?.Dispose();
        _shard = null;
    }
}
