using System.Runtime.InteropServices;
using System.Text;
using SelectBench.Common;
using SelectBench.Data.Sharded;

namespace SelectBench.Data;

/// <summary>
/// The compact on-disk cache of a decoded <see cref="ImageSet"/>: a folder holding raw arrays
/// (<c>pixels.u8</c>, <c>labels.i32</c>), <c>ids.txt</c>, optional <c>provenance.json</c> and a
/// <c>manifest.json</c> written last. A folder without a manifest is incomplete and is never read.
/// It is a data format only: nothing in it is executed.
/// An out-of-core set is saved as a selection of its store instead of pixels: <c>store.json</c> (the store's folder,
/// relative when inside this folder, its fingerprint and the decode transform) and <c>indices.i32</c>; loading it
/// opens the store and checks the fingerprint (docs/data.md "Out-of-core sets").
/// </summary>
public static class ImageSetStore
{
    public const int FormatVersion = 1;
    private const string ManifestFile = "manifest.json";

    public sealed record Manifest(
        int FormatVersion, int Count, int Channels, int Height, int Width,
        string[] ClassNames, string[] ClassIds, long PixelBytes, bool HasProvenance,
        string? Description = null, IReadOnlyList<string>? Skipped = null, bool OutOfCore = false);

    /// <summary>Where the images of an out-of-core set live: a store folder (relative to the set's folder when inside it) and how they decode.</summary>
    public sealed record StoreReference(string Folder, string Fingerprint, ResizeMode Mode, int Width, int Height, int ResizeShorterSide, int Channels, long MaxImagePixels);

