using System.Security.Cryptography;
using System.Text;

namespace SelectBench.Data;

/// <summary>
/// Where decoded sets and downloads are cached. Decoded sets live in <c>{root}/sets/{name}-{key}</c> as
/// <see cref="ImageSetStore"/> folders; the key hashes the resolved source (paths, sizes, modification times)
/// and every option that changes decoded content, so a changed input or option never reuses a stale set.
/// </summary>
public static class DataCache
{
    public const string EnvironmentVariable = "SELECTBENCH_CACHE";

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
        text.Append("v").Append(ImageSetStore.FormatVersion).Append('\n').Append(identity).Append('\n').Append(options.ContentKey()).Append('\n');
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
}
