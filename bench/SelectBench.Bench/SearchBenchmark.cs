using System.Diagnostics;
using System.Globalization;
using SelectBench.Search;

namespace SelectBench.Bench;

/// <summary>
/// Exact cosine search vs USearch HNSW on synthetic pools: build throughput, query throughput and recall@k of USearch
/// against the exact result. The pool is clustered (Gaussian clusters around random centres), as image
/// embeddings are; uniform random vectors are the worst case for HNSW and not what curation searches.
/// Several pool sizes in one run (--pools 50000,500000,2000000); the exact search answers only --exact-queries of
/// the queries (a sample is enough for recall and its time per query), USearch answers all --queries.
/// With --why N it instead builds one pool of N vectors four ways, to take the old build's 48 vectors/s apart: the
/// C# wrapper's batch Add on one thread (the old code) and the C API on 1 and on --threads threads, all with the old
/// settings (M 32, expansion_add 200), then the C API with the given settings.
/// --intrinsic D draws each cluster's points from a D-dimensional subspace of its own (plus isotropic noise of a tenth
/// of the spread) instead of all 512 directions: image embeddings have a low intrinsic dimension (tens, Pope et al.
/// 2021, "The Intrinsic Dimension of Images and Its Impact on Learning", ICLR), while isotropic 512-d clusters make
/// every member nearly equidistant from every other, HNSW's worst case. --storage f32|bf16|i8 sets the index's
/// vector format (<see cref="USearchStorage"/>). --expansion-search takes a list (512,1024,2048): the index is built once
/// and searched once per value, one row each.
/// Usage: search [--pools 50000] [--queries 10000] [--exact-queries 1000] [--dim 512] [--k 10] [--clusters 100]
///               [--spread 0.6] [--intrinsic 0] [--connectivity 32] [--expansion-add 64] [--expansion-search 1024]
///               [--storage bf16] [--threads 2] [--seed 0] [--why 10000]
/// </summary>
public sealed class SearchBenchmark : IBenchmark
{
    public string Name => "search";
    public string Description => "exact cosine top-k vs USearch HNSW: build and query throughput, recall@k, at several pool sizes";

