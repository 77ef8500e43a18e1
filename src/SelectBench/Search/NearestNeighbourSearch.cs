using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Search;

public enum SearchBackend { Auto, Exact, USearch }

/// <summary>
/// How <see cref="NearestNeighbourSearch.Create"/> picks a backend. Auto: exact search for pools up to
/// <paramref name="ExactMaxPool"/> rows (exact is cheap there and gives the same answer on every CPU), USearch
/// above (approximate; built on several threads its graph depends on their timing, so not bit-exact between runs
/// unless <see cref="USearchSettings.Threads"/> is 1 or the saved index is reused; docs/curation.md, "Search backends
/// and reproducibility", and BENCHMARKS.md, "USearch at pool scale", for the crossover). With <paramref name="IndexPath"/> set, a USearch index is loaded from that file when it exists and
/// holds the same pool size and dimension, else built and saved there; <paramref name="ViewFromDisk"/>
/// memory-maps it instead of loading it. <paramref name="ExactQueryBlock"/>: queries per parallel task of the exact search.
/// </summary>
public sealed record NearestNeighbourOptions(
    SearchBackend Backend = SearchBackend.Auto,
    int ExactMaxPool = 100_000,
    USearchSettings? USearch = null,
    string? IndexPath = null,
    bool ViewFromDisk = false,
    int ExactQueryBlock = 64);

public static class NearestNeighbourSearch
{
    public static INearestNeighbourSearch Create(Embeddings pool, NearestNeighbourOptions? options = null)
    {
        options ??= new NearestNeighbourOptions();
        if (options.ExactMaxPool < 0) throw new SelectBenchException($"exact_max_pool must be non-negative, got {options.ExactMaxPool}.");
        bool exact = options.Backend switch
        {
            SearchBackend.Exact => true,
            SearchBackend.USearch => false,
            _ => pool.Count <= options.ExactMaxPool,
        };
        if (exact) return new ExactCosineSearch(pool.Data, pool.Count, pool.Dimension, options.ExactQueryBlock);
        var settings = options.USearch ?? new USearchSettings();
        if (options.IndexPath is { } path && File.Exists(path))
        {
            var loaded = USearchIndex.Open(path, options.ViewFromDisk, settings);
            if (loaded.PoolSize == pool.Count && loaded.Dimension == pool.Dimension) return loaded.WithPool(pool.Data);
            loaded.Dispose(); // a stale index for another pool: rebuild it
        }
        using var progress = new ProgressBar("usearch build", pool.Count);
        var built = USearchIndex.Build(pool.Data, pool.Count, pool.Dimension, settings, progress);
        if (options.IndexPath is null) return built;
        built.Save(options.IndexPath);
        if (!options.ViewFromDisk) return built;
        built.Dispose();
        return USearchIndex.Open(options.IndexPath, view: true, settings).WithPool(pool.Data);
    }
}
