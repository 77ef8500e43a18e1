using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SelectBench.Common;

namespace SelectBench.Data.Sharded;

/// <summary>
/// The on-disk, out-of-core form of a large image set (docs/data.md "Out-of-core sets"): encoded images (JPEG, or
/// whatever the source held) kept at most <see cref="ShardedImageStoreWriter.DefaultMaxShortSide"/> px on the short
/// side (FFCV's max_resolution idea, Leclerc et al. 2023), concatenated into shards of about
/// <see cref="ShardedImageStoreWriter.DefaultShardBytes"/>, with
/// <list type="bullet">
/// <item><c>index.bin</c>: per image its offset (int64), length (int32) and shard (int32), little-endian;</item>
/// <item><c>labels.i32</c>, <c>ids.txt</c> (one per line) and the label set in the manifest;</item>
/// <item><c>manifest.json</c>, written last: the count, every file's byte size and SHA-256.</item>
/// </list>
/// Opening checks that every file is there with the size the manifest gives, so a killed write (no manifest) or a
/// truncated shard is an error naming the file; <see cref="Verify"/> also checks the SHA-256 sums. The index, labels
/// and ids stay in memory (about 16 bytes plus the id per image); the images are read on demand with positional
/// reads, safe from any number of threads.
/// </summary>
public sealed class ShardedImageStore : IEncodedImageSource
{
    public const string Format = "selectbench-sharded-images";
    public const int FormatVersion = 1;
    public const string ManifestFile = "manifest.json", IndexFile = "index.bin", LabelsFile = "labels.i32", IdsFile = "ids.txt";

    public sealed record FileEntry(string File, long Bytes, string Sha256);

    public sealed record Manifest(
        string Format, int FormatVersion, int Count, int MaxShortSide,
        string[] ClassNames, string[] ClassIds,
        FileEntry[] Shards, FileEntry Index, FileEntry Labels, FileEntry Ids,
        string? Description = null);

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal readonly record struct Entry(long Offset, int Length, int Shard);

    private readonly Entry[] _index;
    private readonly SafeFileHandle?[] _handles;
    private readonly object _gate = new();

    public string Folder { get; }
    public Manifest Info { get; }
    public int[] Labels { get; }
    public string[] Ids { get; }
    public LabelSet LabelSet { get; }
    public int Count => _index.Length;

    /// <summary>SHA-256 of the manifest, which holds every file's SHA-256: the store's content in one value.</summary>
    public string Fingerprint { get; }

