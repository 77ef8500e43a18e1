using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Where decoded sets and downloads are cached. Decoded sets live in <c>{root}/sets/{name}-{key}</c> as
/// <see cref="ImageSetStore"/> folders; the key hashes the resolved source (paths, sizes, modification times)
/// and every option that changes decoded content, so a changed input or option never reuses a stale set.
/// Each set keeps the inputs its reader skipped (<see cref="SkippedFile"/>), so a set loaded from the cache
/// reports them exactly as a fresh decode does (docs/data.md).
/// </summary>
public static class DataCache
{
    public const string EnvironmentVariable = "SELECTBENCH_CACHE";

    /// <summary>The skipped inputs of a cached set, as {item, reason} records.</summary>
    public const string SkippedFile = "skipped.json";

    /// <summary>
    /// Changes when a reader decodes the same input differently, so that no set decoded by an older reader is
    /// reused. 2: WebDataset refuses duplicate sample keys and labels that leave classes empty (issue 12).
    /// </summary>
    private const int ReaderRevision = 2;

    /// <summary>The cache root: the option, else $SELECTBENCH_CACHE, else $XDG_CACHE_HOME/selectbench, else ~/.cache/selectbench.</summary>
    public static string Root(DataLoadOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CacheRoot)) return options.CacheRoot;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "selectbench");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "selectbench");
    }

    /// <summary>The store folder for a source described by <paramref name="identity"/> (kind, inputs) under the options.</summary>
    public static string SetFolder(string name, string identity, IEnumerable<string> inputFiles, DataLoadOptions options)
    {
        var text = new StringBuilder();
        text.Append("v").Append(ImageSetStore.FormatVersion).Append(".r").Append(ReaderRevision).Append('\n').Append(identity).Append('\n').Append(options.ContentKey()).Append('\n');
        foreach (var file in inputFiles.OrderBy(f => f, StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            text.Append(Path.GetFullPath(file)).Append('|').Append(info.Exists ? info.Length : -1).Append('|')
                .Append(info.Exists ? info.LastWriteTimeUtc.Ticks : 0).Append('\n');
        }
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        var slug = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (slug.Length > 40) slug = slug[^40..];
        return Path.Combine(Root(options), "sets", $"{slug}-{key}");
    }

    /// <summary>
    /// Caches a decoded set with the inputs its reader skipped. The skip records are removed first and written
    /// last, so a killed save never pairs a set with another decode's records.
    /// </summary>
    public static void Save(ImageSet set, string folder, string description, IReadOnlyList<SkippedInput> skipped)
    {
        Directory.CreateDirectory(folder);
        File.Delete(Path.Combine(folder, SkippedFile));
        ImageSetStore.Save(set, folder, description, skipped.Select(s => s.ToString()).ToArray());
        AtomicFile.WriteJson(Path.Combine(folder, SkippedFile), skipped);
    }

    /// <summary>
    /// The skipped inputs stored with a cached set; without <see cref="SkippedFile"/> (a set cached before it
    /// existed), the "item: reason" lines of its manifest.
    /// </summary>
    public static IReadOnlyList<SkippedInput> LoadSkipped(string folder, ImageSetStore.Manifest manifest, Func<string, SkippedInput> parseLine)
    {
        var path = Path.Combine(folder, SkippedFile);
        return File.Exists(path) ? Json.Read<SkippedInput[]>(path) : (manifest.Skipped ?? []).Select(parseLine).ToArray();
    }
}
