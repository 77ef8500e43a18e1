using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads a SelectBench image-set folder (<see cref="ImageSetStore"/>: a decoded-set cache entry, a world's set) as
/// it is, and a saved shift (SelectBench.Curation.ShiftStore), which keeps its image set in images/ beside
/// shift.json. Nothing is decoded, so nothing is cached.
/// </summary>
[Registered("image-set", Description = "A SelectBench image-set folder (manifest.json) or a saved shift folder, loaded as it is")]
public sealed class StoredImageSetReader : IImageSetReader
{
    public bool CanRead(SourceSpec spec) => spec.IsFolder && StoreFolder(spec.Path) != null;

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        var path = StoreFolder(spec.Path) ?? throw new SelectBenchException($"{spec.Path}: not a SelectBench image set or saved shift.");
        if (spec.Split != null) throw new SelectBenchException($"{path} is one stored image set; it has no split '{spec.Split}'.");
        token.ThrowIfCancellationRequested();
        var m = ImageSetStore.ReadManifest(path);
        return new DataLoadResult(ImageSetStore.Load(path),
            (m.Skipped ?? []).Select(DataSources.ParseSkipped).ToArray(), $"image set {path}", path, FromCache: true);
    }

    /// <summary>The store folder of <paramref name="path"/>: itself, or a saved shift's images/; null when neither.</summary>
    private static string? StoreFolder(string path)
    {
        if (ImageSetStore.Exists(path)) return path;
        var images = Path.Combine(path, DataSources.ShiftImagesFolder);
        return File.Exists(Path.Combine(path, DataSources.ShiftFile)) && ImageSetStore.Exists(images) ? images : null;
    }
}
