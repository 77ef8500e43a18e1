using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads IDX image/label pairs named as MNIST's are (<c>X-images-idx3-ubyte[.gz]</c> with
/// <c>X-labels-idx1-ubyte[.gz]</c>): one images file, or a folder in MNIST layout (split train or test).
/// </summary>
[Registered("idx", Description = "IDX pairs (MNIST layout): an *-images-idx3-ubyte[.gz] file, or a folder of them with split train or test")]
public sealed class IdxPairReader : IImageSetReader
{
    private const string ImagesMarker = "-images-idx3-ubyte";
    private const string LabelsMarker = "-labels-idx1-ubyte";

    public static bool IsImagesFile(string fileName) =>
        fileName.EndsWith(ImagesMarker, StringComparison.Ordinal) || fileName.EndsWith(ImagesMarker + ".gz", StringComparison.Ordinal);

    public static bool HasIdxFiles(string folder) => Directory.EnumerateFiles(folder).Any(f => IsImagesFile(Path.GetFileName(f)));

    public bool CanRead(SourceSpec spec) =>
        spec.IsFile ? IsImagesFile(spec.FileName) : spec.IsFolder && HasIdxFiles(spec.Path);

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        var source = spec.IsFile ? FromImagesFile(spec.Path, spec.Split) : FromFolder(spec.Path, spec.Split ?? "train");
        token.ThrowIfCancellationRequested();
        return DataSources.Cached(source, options);
    }

    /// <summary>An image file and the label file beside it ("X-images-idx3-ubyte[.gz]" pairs with "X-labels-idx1-ubyte[.gz]").</summary>
    public static ResolvedSource FromImagesFile(string imagesPath, string? split)
    {
        if (split != null) throw new SelectBenchException($"{imagesPath} is one IDX file; give the folder to choose split '{split}'.");
        var name = Path.GetFileName(imagesPath);
        var stem = name[..name.IndexOf(ImagesMarker, StringComparison.Ordinal)];
        var labels = FindLabels(Path.GetDirectoryName(imagesPath)!, stem)
            ?? throw new SelectBenchException($"{imagesPath}: no labels file {stem}{LabelsMarker}[.gz] beside it.");
        return Make(imagesPath, labels, stem);
    }

    /// <summary>A folder in MNIST layout; split "train" reads train-*, split "test" reads t10k-* (or test-*).</summary>
    public static ResolvedSource FromFolder(string folder, string split)
    {
        string[] stems = split switch
        {
            "train" => ["train"],
            "test" => ["t10k", "test"],
            _ => throw new SelectBenchException($"IDX folder {folder} has splits 'train' and 'test', not '{split}'."),
        };
        foreach (var stem in stems)
        {
            var images = new[] { ".gz", "" }.Select(ext => Path.Combine(folder, stem + ImagesMarker + ext)).FirstOrDefault(File.Exists);
            if (images == null) continue;
            var labels = FindLabels(folder, stem)
                ?? throw new SelectBenchException($"{images}: no labels file {stem}{LabelsMarker}[.gz] beside it.");
            return Make(images, labels, split);
        }
        throw new SelectBenchException($"IDX folder {folder} has no {string.Join(" or ", stems.Select(s => s + ImagesMarker + "[.gz]"))} for split '{split}'.");
    }

    private static string? FindLabels(string folder, string stem) =>
        new[] { ".gz", "" }.Select(ext => Path.Combine(folder, stem + LabelsMarker + ext)).FirstOrDefault(File.Exists);

    private static ResolvedSource Make(string images, string labels, string idPrefix) =>
        new($"idx-{idPrefix}", $"IDX {images} + {Path.GetFileName(labels)}", [images, labels], options =>
        {
            var log = new BadInputLog(options);
            var set = IdxReader.ReadPair(images, labels, options.LabelSet, idPrefix, log);
            return (set, log.Skipped);
        });
}
