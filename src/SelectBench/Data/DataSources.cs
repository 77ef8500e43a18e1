using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// The one entry point that turns a data source spec into a decoded <see cref="ImageSet"/>; used by
/// <c>train --data</c>, <c>eval</c>, <c>data info</c> and the world builder.
///
/// A spec is a name or a path, optionally followed by <c>:split</c>:
/// <list type="bullet">
/// <item><c>fashion-mnist</c> (train), <c>fashion-mnist:train</c>, <c>fashion-mnist:test</c>.</item>
/// <item>a SelectBench image-set folder (holding <c>manifest.json</c>), loaded as it is;</item>
/// <item>an IDX folder (<c>train-images-idx3-ubyte[.gz]</c> and friends; split train or test) or an
///   <c>*-images-idx3-ubyte[.gz]</c> file whose labels file sits beside it;</item>
/// <item>a CIFAR-10 or CIFAR-100 binary folder (split train or test);</item>
/// <item>WebDataset shards: a <c>.tar</c> file, a brace pattern such as <c>shards/{00000..00123}.tar</c>, or a
///   folder of <c>.tar</c> files;</item>
/// <item>a <c>.parquet</c> file or a folder of them (with a split, only files whose name starts with it);</item>
/// <item>an ImageFolder tree: one sub-folder per class (with a split, the sub-folder of that name is the root).</item>
/// </list>
/// Decoded sets are cached (see <see cref="DataCache"/>), so the second load of a source reads raw arrays.
/// </summary>
public static class DataSources
{
    public const string FashionMnistName = "fashion-mnist";
    private static readonly string[] SplitNames = ["train", "test", "val", "validation"];

    /// <summary>Loads a source. Errors the user can fix are <see cref="SelectBenchException"/>s naming the source.</summary>
    public static DataLoadResult Load(string spec, DataLoadOptions? options = null)
    {
        options ??= DataLoadOptions.Default;
        options.EffectiveTransform.Validate();
        if (options.MaxImagePixels <= 0) throw new SelectBenchException($"The image pixel cap must be positive (got {options.MaxImagePixels}).");
        if (string.IsNullOrWhiteSpace(spec)) throw new SelectBenchException("No data source given; use a name such as 'fashion-mnist' or a path.");
        var (source, split) = SplitSpec(spec.Trim());

        if (source.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase))
            return LoadFashionMnist(split ?? "train", options);

