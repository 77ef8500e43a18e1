using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads an ImageFolder tree (torchvision's layout): one sub-folder per class, images anywhere below it.
/// Classes are the sub-folder names in ordinal order, unless <see cref="DataLoadOptions.LabelSet"/> is given,
/// in which case each folder name must be a class name or id of that label set. Images are decoded with
/// <see cref="ImageCodec"/> under the options' transform and pixel cap; ids are "class/relative/path.jpg".
/// A class folder without images is a bad input (error, or under Skip a warning with the class kept empty).
/// </summary>
[Registered(ImageSetReaders.Fallback, Description = "An ImageFolder tree: one sub-folder per class (with a split, the sub-folder of that name is the root)")]
public sealed class ImageFolderReader : IImageSetReader
{
    /// <summary>File extensions read as images (case-insensitive); other files are ignored, as in torchvision.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"], StringComparer.OrdinalIgnoreCase);

    private const int BatchSize = 256;

    /// <summary>Any folder with a visible sub-folder (or, with a split, a folder lacking that split's sub-folder, which is an error when read).</summary>
    public bool CanRead(SourceSpec spec)
    {
        if (!spec.IsFolder) return false;
        var root = Root(spec);
        if (!Directory.Exists(root)) return spec.Split != null;
        return Directory.GetDirectories(root).Any(d => !Path.GetFileName(d).StartsWith('.'));
    }

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        var root = Root(spec);
        if (spec.Split != null && !Directory.Exists(root))
            throw new SelectBenchException($"{spec.Path}: no '{spec.Split}' sub-folder for the split.");
        var images = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f))).ToArray();
        token.ThrowIfCancellationRequested();
        return DataSources.Cached(new ResolvedSource($"imagefolder-{Path.GetFileName(root)}", $"ImageFolder {root}", images,
            o => Read(root, o)), options);
    }

    private static string Root(SourceSpec spec) => spec.Split != null ? Path.Combine(spec.Path, spec.Split) : spec.Path;

    public static (ImageSet Set, IReadOnlyList<SkippedInput> Skipped) Read(string root, DataLoadOptions options)
    {
        if (!Directory.Exists(root)) throw new SelectBenchException($"ImageFolder {root} does not exist.");
        var folders = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToArray();
        if (folders.Length == 0)
            throw new SelectBenchException($"ImageFolder {root} has no class sub-folders; put each class's images in a folder named after the class.");
        var log = new BadInputLog(options);
        var labelSet = options.LabelSet ?? new LabelSet(folders.Select(Path.GetFileName).ToArray()!);
        var builder = new ImageSetBuilder(options, log);
        var batch = new List<EncodedSample>(BatchSize);
        foreach (var folder in folders)
        {
            var className = Path.GetFileName(folder);
            int label = labelSet.IndexOf(className);
            if (label < 0)
            {
                log.Report(folder, $"class folder '{className}' is not in the label set ({string.Join(", ", labelSet.Names.Take(10))}{(labelSet.Count > 10 ? ", ..." : "")}).");
                continue;
            }
            var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden })
                .Where(f => Extensions.Contains(Path.GetExtension(f)))
                .Select(f => (Path: f, Id: Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
                .OrderBy(f => f.Id, StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                log.Report(folder, $"class folder '{className}' holds no images ({string.Join(", ", Extensions)}).");
                continue;
            }
            foreach (var (path, id) in files)
            {
                batch.Add(new EncodedSample(path, id, label, () => File.ReadAllBytes(path)));
                if (batch.Count == BatchSize) { builder.AddBatch(batch); batch.Clear(); }
            }
        }
        if (batch.Count > 0) builder.AddBatch(batch);
        return (builder.Build(labelSet, $"ImageFolder {root}"), log.Skipped);
    }
}
