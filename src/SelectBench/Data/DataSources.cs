using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// The one entry point that turns a data source spec into a decoded <see cref="ImageSet"/>; used by
/// <c>train --data</c>, <c>eval</c>, <c>data info</c> and the world builder.
///
/// A spec is a name or a path, optionally followed by <c>:split</c>. Each format is one registered
/// <see cref="IImageSetReader"/>; <see cref="Resolve"/> asks them in <see cref="ImageSetReaders.InOrder"/>:
/// <list type="number">
/// <item><c>fashion-mnist</c> (train), <c>fashion-mnist:train</c>, <c>fashion-mnist:test</c> (<see cref="FashionMnistReader"/>);</item>
/// <item>a SelectBench image-set folder (holding <c>manifest.json</c>) or a saved shift, loaded as it is (<see cref="StoredImageSetReader"/>);</item>
/// <item>a CIFAR-10 or CIFAR-100 binary folder (split train or test; <see cref="CifarReader"/>);</item>
/// <item>an IDX folder (<c>train-images-idx3-ubyte[.gz]</c> and friends; split train or test) or an
///   <c>*-images-idx3-ubyte[.gz]</c> file whose labels file sits beside it (<see cref="IdxPairReader"/>);</item>
/// <item>WebDataset shards: a <c>.tar</c> file, a brace pattern such as <c>shards/{00000..00123}.tar</c>, or a
///   folder of <c>.tar</c> files (<see cref="WebDatasetReader"/>);</item>
/// <item>a <c>.parquet</c> file or a folder of them (with a split, only files whose name starts with it; <see cref="ParquetImageReader"/>);</item>
/// <item>readers added at run time (a plug-in, a test), by name;</item>
/// <item>an ImageFolder tree: one sub-folder per class (with a split, the sub-folder of that name is the root; <see cref="ImageFolderReader"/>).</item>
/// </list>
/// Decoded sets are cached (see <see cref="DataCache"/>), so the second load of a source reads raw arrays.
/// </summary>
public static class DataSources
{
    public const string FashionMnistName = "fashion-mnist";
    private static readonly string[] SplitNames = ["train", "test", "val", "validation"];

    /// <summary>Loads a source. Errors the user can fix are <see cref="SelectBenchException"/>s naming the source.</summary>
    public static DataLoadResult Load(string spec, DataLoadOptions? options = null, CancellationToken token = default)
    {
        options ??= DataLoadOptions.Default;
        options.EffectiveTransform.Validate();
        if (options.MaxImagePixels <= 0) throw new SelectBenchException($"The image pixel cap must be positive (got {options.MaxImagePixels}).");
        var source = SourceSpec.Parse(spec);
        return Resolve(source).Read(source, options, token);
    }

    /// <summary>The first reader (in <see cref="ImageSetReaders.InOrder"/>) that reads the spec, or an error saying why none does.</summary>
    public static IImageSetReader Resolve(SourceSpec spec)
    {
        foreach (var reader in ImageSetReaders.InOrder())
            if (reader.CanRead(spec)) return reader;
        if (!spec.IsFile && !spec.IsFolder)
        {
            var hint = Suggest.Nearest(spec.Source, [FashionMnistName]) is { } near ? $" Did you mean '{near}'?" : "";
            throw new SelectBenchException(
                $"Data source '{spec.Text}' is neither a known name ({FashionMnistName}) nor an existing path.{hint}");
        }
        throw new SelectBenchException(
            $"Data source '{spec.Text}': {spec.Path} is not a format SelectBench reads (image-set folder, IDX, CIFAR binary, " +
            "WebDataset .tar shards, .parquet, or an ImageFolder tree with one sub-folder per class).");
    }

    /// <summary>The layout of a saved shift (see SelectBench.Curation.ShiftStore), readable as a data source.</summary>
    internal const string ShiftFile = "shift.json", ShiftImagesFolder = "images";

    /// <summary>
    /// Decodes a resolved source, or reads it from the cache when an earlier load under the same options left it
    /// there (the key: <see cref="DataCache.SetFolder"/> over the source's name, description and input files).
    /// </summary>
    public static DataLoadResult Cached(ResolvedSource source, DataLoadOptions options)
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
        // An import that goes out-of-core writes its store inside the cache entry, where the saved set refers to it.
        var (decoded, skippedItems) = source.Read(options with { StoreFolder = Path.Combine(folder, "store") });
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

    internal static SkippedInput ParseSkipped(string text)
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
}

/// <summary>A source resolved to its input files (the decoded-set cache key) and how to decode them.</summary>
/// <param name="Name">A short name for the cache folder, e.g. "cifar10-test".</param>
/// <param name="Description">What the source is, e.g. "Cifar10 /data/cifar:test"; part of the cache key and shown to users.</param>
/// <param name="Inputs">The files read; their paths, sizes and times are part of the cache key.</param>
/// <param name="Read">Decodes the files under the options.</param>
public sealed record ResolvedSource(string Name, string Description, IReadOnlyList<string> Inputs,
                                   Func<DataLoadOptions, (ImageSet Set, IReadOnlyList<SkippedInput> Skipped)> Read);