        var path = Path.GetFullPath(ExpandHome(source));
        // A saved shift (Curation.ShiftStore) keeps its image set in images/ beside shift.json.
        if (Directory.Exists(path) && !ImageSetStore.Exists(path) && File.Exists(Path.Combine(path, ShiftFile))
            && ImageSetStore.Exists(Path.Combine(path, ShiftImagesFolder)))
            path = Path.Combine(path, ShiftImagesFolder);
        if (Directory.Exists(path) && ImageSetStore.Exists(path))
        {
            if (split != null) throw new SelectBenchException($"{path} is one stored image set; it has no split '{split}'.");
            var m = ImageSetStore.ReadManifest(path);
            return new DataLoadResult(ImageSetStore.Load(path),
                (m.Skipped ?? []).Select(ParseSkipped).ToArray(), $"image set {path}", path, FromCache: true);
        }
        var reader = Resolve(path, split, spec);
        return Cached(reader, options);
    }

    /// <summary>The layout of a saved shift (see SelectBench.Curation.ShiftStore), readable as a data source.</summary>
    internal const string ShiftFile = "shift.json", ShiftImagesFolder = "images";

    /// <summary>A resolved source: its kind, its input files, and how to read it.</summary>
    internal sealed record ResolvedSource(string Name, string Description, IReadOnlyList<string> Inputs,
                                          Func<DataLoadOptions, (ImageSet Set, IReadOnlyList<SkippedInput> Skipped)> Read);

    private static DataLoadResult LoadFashionMnist(string split, DataLoadOptions options)
    {
        bool train = split switch
        {
            "train" => true,
            "test" => false,
            _ => throw new SelectBenchException($"Fashion-MNIST has splits 'train' and 'test', not '{split}'."),
        };
        var folder = FashionMnist.Locate(null, options);
        var spec = train ? FashionMnist.TrainImages : FashionMnist.TestImages;
        var labels = train ? FashionMnist.TrainLabels : FashionMnist.TestLabels;
        var inputs = Directory.GetFiles(folder).Where(f => Path.GetFileName(f).StartsWith(spec.Name, StringComparison.Ordinal)
                                                            || Path.GetFileName(f).StartsWith(labels.Name, StringComparison.Ordinal)).ToArray();
        var resolved = new ResolvedSource($"fashion-mnist-{split}", $"fashion-mnist:{split} ({folder})", inputs,
            _ => (FashionMnist.LoadSplit(folder, train), []));
        // Fashion-MNIST's content is fixed by its checksums, so options that only affect decoding of
        // encoded images do not change it; the cache key still includes them, which is harmless.
        return Cached(resolved, options);
    }

    private static DataLoadResult Cached(ResolvedSource source, DataLoadOptions options)
    {
        if (!options.UseCache)
        {
            var (set, skipped) = source.Read(options);
            return new DataLoadResult(set, skipped, source.Description);
        }
        var folder = DataCache.SetFolder(source.Name, source.Description, source.Inputs, options);
        if (ImageSetStore.Exists(folder))
        {
            try
            {
                var m = ImageSetStore.ReadManifest(folder);
                var cached = new DataLoadResult(ImageSetStore.Load(folder), DataCache.LoadSkipped(folder, m, ParseSkipped),
                                                source.Description, folder, FromCache: true);
                foreach (var skipped in cached.Skipped) options.Warn(BadInputLog.Warning(skipped)); // as the decode printed them
                return cached;
            }
            catch (SelectBenchException e)
            {
                // A damaged cache entry is rebuilt from the source, never trusted.
                options.Warn($"cache {folder} is unreadable ({e.Message}); rebuilding it.");
            }
        }
        var (decoded, skippedItems) = source.Read(options);
        try
        {
            DataCache.Save(decoded, folder, source.Description, skippedItems);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or read-only cache costs speed next time, not this load.
            options.Warn($"could not cache the decoded set in {folder} ({e.Message}); set {DataCache.EnvironmentVariable} to a writable folder.");
            return new DataLoadResult(decoded, skippedItems, source.Description);
        }
        return new DataLoadResult(decoded, skippedItems, source.Description, folder);
    }

    private static SkippedInput ParseSkipped(string text)
    {
        // Stored as "item: reason"; items are paths or path[index] and may themselves hold ": " only in odd names.
        int at = text.IndexOf(": ", StringComparison.Ordinal);
        return at < 0 ? new SkippedInput(text, "") : new SkippedInput(text[..at], text[(at + 2)..]);
    }

    /// <summary>Splits "source:split" when the suffix is a split name; paths keep any other colon.</summary>
    internal static (string Source, string? Split) SplitSpec(string spec)
    {
        int at = spec.LastIndexOf(':');
        if (at > 0 && at < spec.Length - 1)
        {
            var suffix = spec[(at + 1)..];
            if (SplitNames.Contains(suffix, StringComparer.OrdinalIgnoreCase)) return (spec[..at], suffix.ToLowerInvariant());
        }
        return (spec, null);
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;

    private static ResolvedSource Resolve(string path, string? split, string spec)
    {
        if (path.Contains('{') && !File.Exists(path) && !Directory.Exists(path))
        {
            var shards = ShardPattern.Expand(path);
            return WebDatasetSource(shards, path, split);
        }
        if (File.Exists(path))
        {
            var name = Path.GetFileName(path);
            if (IdxSource.IsImagesFile(name)) return IdxSource.FromImagesFile(path, split);
            if (name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)) return WebDatasetSource([path], path, split);
            if (name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return ParquetSource([path], path, split);
        }
        else if (Directory.Exists(path))
        {
            if (CifarReader.Detect(path) is { } cifar)
            {
                var cifarSplit = split ?? "train";
                var files = CifarReader.SplitFiles(cifar.Kind, cifar.Folder, cifarSplit);
                return new ResolvedSource($"{cifar.Kind}-{cifarSplit}".ToLowerInvariant(), $"{cifar.Kind} {cifar.Folder}:{cifarSplit}", files,
                    o => CifarReader.Read(cifar.Kind, cifar.Folder, cifarSplit, o));
            }
            if (IdxSource.HasIdxFiles(path)) return IdxSource.FromFolder(path, split ?? "train");
            var tars = Directory.GetFiles(path, "*.tar").Order(StringComparer.Ordinal).ToArray();
            if (tars.Length > 0) return WebDatasetSource(tars, path, split);
            var parquets = Directory.GetFiles(path, "*.parquet").Concat(Directory.Exists(Path.Combine(path, "data"))
                ? Directory.GetFiles(Path.Combine(path, "data"), "*.parquet") : []).Order(StringComparer.Ordinal).ToArray();
            if (parquets.Length > 0)
            {
                if (split != null)
                {
                    parquets = parquets.Where(f => Path.GetFileName(f).StartsWith(split, StringComparison.OrdinalIgnoreCase)).ToArray();
                    if (parquets.Length == 0) throw new SelectBenchException($"{path}: no parquet file whose name starts with '{split}'.");
                }
                return ParquetSource(parquets, path, null);
            }
            var root = split != null ? Path.Combine(path, split) : path;
            if (split != null && !Directory.Exists(root))
                throw new SelectBenchException($"{path}: no '{split}' sub-folder for the split.");
            if (Directory.GetDirectories(root).Any(d => !Path.GetFileName(d).StartsWith('.')))
            {
                var images = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                    .Where(f => ImageFolderReader.Extensions.Contains(Path.GetExtension(f))).ToArray();
                return new ResolvedSource($"imagefolder-{Path.GetFileName(root)}", $"ImageFolder {root}", images,
                    o => ImageFolderReader.Read(root, o));
            }
        }
        else
        {
            throw new SelectBenchException(
                $"Data source '{spec}' is neither a known name ({FashionMnistName}) nor an existing path.");
        }
        throw new SelectBenchException(
            $"Data source '{spec}': {path} is not a format SelectBench reads (image-set folder, IDX, CIFAR binary, " +
            "WebDataset .tar shards, .parquet, or an ImageFolder tree with one sub-folder per class).");
    }

    private static ResolvedSource WebDatasetSource(IReadOnlyList<string> shards, string spec, string? split)
    {
        if (split != null) throw new SelectBenchException($"{spec}: WebDataset shards have no splits; give the shards of split '{split}' directly.");
        var missing = shards.Where(s => !File.Exists(s)).Take(3).ToArray();
        if (missing.Length > 0) throw new SelectBenchException($"WebDataset shard {missing[0]} does not exist{(missing.Length > 1 ? " (nor do others of the pattern)" : "")}.");
        return new ResolvedSource($"webdataset-{Path.GetFileNameWithoutExtension(shards[0])}", $"WebDataset {spec}", shards,
            o => WebDatasetReader.Read(shards, o));
    }

    private static ResolvedSource ParquetSource(IReadOnlyList<string> files, string spec, string? split)
    {
        if (split != null) throw new SelectBenchException($"{spec} is one parquet file; give the folder to choose split '{split}'.");
        return new ResolvedSource($"parquet-{Path.GetFileNameWithoutExtension(files[0])}", $"parquet {spec}", files,
            o => ParquetImageReader.Read(files, o));
    }
}
