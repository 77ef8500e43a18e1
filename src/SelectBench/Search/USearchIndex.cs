using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using SelectBench.Common;
using NativeIndex = Cloud.Unum.USearch.USearchIndex;
using SelectBench.Embedding;

namespace SelectBench.Search;

/// <summary>
/// HNSW graph settings for <see cref="USearchIndex"/>. The defaults (M 32, expansion_add 64, expansion_search 1024,
/// bfloat16 storage) are the cheapest measured settings that kept recall@10 at 0.95 or more up to 2,000,000 x 512-d
/// image-like vectors (0.955 there, 0.986 at 500,000), building 6,500 (2M) to 11,000 (500k) vectors/s on 2 idle
/// cores. The earlier defaults (M 32, expansion_add 200, float32) built 15 times slower at 50,000 for the same recall;
/// M 16 built as fast but its recall fell to 0.91 at 2M; expansion_add (the build's candidate list) sets the graph's
/// quality and most of the build's cost; expansion_search costs only query time. BENCHMARKS.md, "USearch at pool
/// scale", has every number and the command. At query time expansion_search is also kept at least 2k (see
/// <see cref="USearchIndex.Search"/>).
/// <paramref name="Threads"/>: threads that add vectors while building and that search; null = libtorch's setting
/// (jobs set it from their thread budget). A build on more than one thread is not reproducible bit for bit (which
/// thread inserts a vector first changes the graph); a build on 1 thread is (same library version, same pool).
/// <paramref name="Storage"/>: how the index stores each vector. <see cref="USearchStorage.BFloat16"/> (the default) halves
/// the vector memory of <see cref="USearchStorage.Float32"/> (2 GB instead of 4 GB at 2M x 512), and each distance reads
/// half as much, which made the build 2.4 times faster at the same recall (0.840 vs 0.820 at M 16, expansion_add 32,
/// 500k); <see cref="USearchStorage.Int8"/> quarters it (USearch scales unit vectors by 127) but lost recall (0.899 vs
/// 0.974 at M 16, expansion_add 64). Rows and queries are given as float32; the index converts them.
/// Timing and recall: BENCHMARKS.md, "USearch at pool scale".
/// </summary>
public sealed record USearchSettings(int Connectivity = 32, int ExpansionAdd = 64, int ExpansionSearch = 1024, int? Threads = null,
    USearchStorage Storage = USearchStorage.BFloat16)
{
    public void Validate(string where)
    {
        if (Connectivity < 2 || ExpansionAdd < 1 || ExpansionSearch < 1)
            throw new SelectBenchException($"{where}: USearch settings {this}: connectivity must be at least 2 and expansions at least 1.");
        if (!Enum.IsDefined(Storage))
            throw new SelectBenchException($"{where}.storage: {(int)Storage} is not a storage format; use Float32, BFloat16 or Int8.");
        if (Threads is < 1 or > 1024)
            throw new SelectBenchException($"{where}.threads: {Threads} is not allowed; give 1..1024, or leave it out for the job's thread count.");
    }

    /// <summary>The thread count to use: <see cref="Threads"/>, else libtorch's.</summary>
    public int ResolvedThreads => Math.Max(1, Threads ?? TorchSharp.torch.get_num_threads());

    internal ScalarKind ScalarKind => Storage switch
    {
        USearchStorage.BFloat16 => ScalarKind.BFloat16,
        USearchStorage.Int8 => ScalarKind.Int8,
        _ => ScalarKind.Float32,
    };
}

/// <summary>The number format a USearch index stores its vectors in (<see cref="USearchSettings.Storage"/>).</summary>
public enum USearchStorage { Float32, BFloat16, Int8 }