    public int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        var pools = (o.String("pools") ?? o.String("pool") ?? "50000").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        int queries = o.Int("queries", 10_000), exactQueries = Math.Min(queries, o.Int("exact-queries", 1_000));
        int dim = o.Int("dim", 512), k = o.Int("k", 10), clusters = o.Int("clusters", 100), seed = o.Int("seed", 0);
        int threads = o.Int("threads", 2);
        float spread = (float)o.Double("spread", 0.6);
        int intrinsic = o.Int("intrinsic", 0);
        var defaults = new USearchSettings();
        var storage = o.String("storage") switch
        {
            null => defaults.Storage,
            "f32" => USearchStorage.Float32,
            "bf16" => USearchStorage.BFloat16,
            "i8" => USearchStorage.Int8,
            var other => throw new ArgumentException($"--storage {other}: use f32, bf16 or i8"),
        };
        // Several expansion_search values (--expansion-search 512,1024) search the same index once each: a search-time setting.
        var expansions = (o.String("expansion-search") ?? defaults.ExpansionSearch.ToString(CultureInfo.InvariantCulture))
            .Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToArray();
        var settings = new USearchSettings(o.Int("connectivity", defaults.Connectivity), o.Int("expansion-add", defaults.ExpansionAdd),
            expansions[0], threads, storage);
        Console.WriteLine($"pools {string.Join(", ", pools)} x {dim}, {queries} queries ({exactQueries} exact), k = {k}, {clusters} clusters (spread {spread}, " +
                          $"{(intrinsic > 0 ? $"{intrinsic}-d subspace each" : "isotropic")}), " +
                          $"USearch {settings}, {threads} threads, {Environment.ProcessorCount} processors, load {Load()}");
        if (o.Int("why", 0) is > 0 and var why) return Why(why, dim, clusters, spread, seed, threads, settings);
        var rows = new List<string>();
        foreach (int pool in pools)
        {
            var rng = new Random(seed);
            var centres = Normal(rng, clusters * dim, 1f);
            var bases = intrinsic > 0 ? Normal(rng, clusters * intrinsic * dim, 1f / MathF.Sqrt(dim)) : null;
            var poolData = Around(rng, centres, bases, clusters, pool, dim, spread);
            var queryData = Around(rng, centres, bases, clusters, queries, dim, spread);

            var clock = Stopwatch.StartNew();
            Neighbours truth;
            double exactBuild, exactQuery;
            using (var exact = new ExactCosineSearch(poolData, pool, dim, threads: threads))
            {
                exactBuild = clock.Elapsed.TotalSeconds;
                clock.Restart();
                truth = exact.Search(queryData[..(exactQueries * dim)], exactQueries, k);
                exactQuery = clock.Elapsed.TotalSeconds;
            }
            GC.Collect(); // the exact search's tiles (4 GB at 2M x 512) go before the index is built

            // CPU seconds beside wall seconds: on a shared machine the wall time says more about the neighbours than
            // about the index; vectors per CPU-second x threads is what an idle machine would give.
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            clock.Restart();
            using var index = USearchIndex.Build(poolData, pool, dim, settings);
            double annBuild = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double buildCpu = (process.TotalProcessorTime - cpu).TotalSeconds;
            foreach (int expansion in expansions)
            {
                index.ChangeExpansionSearch(expansion);
                process.Refresh();
                cpu = process.TotalProcessorTime;
                clock.Restart();
                var approx = index.Search(queryData, queries, k);
                double annQuery = clock.Elapsed.TotalSeconds;
                process.Refresh();
                double queryCpu = (process.TotalProcessorTime - cpu).TotalSeconds;

                double hits = 0;
                for (int q = 0; q < exactQueries; q++)
                {
                    var set = new HashSet<int>(truth.IndicesOf(q).ToArray());
                    foreach (var i in approx.IndicesOf(q)) if (set.Contains(i)) hits++;
                }
                double recall = hits / ((double)exactQueries * k);
                // The exact search's time for all the queries, from its sampled rate (its cost is linear in the queries),
                // and the number of queries above which USearch (build once, then search) finishes first.
                double exactAll = exactQuery / exactQueries * queries;
                double perQueryGain = exactQuery / exactQueries - annQuery / queries;
                string crossover = perQueryGain > 0 ? ((annBuild - exactBuild) / perQueryGain).ToString("N0", CultureInfo.InvariantCulture) : "never";
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {pool:N0} | {pool / annBuild:N0} | {pool / buildCpu:N0} | {annBuild:F1} | {expansion} | {queries / annQuery:N0} | {queries / queryCpu:N0} | {recall:F3} | {exactQueries / exactQuery:N1} | {exactBuild:F1} | {exactAll:F1} | {annBuild + annQuery:F1} | {crossover} | {Load()} |"));
                Console.WriteLine(rows[^1]);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"| pool | USearch build vectors/s | vectors per CPU-s | build (s) | ef_search | USearch queries/s | queries per CPU-s | recall@{k} | exact queries/s | exact setup (s) | exact, {queries:N0} queries (s) | USearch build + {queries:N0} queries (s) | USearch first above (queries) | load after |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    private static int Why(int pool, int dim, int clusters, float spread, int seed, int threads, USearchSettings settings)
    {
        var rng = new Random(seed);
        var centres = Normal(rng, clusters * dim, 1f);
        var data = Around(rng, centres, null, clusters, pool, dim, spread);
        var old = new USearchSettings(32, 200, 256, Storage: USearchStorage.Float32);
        Console.WriteLine($"| build of {pool:N0} x {dim} | vectors/s | vectors per CPU-s | load after |");
        Console.WriteLine("|---|---:|---:|---|");
        Measure("C# wrapper batch Add, 1 thread, M 32, ef_add 200 (the old code)", () =>
        {
            using var index = new Cloud.Unum.USearch.USearchIndex(Cloud.Unum.USearch.MetricKind.Cos, Cloud.Unum.USearch.ScalarKind.Float32,
                (ulong)dim, 32, 200, 256);
            for (int start = 0; start < pool; start += 4096)
            {
                int n = Math.Min(4096, pool - start);
                var keys = new ulong[n];
                var rows = new float[n][];
                for (int i = 0; i < n; i++) { keys[i] = (ulong)(start + i); rows[i] = data.AsSpan((start + i) * dim, dim).ToArray(); }
                index.Add(keys, rows);
            }
        });
        Measure("C API, 1 thread, M 32, ef_add 200", () => USearchIndex.Build(data, pool, dim, old with { Threads = 1 }).Dispose());
        Measure($"C API, {threads} threads, M 32, ef_add 200", () => USearchIndex.Build(data, pool, dim, old with { Threads = threads }).Dispose());
        Measure($"C API, {threads} threads, M {settings.Connectivity}, ef_add {settings.ExpansionAdd}", () => USearchIndex.Build(data, pool, dim, settings).Dispose());
        return 0;

        void Measure(string what, Action build)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            build();
            double wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double used = (process.TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {pool / wall:N0} | {pool / used:N0} | {Load()} |"));
        }
    }

    private static string Load()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static float[] Normal(Random rng, int n, float scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return v;
    }

    /// <summary>
    /// Points around random centres. Without <paramref name="bases"/> (isotropic): centre + N(0, spread^2) in every
    /// direction. With them (D unit-length rows of dim per cluster): centre + sqrt(dim / D) * spread * (z . basis), z ~ N(0, I_D),
    /// the same total variance in D directions, plus isotropic noise of spread / 10.
    /// </summary>
    private static float[] Around(Random rng, float[] centres, float[]? bases, int clusters, int count, int dim, float spread)
    {
        var points = Normal(rng, count * dim, bases is null ? spread : spread / 10);
        int intrinsic = bases is null ? 0 : bases.Length / (clusters * dim);
        var z = new float[intrinsic];
        float scale = intrinsic > 0 ? MathF.Sqrt((float)dim / intrinsic) * spread : 0;
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(clusters);
            var row = points.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++) row[j] += centres[c * dim + j];
            if (bases is null) continue;
            for (int d = 0; d < intrinsic; d++) z[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            for (int d = 0; d < intrinsic; d++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bases.AsSpan((c * intrinsic + d) * dim, dim), z[d], row, row);
        }
        return points;
    }
}

/// <summary>--name value pairs for the search and SSL benchmarks.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static BenchArgs Parse(string[] args)
    {
        var parsed = new BenchArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value' pairs, got '{args[i]}'");
            parsed._values[args[i][2..]] = args[++i];
        }
        return parsed;
    }

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public string? String(string name) => _values.GetValueOrDefault(name);
}