    private ShardedImageStore(string folder, Manifest manifest, Entry[] index, int[] labels, string[] ids, string fingerprint)
    {
        Folder = folder;
        Info = manifest;
        _index = index;
        _handles = new SafeFileHandle?[manifest.Shards.Length];
        Labels = labels;
        Ids = ids;
        LabelSet = new LabelSet(manifest.ClassNames, manifest.ClassIds);
        Fingerprint = fingerprint;
    }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ManifestFile));

    /// <summary>Opens a store; an incomplete or damaged one is an error naming the file and saying what to do.</summary>
    public static ShardedImageStore Open(string folder)
    {
        folder = Path.GetFullPath(folder);
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!Directory.Exists(folder))
            throw new SelectBenchException($"{folder}: the image store does not exist. Import the source again to rewrite it.");
        if (!File.Exists(manifestPath))
            throw new BadInputException(manifestPath,
                "is missing: the image store was not completely written (a killed or failed import; the manifest is written last). " +
                $"Delete {folder} and import the source again.");
        var manifestBytes = File.ReadAllBytes(manifestPath);
        Manifest manifest;
        try { manifest = System.Text.Json.JsonSerializer.Deserialize<Manifest>(manifestBytes, Json.Options)!; }
        catch (System.Text.Json.JsonException e) { throw new BadInputException(manifestPath, $"is not a valid store manifest ({e.Message}). Delete {folder} and import the source again.", e); }
        if (manifest.Format != Format || manifest.FormatVersion != FormatVersion)
            throw new BadInputException(manifestPath, $"is {manifest.Format} version {manifest.FormatVersion}; this SelectBench reads {Format} version {FormatVersion}. Delete {folder} and import the source again.");
        foreach (var file in manifest.Shards.Append(manifest.Index).Append(manifest.Labels).Append(manifest.Ids))
            CheckSize(folder, file);
        var indexBytes = File.ReadAllBytes(Path.Combine(folder, manifest.Index.File));
        CheckHash(folder, manifest.Index, indexBytes);
        var index = MemoryMarshal.Cast<byte, Entry>(indexBytes).ToArray();
        var labelBytes = File.ReadAllBytes(Path.Combine(folder, manifest.Labels.File));
        CheckHash(folder, manifest.Labels, labelBytes);
        var labels = MemoryMarshal.Cast<byte, int>(labelBytes).ToArray();
        var idBytes = File.ReadAllBytes(Path.Combine(folder, manifest.Ids.File));
        CheckHash(folder, manifest.Ids, idBytes);
        var ids = manifest.Count == 0 ? [] : Encoding.UTF8.GetString(idBytes).Split('\n');
        if (index.Length != manifest.Count || labels.Length != manifest.Count || ids.Length != manifest.Count)
            throw new BadInputException(Path.Combine(folder, manifest.Index.File),
                $"holds {index.Length} entries, {labels.Length} labels and {ids.Length} ids, but the manifest says {manifest.Count} images. Delete {folder} and import the source again.");
        for (int i = 0; i < index.Length; i++)
        {
            var e = index[i];
            if ((uint)e.Shard >= (uint)manifest.Shards.Length || e.Offset < 0 || e.Length <= 0 || e.Offset + e.Length > manifest.Shards[e.Shard].Bytes)
                throw new BadInputException(Path.Combine(folder, manifest.Index.File), $"entry {i} points outside the shards. Delete {folder} and import the source again.");
            if ((uint)labels[i] >= (uint)manifest.ClassNames.Length)
                throw new BadInputException(Path.Combine(folder, manifest.Labels.File), $"label {labels[i]} of image {i} is outside the {manifest.ClassNames.Length} classes.");
        }
        return new ShardedImageStore(folder, manifest, index, labels, ids, Convert.ToHexStringLower(SHA256.HashData(manifestBytes)));
    }

    private static void CheckSize(string folder, FileEntry file)
    {
        var path = Path.Combine(folder, file.File);
        if (!File.Exists(path))
            throw new BadInputException(path, $"is missing from the image store (its manifest lists it). Delete {folder} and import the source again.");
        long length = new FileInfo(path).Length;
        if (length != file.Bytes)
            throw new BadInputException(path, $"is {length:N0} bytes but the store's manifest says {file.Bytes:N0}: truncated or replaced. Delete {folder} and import the source again.");
    }

    private static void CheckHash(string folder, FileEntry file, ReadOnlySpan<byte> bytes)
    {
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != file.Sha256)
            throw new BadInputException(Path.Combine(folder, file.File), $"does not match the SHA-256 in the store's manifest: damaged. Delete {folder} and import the source again.");
    }

    /// <summary>Reads every shard and checks its SHA-256 against the manifest (opening checks sizes only).</summary>
    public void Verify()
    {
        foreach (var shard in Info.Shards)
        {
            using var stream = File.OpenRead(Path.Combine(Folder, shard.File));
            if (Convert.ToHexStringLower(SHA256.HashData(stream)) != shard.Sha256)
                throw new BadInputException(Path.Combine(Folder, shard.File), $"does not match the SHA-256 in the store's manifest: damaged. Delete {Folder} and import the source again.");
        }
    }

    public ReadOnlyMemory<byte> Encoded(int index)
    {
        var e = _index[index];
        var data = GC.AllocateUninitializedArray<byte>(e.Length);
        var handle = Handle(e.Shard);
        int done = 0;
        while (done < data.Length)
        {
            int read = RandomAccess.Read(handle, data.AsSpan(done), e.Offset + done);
            if (read == 0)
                throw new BadInputException(ShardPath(e.Shard), $"ended while reading image {index} ({Ids[index]}): truncated after the store was opened. Delete {Folder} and import the source again.");
            done += read;
        }
        return data;
    }

    public string Describe(int index) => $"{ShardPath(_index[index].Shard)}[{index}] ({Ids[index]})";

    private string ShardPath(int shard) => Path.Combine(Folder, Info.Shards[shard].File);

    private SafeFileHandle Handle(int shard)
    {
        var handle = Volatile.Read(ref _handles[shard]);
        if (handle != null) return handle;
        lock (_gate)
        {
            return _handles[shard] ??= File.OpenHandle(ShardPath(shard), FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
    }
}
