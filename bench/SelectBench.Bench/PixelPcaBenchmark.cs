using System.Diagnostics;
using System.Globalization;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Bench;

/// <summary>
/// The curation encoder's steps on a world's own sets: fit pixel PCA (k components) on one image set, encode a
/// second set, and run the exact cosine search the embedding-search strategy runs (queries from the first set,
/// top-k over the second). Each step is timed over several repeats (median and best); the first repeat
/// includes JIT. Prints a short hash of the components and the search result so runs on two machines (or
/// with two thread counts) can be compared for bit-identity.
/// Usage: pixel-pca --fit WORLD/sets/E --pool WORLD/pool [--k 64] [--queries 2000] [--neighbours 4] [--repeats 3] [--threads N]
/// </summary>
public sealed class PixelPcaBenchmark : IBenchmark
{
    public string Name => "pixel-pca";
    public string Description => "pixel PCA fit, encode and exact cosine search on a world's sets (--fit DIR --pool DIR)";

    public int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        var fitFolder = o.String("fit") ?? throw new ArgumentException("--fit DIR (an image-set folder, e.g. WORLD/sets/E) is required");
        var poolFolder = o.String("pool") ?? throw new ArgumentException("--pool DIR (an image-set folder, e.g. WORLD/pool) is required");
        int k = o.Int("k", 64), queries = o.Int("queries", 2000), neighbours = o.Int("neighbours", 4), repeats = o.Int("repeats", 3);
        int threads = o.Int("threads", Environment.ProcessorCount);
        TorchSharp.torch.set_num_threads(threads);
        var fitSet = ImageSetStore.Load(fitFolder, withProvenance: false);
        var pool = ImageSetStore.Load(poolFolder, withProvenance: false);
        Console.WriteLine($"fit on {fitSet.Count:N0} x {fitSet.ImageSize} ({fitFolder}), encode {pool.Count:N0} ({poolFolder}), k = {k}, " +
                          $"{queries} queries x top-{neighbours}, threads {threads}, {repeats} repeats");

        PixelPcaEncoder? pca = null;
        Embeddings? poolEmb = null;
        Neighbours? found = null;
        var fit = Time(repeats, () => pca = PixelPcaEncoder.Fit(fitSet, k));
        // The exact fit's two parts on their own (the old torch fit had no such split).
        double[]? covariance = null;
        var moments = Time(repeats, () => covariance = PixelCovariance.Compute(fitSet, threads).Covariance);
        var eigen = Time(repeats, () => SelectBench.Common.SymmetricEigen.Decompose(covariance!, fitSet.ImageSize));
        var encode = Time(repeats, () => poolEmb = pca!.Encode(pool));
        var queryEmb = pca!.Encode(fitSet.Select(Enumerable.Range(0, Math.Min(queries, fitSet.Count)).ToArray())).Normalised();
        var search = Time(repeats, () =>
        {
            using var index = NearestNeighbourSearch.Create(poolEmb!.Normalised());
            found = index.Search(queryEmb.Data, queryEmb.Count, neighbours);
        });

        Console.WriteLine();
        Console.WriteLine("| step | median (s) | best (s) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, times) in new[]
                 {
                     ($"fit k={k} on {fitSet.Count:N0}", fit), ("- of which covariance (exact integer moments)", moments),
                     ($"- of which eigen-decomposition ({fitSet.ImageSize} x {fitSet.ImageSize}, tred2 + tql2)", eigen),
                     ($"encode {pool.Count:N0}", encode), ($"search {queryEmb.Count:N0} x top-{neighbours}", search),
                 })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times[times.Count / 2]:F2} | {times[0]:F2} |"));
        Console.WriteLine();
        Console.WriteLine($"pca state hash {pca.State.StateHash[..16]} ({pca.State.Method}); top eigenvalues " +
                          string.Join(", ", pca.State.Eigenvalues.Take(3).Select(e => e.ToString("R", CultureInfo.InvariantCulture))));
        Console.WriteLine($"pool embeddings sha256 {Hash(System.Runtime.InteropServices.MemoryMarshal.AsBytes(poolEmb!.Data.AsSpan()))}; " +
                          $"neighbours sha256 {Hash(System.Runtime.InteropServices.MemoryMarshal.AsBytes(found!.Indices.AsSpan()))}");
        return 0;
    }

    private static List<double> Time(int repeats, Action step)
    {
        var times = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            step();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times;
    }

    private static string Hash(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16];
}
