using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// A data source spec taken apart: a name or a path, optionally followed by <c>:split</c>.
/// </summary>
/// <param name="Text">The spec as given, for messages.</param>
/// <param name="Source">The name or path before the split.</param>
/// <param name="Split">"train", "test", "val" or "validation", lower case; null when none was given.</param>
/// <param name="Path">The full path of <paramref name="Source"/>, with a leading ~ expanded (for names it is a path that usually does not exist).</param>
public sealed record SourceSpec(string Text, string Source, string? Split, string Path)
{
    public bool IsFile => File.Exists(Path);
    public bool IsFolder => Directory.Exists(Path);
    public string FileName => System.IO.Path.GetFileName(Path);

    public static SourceSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SelectBenchException("No data source given; use a name such as 'fashion-mnist' or a path.");
        var (source, split) = DataSources.SplitSpec(text.Trim());
        return new SourceSpec(text, source, split, System.IO.Path.GetFullPath(ExpandHome(source)));
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}

/// <summary>
/// Reads one format of image data (like a Hugging Face packaged builder): it recognises the specs it reads, then
/// reads them into an <see cref="ImageSet"/>. A reader registers with <c>[Registered("name", Description = ...)]</c>;
/// <see cref="DataSources.Resolve"/> asks the readers in <see cref="ImageSetReaders.InOrder"/>.
/// </summary>
public interface IImageSetReader
{
    /// <summary>Whether this reader reads the spec: a cheap test of the name, the file's extension or the folder's files. Throws nothing.</summary>
    bool CanRead(SourceSpec spec);

    /// <summary>
    /// Reads the source; errors the user can fix are <see cref="SelectBenchException"/>s naming it. Readers that
    /// decode files go through <see cref="DataSources.Cached"/>, so a second load reads the decoded arrays.
    /// </summary>
    DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token);
}

/// <summary>The data readers, found by name (<c>selectbench list readers</c>).</summary>
public static class ImageSetReaders
{
    public static Registry<IImageSetReader> Registry { get; } = new("reader");

    /// <summary>
    /// The built-in readers in the order they are asked: sources named by a word, then stored image sets, then the
    /// formats recognised by their files (CIFAR's batch files before IDX files, .tar before .parquet, as a folder
    /// holding several is read as the first). <see cref="Fallback"/> comes last.
    /// </summary>
    public static readonly IReadOnlyList<string> Order = ["fashion-mnist", "image-set", "cifar", "idx", "webdataset", "parquet"];

    /// <summary>ImageFolder reads any folder with sub-folders, so it is asked last, after any readers added at run time.</summary>
    public const string Fallback = "imagefolder";

    /// <summary>Every registered reader in asking order: <see cref="Order"/>, then the others by name, then <see cref="Fallback"/>.</summary>
    public static IReadOnlyList<IImageSetReader> InOrder()
    {
        var names = Registry.Names;
        var ordered = Order.Where(names.Contains)
            .Concat(names.Where(n => !Order.Contains(n) && n != Fallback))
            .Concat(names.Where(n => n == Fallback));
        return ordered.Select(n => Registry.Create(n)).ToList();
    }
}
