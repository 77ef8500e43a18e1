using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using SelectBench.Common;
using NativeIndex = Cloud.Unum.USearch.USearchIndex;
using SelectBench.Embedding;

namespace SelectBench.Search;

/// <summary>
/// HNSW graph settings for <see cref="USearchIndex"/>. Defaults favour recall over speed: USearch's own
/// defaults (connectivity 16, expansion_search 64) gave very low recall on unclustered data here, so
/// expansion_search is kept at least 2k at query time (see <see cref="USearchIndex.Search"/>).
/// </summary>
public sealed record USearchSettings(int Connectivity = 32, int ExpansionAdd = 200, int ExpansionSearch = 256);

/// <summary>
/// Approximate cosine nearest neighbours with USearch (https://github.com/unum-cloud/usearch, HNSW,
/// Malkov and Yashunin 2016), NuGet Cloud.Unum.USearch 2.26.6. For pools of millions: the index is saved
/// to one file and can be served from disk by memory-mapping (<see cref="Open"/> with <c>view: true</c>).
/// <para>Threads: the C# wrapper must not be searched from several threads at once (measured here), so
/// <see cref="Search"/> takes a lock and runs single-threaded. To search in parallel, open one view of the
/// saved file per thread: views share the operating system's page cache, not the wrapper's state.</para>
/// Keys in the index are the pool row numbers 0..PoolSize-1; similarities are 1 - cosine distance.
/// </summary>
public sealed class USearchIndex : INearestNeighbourSearch
{
    private readonly NativeIndex _index;
    private readonly object _gate = new();
    private readonly USearchSettings _settings;
    private int _expansionSearch;

    public int PoolSize { get; }
    public int Dimension { get; }

    private USearchIndex(NativeIndex index, USearchSettings settings)
    {
        _index = index;
        _settings = settings;
        PoolSize = checked((int)index.Size());
        Dimension = checked((int)index.Dimensions());
        _expansionSearch = settings.ExpansionSearch;
        ExpansionControl.SetExpansionSearch(_index, _expansionSearch);
    }

    /// <summary>Builds an index over the rows of <paramref name="pool"/> (row i gets key i).</summary>
    public static USearchIndex Build(float[] pool, int count, int dimension, USearchSettings? settings = null, ProgressBar? progress = null)
    {
        settings ??= new USearchSettings();
        EmbeddingChecks.RequireMatrix("pool", pool, count, dimension);
        if (settings.Connectivity < 2 || settings.ExpansionAdd < 1 || settings.ExpansionSearch < 1)
            throw new SelectBenchException($"USearch settings {settings}: connectivity must be at least 2 and expansions at least 1.");
        var index = new NativeIndex(MetricKind.Cos, ScalarKind.Float32, (ulong)dimension,
            (ulong)settings.Connectivity, (ulong)settings.ExpansionAdd, (ulong)settings.ExpansionSearch);
        try
        {
            // The wrapper adds a batch one vector at a time after reserving room for the whole batch;
            // chunks keep the jagged copy it needs small.
            const int chunk = 4096;
            for (int start = 0; start < count; start += chunk)
            {
                int n = Math.Min(chunk, count - start);
                var keys = new ulong[n];
                var rows = new float[n][];
                for (int i = 0; i < n; i++)
                {
                    keys[i] = (ulong)(start + i);
                    rows[i] = pool.AsSpan((start + i) * dimension, dimension).ToArray();
                }
                index.Add(keys, rows);
                progress?.Advance(n);
            }
            return new USearchIndex(index, settings);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Saves the index to one file, atomically (a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + $".{Environment.ProcessId}.tmp";
        lock (_gate) _index.Save(tmp);
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>
    /// Loads a saved index into memory, or with <paramref name="view"/> maps the file without copying it
    /// (the file must then stay in place while the index is used). expansion_search is not stored in the
    /// file, so it is set again from <paramref name="settings"/>.
    /// </summary>
    public static USearchIndex Open(string path, bool view = false, USearchSettings? settings = null)
    {
        if (!File.Exists(path)) throw new BadInputException(path, "USearch index file not found; build it first.");
        NativeIndex index;
        try { index = new NativeIndex(path, view); }
        catch (USearchException e) { throw new BadInputException(path, $"cannot load the USearch index ({e.Message}); delete it to have it rebuilt.", e); }
        return new USearchIndex(index, settings ?? new USearchSettings());
    }

    public Neighbours Search(float[] queries, int queryCount, int k)
    {
        EmbeddingChecks.RequireMatrix("queries", queries, queryCount, Dimension);
        EmbeddingChecks.RequireK(k, PoolSize);
        var indices = new int[queryCount * k];
        var sims = new float[queryCount * k];
        var query = new float[Dimension];
        lock (_gate)
        {
            // HNSW keeps a candidate list of expansion_search entries; below ~2k the k-th neighbour is
            // often missed, so the list is widened for large k.
            int wanted = Math.Max(_settings.ExpansionSearch, 2 * k);
            if (wanted != _expansionSearch) { ExpansionControl.SetExpansionSearch(_index, wanted); _expansionSearch = wanted; }
            for (int q = 0; q < queryCount; q++)
            {
                Array.Copy(queries, q * Dimension, query, 0, Dimension);
                int found = _index.Search(query, k, out var keys, out var distances);
                for (int j = 0; j < k; j++)
                {
                    // A graph search can return fewer than k matches only when the graph is disconnected;
                    // the missing slots are marked -1 with similarity -infinity (documented in docs/encoders.md).
                    indices[q * k + j] = j < found ? checked((int)keys[j]) : -1;
                    sims[q * k + j] = j < found ? 1f - distances[j] : float.NegativeInfinity;
                }
            }
        }
        return new Neighbours(indices, sims, queryCount, k);
    }

    public void Dispose() => _index.Dispose();

    /// <summary>
    /// The 2.26.6 C# wrapper exposes expansion_search only in its constructor, and a loaded index falls
    /// back to the library default. The native library exports usearch_change_expansion_search
    /// (c/usearch.h), so it is called on the wrapper's handle directly.
    /// </summary>
    private static class ExpansionControl
    {
        private static readonly FieldInfo HandleField =
            typeof(NativeIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new MissingFieldException("Cloud.Unum.USearch.USearchIndex._index (USearch wrapper changed; update SelectBench.Search.USearchIndex)");

        [DllImport("libusearch_c", EntryPoint = "usearch_change_expansion_search")]
        private static extern void ChangeExpansionSearch(IntPtr index, UIntPtr expansion, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_expansion_search")]
        private static extern UIntPtr GetExpansionSearch(IntPtr index, out IntPtr error);

        public static void SetExpansionSearch(NativeIndex index, int expansion)
        {
            var handle = (IntPtr)HandleField.GetValue(index)!;
            ChangeExpansionSearch(handle, (UIntPtr)expansion, out var error);
            if (error != IntPtr.Zero) throw new SelectBenchException($"USearch: cannot set expansion_search ({Marshal.PtrToStringAnsi(error)}).");
        }

        public static int ExpansionSearch(NativeIndex index)
        {
            var handle = (IntPtr)HandleField.GetValue(index)!;
            var value = GetExpansionSearch(handle, out var error);
            if (error != IntPtr.Zero) throw new SelectBenchException($"USearch: cannot read expansion_search ({Marshal.PtrToStringAnsi(error)}).");
            return checked((int)value);
        }
    }

    /// <summary>The expansion_search the native index uses now (for tests and diagnostics).</summary>
    internal int NativeExpansionSearch() { lock (_gate) return ExpansionControl.ExpansionSearch(_index); }
}