/// <summary>
/// Approximate cosine nearest neighbours with USearch (https://github.com/unum-cloud/usearch, HNSW,
/// Malkov and Yashunin 2016), NuGet Cloud.Unum.USearch 2.26.6. For pools of millions: the index is saved
/// to one file and can be served from disk by memory-mapping (<see cref="Open"/> with <c>view: true</c>).
/// <para>Threads. The native index takes concurrent adds and searches once it has reserved room for every vector
/// and one slot per thread (index_dense_gt::try_reserve with index_limits_t). The C# wrapper does neither: its
/// batch Add reserves only what the batch needs and then adds one vector at a time, each through a pinned copy of
/// a jagged row, and it offers no way to reserve thread slots. So this class calls the C API (c/usearch.h) on the
/// wrapper's handle: usearch_reserve for the whole pool, usearch_change_threads_add/_search for the slots, then
/// usearch_add from <see cref="USearchSettings.ResolvedThreads"/> threads, each adding whole batches of rows
/// straight from the pool array, and usearch_search the same way. The earlier single-threaded build ran at about
/// 48 vectors/s for 50,000 x 512-d; the cause and the new numbers are in BENCHMARKS.md, "USearch at pool scale".</para>
/// <para>Reproducibility: HNSW draws each vector's level and links it to the graph as it stands when the vector
/// arrives, so a build on several threads depends on scheduling and two builds can give slightly different
/// neighbours. A build on one thread adds in row order and is the same every time. Curation stays reproducible
/// because <see cref="NearestNeighbourSearch"/> uses the exact search for every pool where that is not much slower
/// (docs/curation.md, "Search backends"); above, set <see cref="USearchSettings.Threads"/> = 1 or keep the saved
/// index (<see cref="NearestNeighbourOptions.IndexPath"/>) to get the same answer again.</para>
/// Keys in the index are the pool row numbers 0..PoolSize-1. Rows and queries are scaled to unit length and the
/// index measures the inner product, so similarities (1 - distance) are cosines. An index saved with the cosine
/// metric by an earlier version still loads and answers the same way.
/// </summary>
public sealed class USearchIndex : INearestNeighbourSearch
{
    /// <summary>Rows one thread adds, or queries it searches, per task: large enough that scheduling costs nothing.</summary>
    private const int Batch = 256;

    private readonly NativeIndex _index;
    private readonly IntPtr _handle;
    private readonly object _gate = new();
    private USearchSettings _settings;
    // The pool rows (row-major), when known: the candidates' similarities are then recomputed from them in float32.
    private float[]? _pool;
    private readonly int _threads;
    private int _expansionSearch;

    public int PoolSize { get; }
    public int Dimension { get; }

    private USearchIndex(NativeIndex index, USearchSettings settings)
    {
        _index = index;
        _handle = Native.Handle(index);
        _settings = settings;
        _threads = settings.ResolvedThreads;
        PoolSize = checked((int)index.Size());
        Dimension = checked((int)index.Dimensions());
        _expansionSearch = settings.ExpansionSearch;
        Native.SetExpansionSearch(_handle, _expansionSearch);
        Native.ReserveThreads(_handle, PoolSize, _threads);
    }

