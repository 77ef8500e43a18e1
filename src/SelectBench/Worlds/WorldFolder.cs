using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Worlds;

/// <summary>
/// A finished world folder of either kind: the built-in FashionMNIST++ world (world.json) or a world read from data
/// sources (source-world.json). What export, import and `world: { path: ... }` need to know about it without loading
/// its images: its kind, the fingerprint it records, the entries that belong to it, and its fingerprint recomputed
/// from its files.
/// </summary>
public sealed record WorldFolder(string Path, string Kind, string Fingerprint)
{
    public const string FashionMnistPlusKind = FashionMnistPlusWorld.WorldName;
    public const string DataSourcesKind = "data-sources";

    /// <summary>
    /// The world in <paramref name="folder"/>, or an error that names the folder and says how to make one there
    /// (<paramref name="where"/> names the setting or argument that gave the folder).
    /// </summary>
    public static WorldFolder Open(string folder, string where)
    {
        var full = System.IO.Path.GetFullPath(folder);
        if (FashionMnistPlusWorld.RecordedFingerprint(full) is { } fashion) return new WorldFolder(full, FashionMnistPlusKind, fashion);
        if (SourceWorld.Exists(full) && SourceWorld.RecordedFingerprint(full) is { } sources) return new WorldFolder(full, DataSourcesKind, sources);
        string why = !Directory.Exists(full) ? "does not exist"
            : File.Exists(System.IO.Path.Combine(full, "world.json")) ? "holds an unfinished world, or one built by an older SelectBench (rerun 'selectbench world fashion-mnist --out DIR' on it)"
            : "holds no world (no world.json or source-world.json)";
        throw new BadInputException(where, $"'{folder}' {why}; build a world with 'selectbench world fashion-mnist --out DIR', or import one with 'selectbench world import world.tar --out DIR'.");
    }

    /// <summary>The world's sets, whichever kind it is, as the benchmark and curation read them.</summary>
    public IBenchmarkWorld Load() =>
        Kind == FashionMnistPlusKind ? new FashionMnistPlusBenchmarkWorld(FashionMnistPlusWorld.Load(Path)) : SourceWorld.Load(Path);

    /// <summary>The top-level entries that belong to a world of <paramref name="kind"/>.</summary>
    public static IReadOnlyList<string> EntriesOf(string kind) => kind switch
    {
        FashionMnistPlusKind => FashionMnistPlusWorld.FolderEntries,
        DataSourcesKind => SourceWorld.FolderEntries,
        _ => throw new SelectBenchException($"'{kind}' is not a world kind; known: {FashionMnistPlusKind}, {DataSourcesKind}."),
    };

    /// <summary>The world's fingerprint recomputed from its files (seconds for the quick world: every set is hashed).</summary>
    public string ComputeFingerprint() =>
        Kind == FashionMnistPlusKind ? FashionMnistPlusWorld.ComputeFingerprint(Path) : SourceWorld.ComputeFingerprint(Path);

    /// <summary>Every file of the world, as '/'-separated paths relative to the folder, in ordinal order.</summary>
    public IReadOnlyList<string> Files()
    {
        var files = new List<string>();
        foreach (var entry in EntriesOf(Kind))
        {
            var full = System.IO.Path.Combine(Path, entry);
            if (File.Exists(full)) files.Add(entry);
            else if (Directory.Exists(full))
                files.AddRange(Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    // AtomicFile's temporary files (".name.pid.guid.tmp") are leftovers of a killed write, not world content.
                    .Where(f => !(System.IO.Path.GetFileName(f).StartsWith('.') && f.EndsWith(".tmp", StringComparison.Ordinal)))
                    .Select(f => System.IO.Path.GetRelativePath(Path, f).Replace(System.IO.Path.DirectorySeparatorChar, '/')));
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