    private const string StoreReferenceFile = "store.json", IndicesFile = "indices.i32";

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ManifestFile));

    /// <summary>Saves a set. <paramref name="skipped"/> lists inputs left out by a skip policy, so later steps can see them.</summary>
    public static void Save(ImageSet set, string folder, string? description = null, IReadOnlyList<string>? skipped = null)
    {
        Directory.CreateDirectory(folder);
        // The manifest is removed first and written last, so a killed save leaves no readable half-set.
        File.Delete(Path.Combine(folder, ManifestFile));
        if (set.Stored is { } stored)
        {
            var full = Path.GetFullPath(folder);
            var relative = Path.GetRelativePath(full, stored.Store.Folder);
            var t = stored.Transform;
            AtomicFile.WriteJson(Path.Combine(folder, StoreReferenceFile), new StoreReference(
                relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? stored.Store.Folder : relative,
                stored.Store.Fingerprint, t.Mode, t.Width, t.Height, t.ResizeShorterSide, t.Channels, stored.MaxImagePixels));
            AtomicFile.Write(Path.Combine(folder, IndicesFile), s => s.Write(MemoryMarshal.AsBytes(stored.Indices.AsSpan())));
            File.Delete(Path.Combine(folder, "pixels.u8"));
        }
        else
        {
            AtomicFile.Write(Path.Combine(folder, "pixels.u8"), s => s.Write(set.Pixels));
        }
        AtomicFile.Write(Path.Combine(folder, "labels.i32"), s => s.Write(MemoryMarshal.AsBytes(set.Labels.AsSpan())));
        AtomicFile.WriteAllText(Path.Combine(folder, "ids.txt"), string.Join('\n', set.Ids));
        if (set.Provenance != null) AtomicFile.WriteJson(Path.Combine(folder, "provenance.json"), set.Provenance);
        AtomicFile.WriteJson(Path.Combine(folder, ManifestFile), new Manifest(
            FormatVersion, set.Count, set.Channels, set.Height, set.Width,
            set.LabelSet.Names.ToArray(), set.LabelSet.Ids.ToArray(), set.IsInMemory ? set.Pixels.LongLength : 0,
            set.Provenance != null, description, skipped, OutOfCore: !set.IsInMemory));
    }

    /// <summary>
    /// Saves a set so that <paramref name="folder"/> holds all its images: an out-of-core set whose store lies outside the
    /// folder (in the data cache) gets the store's files in <c>store/</c> of the folder — hard links where the file system
    /// allows, so no bytes are copied, else copies — and refers to it relatively. The folder then survives a cleaned cache,
    /// a move, and an export as an archive (docs/data.md "Out-of-core sets"). Returns the set as it now reads.
    /// </summary>
    public static ImageSet SaveWithStore(ImageSet set, string folder, string? description = null, IReadOnlyList<string>? skipped = null)
    {
        if (set.Stored is not { } stored || IsInside(stored.Store.Folder, folder))
        {
            Save(set, folder, description, skipped);
            return set;
        }
        var target = Path.Combine(folder, "store");
        if (!ShardedImageStore.Exists(target) || ShardedImageStore.Open(target).Fingerprint != stored.Store.Fingerprint)
        {
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.CreateDirectory(target);
            var info = stored.Store.Info;
            // The store's manifest goes last, as when it was written: a killed placement leaves no openable store.
            foreach (var file in info.Shards.Append(info.Index).Append(info.Labels).Append(info.Ids).Select(f => f.File).Append(ShardedImageStore.ManifestFile))
                LinkOrCopy(Path.Combine(stored.Store.Folder, file), Path.Combine(target, file));
        }
        var own = new StoreSelection(ShardedImageStore.Open(target), stored.Indices, stored.Transform, stored.MaxImagePixels);
        var placed = new ImageSet(own, set.Labels, set.LabelSet, set.Ids, set.Provenance);
        Save(placed, folder, description, skipped);
        return placed;
    }

    private static bool IsInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path));
        return !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string link);

    private static void LinkOrCopy(string from, string to)
    {
        File.Delete(to);
        bool linked = false;
        try { linked = !OperatingSystem.IsWindows() && HardLink(from, to) == 0; }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
        if (!linked) File.Copy(from, to, overwrite: true);
    }

    public static Manifest ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
            throw new SelectBenchException($"{folder}: not a SelectBench image set (no {ManifestFile}). " +
                                           "It may be incomplete from a killed run; delete it and rerun.");
        var m = Json.Read<Manifest>(path);
        if (m.FormatVersion != FormatVersion)
            throw new SelectBenchException($"{path}: format version {m.FormatVersion}, this SelectBench reads {FormatVersion}. Delete the folder to rebuild it.");
        return m;
    }

    public static ImageSet Load(string folder, bool withProvenance = true)
    {
        var m = ReadManifest(folder);
        var labelBytes = ReadExact(Path.Combine(folder, "labels.i32"), 4L * m.Count);
        var labels = MemoryMarshal.Cast<byte, int>(labelBytes).ToArray();
        var idsText = File.ReadAllText(Path.Combine(folder, "ids.txt"), Encoding.UTF8);
        var ids = m.Count == 0 ? [] : idsText.Split('\n');
        if (ids.Length != m.Count) throw new BadInputException(Path.Combine(folder, "ids.txt"), $"expected {m.Count} ids, found {ids.Length}. Delete the folder to rebuild it.");
        SampleProvenance[]? prov = null;
        if (m.HasProvenance && withProvenance)
        {
            prov = Json.Read<SampleProvenance[]>(Path.Combine(folder, "provenance.json"));
            if (prov.Length != m.Count) throw new BadInputException(Path.Combine(folder, "provenance.json"), $"expected {m.Count} records, found {prov.Length}.");
        }
        if (m.OutOfCore) return new ImageSet(LoadSelection(folder, m), labels, new LabelSet(m.ClassNames, m.ClassIds), ids, prov);
        var pixels = ReadExact(Path.Combine(folder, "pixels.u8"), m.PixelBytes);
        return new ImageSet(pixels, labels, new LabelSet(m.ClassNames, m.ClassIds), m.Channels, m.Height, m.Width, ids, prov);
    }

    private static StoreSelection LoadSelection(string folder, Manifest m)
    {
        var reference = Json.Read<StoreReference>(Path.Combine(folder, StoreReferenceFile));
        var storeFolder = Path.IsPathRooted(reference.Folder) ? reference.Folder : Path.Combine(folder, reference.Folder);
        var store = ShardedImageStore.Open(storeFolder);
        if (store.Fingerprint != reference.Fingerprint)
            throw new BadInputException(Path.Combine(folder, StoreReferenceFile),
                $"refers to the image store {storeFolder}, which has been rewritten since this set was saved (fingerprint {ContentFingerprint.Short(store.Fingerprint)}, " +
                $"expected {ContentFingerprint.Short(reference.Fingerprint)}). Rebuild this set (rerun the step that wrote it).");
        var indices = MemoryMarshal.Cast<byte, int>(ReadExact(Path.Combine(folder, IndicesFile), 4L * m.Count)).ToArray();
        var transform = new ImageTransform(reference.Mode, reference.Width, reference.Height, reference.ResizeShorterSide, reference.Channels);
        return new StoreSelection(store, indices, transform, reference.MaxImagePixels);
    }

    private static byte[] ReadExact(string path, long length)
    {
        if (!File.Exists(path)) throw new BadInputException(path, "missing. The image-set folder is incomplete; delete it and rerun.");
        var info = new FileInfo(path);
        if (info.Length != length)
            throw new BadInputException(path, $"is {info.Length} bytes but the manifest says {length}: truncated or replaced. Delete the folder and rerun.");
        // Uninitialised allocation plus one positional read: no zeroing pass and no copy through a stream buffer.
        var data = GC.AllocateUninitializedArray<byte>(checked((int)length));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        int done = 0;
        while (done < data.Length)
        {
            int read = RandomAccess.Read(handle, data.AsSpan(done), done);
            if (read == 0) throw new BadInputException(path, "ended early while reading; the image-set folder is damaged. Delete it and rerun.");
            done += read;
        }
        return data;
    }
}