    /// <summary>Builds an index over the rows of <paramref name="pool"/> (row i gets key i), on <see cref="USearchSettings.ResolvedThreads"/> threads.</summary>
    public static USearchIndex Build(float[] pool, int count, int dimension, USearchSettings? settings = null, ProgressBar? progress = null)
    {
        settings ??= new USearchSettings();
        EmbeddingChecks.RequireMatrix("pool", pool, count, dimension);
        settings.Validate("usearch");
        // Inner product on unit rows is the cosine at a third of the work per distance (cos also sums both norms).
        var index = new NativeIndex(MetricKind.Ip, settings.ScalarKind, (ulong)dimension,
            (ulong)settings.Connectivity, (ulong)settings.ExpansionAdd, (ulong)settings.ExpansionSearch);
        try
        {
            var handle = Native.Handle(index);
            int threads = settings.ResolvedThreads;
            // Room for every vector and a slot per thread before the first add: a reserve while another thread
            // adds would move the arrays under it.
            Native.ReserveThreads(handle, count, threads);
            int batches = (count + Batch - 1) / Batch;
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
            // Row order on one thread (the reproducible build); batches handed out in order on several.
            Parallel.For(0, batches, options, b =>
            {
                int first = b * Batch, last = Math.Min(count, first + Batch);
                var unit = new float[dimension];
                for (int i = first; i < last; i++)
                {
                    Unit(pool.AsSpan(i * dimension, dimension), unit);
                    Native.Add(handle, (ulong)i, unit);
                }
                progress?.Advance(last - first);
            });
            return new USearchIndex(index, settings) { _pool = pool };
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gives a loaded index its pool's rows (the ones it was built from), so searches return exact float32 cosines
    /// for the candidates the graph finds, not the stored vectors' bfloat16 ones (see <see cref="Search"/>).
    /// </summary>
    public USearchIndex WithPool(float[] pool)
    {
        EmbeddingChecks.RequireMatrix("pool", pool, PoolSize, Dimension);
        _pool = pool;
        return this;
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

    /// <summary>
    /// Top-k of each query, searched on <see cref="USearchSettings.ResolvedThreads"/> threads (each query alone, so the split
    /// changes nothing). When the index knows its pool rows (built here, or <see cref="WithPool"/> after <see cref="Open"/>),
    /// the similarities are the float32 rows' cosines, not the stored vectors' (bfloat16 by default).
    /// </summary>
    public Neighbours Search(float[] queries, int queryCount, int k)
    {
        EmbeddingChecks.RequireMatrix("queries", queries, queryCount, Dimension);
        EmbeddingChecks.RequireK(k, PoolSize);
        var indices = new int[queryCount * k];
        var sims = new float[queryCount * k];
        lock (_gate)
        {
            // HNSW keeps a candidate list of expansion_search entries; below ~2k the k-th neighbour is
            // often missed, so the list is widened for large k.
            int wanted = Math.Max(_settings.ExpansionSearch, 2 * k);
            if (wanted != _expansionSearch) { Native.SetExpansionSearch(_handle, wanted); _expansionSearch = wanted; }
            int blocks = (queryCount + Batch - 1) / Batch;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, block =>
            {
                var keys = new ulong[k];
                var distances = new float[k];
                var unit = new float[Dimension];
                for (int q = block * Batch; q < Math.Min(queryCount, (block + 1) * Batch); q++)
                {
                    Unit(queries.AsSpan(q * Dimension, Dimension), unit);
                    int found = Native.Search(_handle, unit, keys, distances);
                    for (int j = 0; j < k; j++)
                    {
                        // A graph search can return fewer than k matches only when the graph is disconnected;
                        // the missing slots are marked -1 with similarity -infinity (documented in docs/encoders.md).
                        indices[q * k + j] = j < found ? checked((int)keys[j]) : -1;
                        sims[q * k + j] = j < found ? 1f - distances[j] : float.NegativeInfinity;
                    }
                    if (_pool is { } pool && found > 0) Rescore(pool, unit, indices.AsSpan(q * k, found), sims.AsSpan(q * k, found));
                }
            });
        }
        return new Neighbours(indices, sims, queryCount, k);
    }

    /// <summary>Sets expansion_search for later searches: a search-time setting (wider = higher recall, slower queries); the graph stays as built.</summary>
    public void ChangeExpansionSearch(int expansion)
    {
        if (expansion < 1) throw new SelectBenchException($"usearch.expansion_search: {expansion} is not allowed; give at least 1.");
        lock (_gate) _settings = _settings with { ExpansionSearch = expansion };
    }

    public void Dispose() => _index.Dispose();

    /// <summary>
    /// Replaces the graph's similarities (from vectors stored in bfloat16 or int8, off by up to ~0.004) with the cosines of
    /// the float32 pool rows (left-to-right double sums, the same on every CPU, as <see cref="ExactCosineSearch"/> does), and re-sorts the
    /// candidates best first (ties: lower row first). Which candidates are found still depends on the graph.
    /// </summary>
    private void Rescore(float[] pool, ReadOnlySpan<float> unitQuery, Span<int> indices, Span<float> sims)
    {
        for (int j = 0; j < indices.Length; j++)
        {
            var row = pool.AsSpan(indices[j] * Dimension, Dimension);
            double norm = Embeddings.UnitScale(row), dot = 0;
            for (int d = 0; d < row.Length; d++) dot += unitQuery[d] * (double)row[d];
            sims[j] = norm > 0 ? (float)(dot / norm) : 0f;
        }
        var order = new int[indices.Length];
        for (int j = 0; j < order.Length; j++) order[j] = j;
        var (keyCopy, simCopy) = (indices.ToArray(), sims.ToArray());
        Array.Sort(order, (a, b) => simCopy[b] != simCopy[a] ? simCopy[b].CompareTo(simCopy[a]) : keyCopy[a].CompareTo(keyCopy[b]));
        for (int j = 0; j < order.Length; j++) { indices[j] = keyCopy[order[j]]; sims[j] = simCopy[order[j]]; }
    }

    /// <summary>The row scaled to unit length as <see cref="Embeddings.Normalised"/> does (a zero row stays zero).</summary>
    private static void Unit(ReadOnlySpan<float> row, Span<float> unit)
    {
        double norm = Embeddings.UnitScale(row);
        for (int j = 0; j < row.Length; j++) unit[j] = norm > 0 ? (float)(row[j] / norm) : row[j];
    }

    /// <summary>
    /// The C API of the native library (c/usearch.h), called on the wrapper's handle: the 2.26.6 C# wrapper exposes
    /// expansion_search only in its constructor (a loaded index falls back to the library default), cannot reserve
    /// thread slots, and adds and searches through per-call copies.
    /// </summary>
    private static class Native
    {
        private static readonly FieldInfo HandleField =
            typeof(NativeIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new MissingFieldException("Cloud.Unum.USearch.USearchIndex._index (USearch wrapper changed; update SelectBench.Search.USearchIndex)");

        [DllImport("libusearch_c", EntryPoint = "usearch_change_expansion_search")]
        private static extern void ChangeExpansionSearch(IntPtr index, UIntPtr expansion, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_expansion_search")]
        private static extern UIntPtr GetExpansionSearch(IntPtr index, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_reserve")]
        private static extern void Reserve(IntPtr index, UIntPtr capacity, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_capacity")]
        private static extern UIntPtr Capacity(IntPtr index, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_change_threads_add")]
        private static extern void ChangeThreadsAdd(IntPtr index, UIntPtr threads, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_change_threads_search")]
        private static extern void ChangeThreadsSearch(IntPtr index, UIntPtr threads, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_add")]
        private static extern unsafe void AddRow(IntPtr index, ulong key, float* vector, ScalarKind kind, out IntPtr error);

        [DllImport("libusearch_c", EntryPoint = "usearch_search")]
        private static extern unsafe UIntPtr SearchRow(IntPtr index, float* query, ScalarKind kind, UIntPtr limit,
            ulong* keys, float* distances, out IntPtr error);

        public static IntPtr Handle(NativeIndex index) => (IntPtr)HandleField.GetValue(index)!;

        /// <summary>
        /// Room for <paramref name="capacity"/> vectors and <paramref name="threads"/> concurrent adders and searchers.
        /// The native index hands each call a free thread slot; more callers than slots is undefined behaviour, so
        /// this runs before any parallel add or search. A memory-mapped view cannot grow, so its capacity is left alone.
        /// </summary>
        public static void ReserveThreads(IntPtr index, int capacity, int threads)
        {
            if ((ulong)Capacity(index, out var error) < (ulong)capacity)
            {
                Reserve(index, (UIntPtr)capacity, out error);
                Check(error, "reserve room for the pool");
            }
            ChangeThreadsAdd(index, (UIntPtr)threads, out error);
            Check(error, "reserve thread slots");
            ChangeThreadsSearch(index, (UIntPtr)threads, out error);
            Check(error, "reserve thread slots");
        }

        public static unsafe void Add(IntPtr index, ulong key, ReadOnlySpan<float> row)
        {
            IntPtr error;
            fixed (float* p = row) AddRow(index, key, p, ScalarKind.Float32, out error);
            Check(error, $"add vector {key}");
        }

        public static unsafe int Search(IntPtr index, ReadOnlySpan<float> query, ulong[] keys, float[] distances)
        {
            UIntPtr found;
            IntPtr error;
            fixed (float* q = query)
            fixed (ulong* k = keys)
            fixed (float* d = distances)
                found = SearchRow(index, q, ScalarKind.Float32, (UIntPtr)keys.Length, k, d, out error);
            Check(error, "search");
            return checked((int)found);
        }

        public static void SetExpansionSearch(IntPtr index, int expansion)
        {
            ChangeExpansionSearch(index, (UIntPtr)expansion, out var error);
            Check(error, "set expansion_search");
        }

        public static int ExpansionSearch(IntPtr index)
        {
            var value = GetExpansionSearch(index, out var error);
            Check(error, "read expansion_search");
            return checked((int)value);
        }

        private static void Check(IntPtr error, string what)
        {
            if (error != IntPtr.Zero) throw new SelectBenchException($"USearch: cannot {what} ({Marshal.PtrToStringAnsi(error)}).");
        }
    }

    /// <summary>The expansion_search the native index uses now (for tests and diagnostics).</summary>
    internal int NativeExpansionSearch() { lock (_gate) return Native.ExpansionSearch(_handle); }
}
