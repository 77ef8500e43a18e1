using System.Diagnostics;
using System.Globalization;
using SelectBench.Search;

namespace SelectBench.Bench;

/// <summary>
/// Exact cosine search vs USearch HNSW on one synthetic pool: build time, query time and recall@k of USearch
/// against the exact result. The pool is clustered (Gaussian clusters around random centres), as image
/// embeddings are; uniform random vectors are the worst case for HNSW and not what curation searches.
/// Usage: search [--pool 50000] [--queries 10000] [--dim 512] [--k 10] [--clusters 100] [--spread 0.6]
///               [--connectivity 32] [--expansion-add 200] [--expansion-search 256] [--seed 0]
/// </summary>
public sealed class SearchBenchmark : IBenchmark
{
    public string Name => "search";
    public string Description => "exact cosine top-k vs USearch HNSW: build, query time and recall@k";

    public int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        int pool = o.Int("pool", 50_000), queries = o.Int("queries", 10_000), dim = o.Int("dim", 512), k = o.Int("k", 10);
        int clusters = o.Int("clusters", 100), seed = o.Int("seed", 0);
        float spread = (float)o.Double("spread", 0.6);
        var settings = new USearchSettings(o.Int("connectivity", 32), o.Int("expansion-add", 200), o.Int("expansion-search", 256));
        Console.WriteLine($"pool {pool} x {dim}, {queries} queries, k = {k}, {clusters} clusters (spread {spread}), USearch {settings}, torch threads {TorchSharp.torch.get_num_threads()}");

        var rng = new Random(seed);
        var centres = Normal(rng, clusters * dim, 1f);
        var poolData = Around(rng, centres, clusters, pool, dim, spread);
        var queryData = Around(rng, centres, clusters, queries, dim, spread);

        var clock = Stopwatch.StartNew();
        using var exact = new ExactCosineSearch(poolData, pool, dim);
        double exactBuild = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var truth = exact.Search(queryData, queries, k);
        double exactQuery = clock.Elapsed.TotalSeconds;

        clock.Restart();
        using var index = USearchIndex.Build(poolData, pool, dim, settings);
        double annBuild = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var approx = index.Search(queryData, queries, k);
        double annQuery = clock.Elapsed.TotalSeconds;

        double hits = 0;
        for (int q = 0; q < queries; q++)
        {
            var set = new HashSet<int>(truth.IndicesOf(q).ToArray());
            foreach (var i in approx.IndicesOf(q)) if (set.Contains(i)) hits++;
        }
        double recall = hits / ((double)queries * k);
        Console.WriteLine();
        Console.WriteLine($"| backend | build (s) | query (s) | queries/s | recall@{k} |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| exact (TorchSharp matmul + topk) | {exactBuild:F2} | {exactQuery:F2} | {queries / exactQuery:F0} | 1.000 |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| USearch HNSW (M={settings.Connectivity}, ef_add={settings.ExpansionAdd}, ef_search={settings.ExpansionSearch}) | {annBuild:F2} | {annQuery:F2} | {queries / annQuery:F0} | {recall:F3} |"));
        return 0;
    }

    private static float[] Normal(Random rng, int n, float scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return v;
    }

    private static float[] Around(Random rng, float[] centres, int clusters, int count, int dim, float spread)
    {
        var noise = Normal(rng, count * dim, spread);
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(clusters);
            for (int j = 0; j < dim; j++) noise[i * dim + j] += centres[c * dim + j];
        }
        return noise;
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
