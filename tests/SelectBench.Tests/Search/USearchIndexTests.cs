using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Tests.Search;

public class USearchIndexTests
{
    /// <summary>Mean share of the exact top-k that the approximate top-k also contains.</summary>
    private static double RecallAtK(Neighbours exact, Neighbours approx)
    {
        double hits = 0;
        for (int q = 0; q < exact.QueryCount; q++)
        {
            var truth = new HashSet<int>(exact.IndicesOf(q).ToArray());
            foreach (var i in approx.IndicesOf(q)) if (truth.Contains(i)) hits++;
        }
        return hits / (exact.QueryCount * (double)exact.K);
    }

    [Fact]
    public void Recall_at_10_is_at_least_095_on_clustered_data()
    {
        // Issue 3 acceptance: 20k points in 64-d around 50 Gaussian clusters; queries from the same distribution.
        const int pool = 20_000, dim = 64, queries = 300, k = 10;
        var data = SearchTestData.Clustered(pool, dim, clusters: 50, spread: 0.5f, seed: 11);
        // Queries: pool points plus fresh noise, so they follow the pool's clusters without being in it.
        var queryData = QueriesNear(data, pool, dim, queries, seed: 12);
        using var exact = new ExactCosineSearch(data, pool, dim);
        using var index = USearchIndex.Build(data, pool, dim);
        double recall = RecallAtK(exact.Search(queryData, queries, k), index.Search(queryData, queries, k));
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    private static float[] QueriesNear(float[] pool, int poolSize, int dim, int count, int seed)
    {
        var rng = new Random(seed);
        var q = new float[count * dim];
        for (int i = 0; i < count; i++)
        {
            int row = rng.Next(poolSize);
            for (int j = 0; j < dim; j++) q[i * dim + j] = pool[row * dim + j] + 0.3f * SearchTestData.Normal(rng);
        }
        return q;
    }

    [Fact]
    public void Save_then_load_and_view_give_the_same_neighbours_and_keep_expansion_search()
    {
        const int pool = 500, dim = 16;
        var data = SearchTestData.Clustered(pool, dim, clusters: 5, spread: 0.5f, seed: 13);
        var queries = SearchTestData.Gaussian(20, dim, seed: 14);
        var folder = Directory.CreateTempSubdirectory("selectbench-usearch-").FullName;
        try
        {
            var settings = new USearchSettings(ExpansionSearch: 123);
            using var built = USearchIndex.Build(data, pool, dim, settings);
            var path = Path.Combine(folder, "pool.usearch");
            built.Save(path);
            var before = built.Search(queries, 20, 5);
            // Given the pool rows (as NearestNeighbourSearch does), they rescore and order the candidates like the built index.
            using var loaded = USearchIndex.Open(path, view: false, settings).WithPool(data);
            using var viewed = USearchIndex.Open(path, view: true, settings).WithPool(data);
            Assert.Equal(pool, loaded.PoolSize);
            Assert.Equal(dim, viewed.Dimension);
            Assert.Equal(123, loaded.NativeExpansionSearch());
            Assert.Equal(before.Indices, loaded.Search(queries, 20, 5).Indices);
            Assert.Equal(before.Indices, viewed.Search(queries, 20, 5).Indices);
            Assert.Equal(before.Similarities, viewed.Search(queries, 20, 5).Similarities);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Without_its_pool_rows_a_loaded_bfloat16_index_gives_the_stored_vectors_cosines_within_bfloat16_rounding()
    {
        var data = SearchTestData.Gaussian(100, 8, seed: 15);
        var folder = Directory.CreateTempSubdirectory("selectbench-usearch-").FullName;
        try
        {
            using (var built = USearchIndex.Build(data, 100, 8)) built.Save(Path.Combine(folder, "pool.usearch"));
            using var loaded = USearchIndex.Open(Path.Combine(folder, "pool.usearch"));
            var result = loaded.Search(data, 100, 1);
            for (int q = 0; q < 100; q++)
            {
                Assert.Equal(q, result.IndicesOf(q)[0]);
                Assert.InRange(result.SimilaritiesOf(q)[0], 1 - 0.01, 1 + 0.01); // bfloat16 keeps 8 bits of mantissa
            }
            using var exact = USearchIndex.Open(Path.Combine(folder, "pool.usearch")).WithPool(data);
            Assert.Equal(1f, exact.Search(data, 100, 1).SimilaritiesOf(0)[0], 5);
            Assert.Throws<SelectBenchException>(() => loaded.WithPool(data[..80]));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Similarities_are_cosines_and_bad_input_is_refused()
    {
        var data = SearchTestData.Gaussian(100, 8, seed: 15);
        using var index = USearchIndex.Build(data, 100, 8);
        var result = index.Search(data, 100, 1);
        for (int q = 0; q < 100; q++)
        {
            Assert.Equal(q, result.IndicesOf(q)[0]);
            Assert.Equal(1f, result.SimilaritiesOf(q)[0], 4);
        }
        var top3 = index.Search(data[..8], 1, 3);
        for (int j = 0; j < 3; j++)
            Assert.True(Math.Abs(SearchTestData.Cosine(data.AsSpan(0, 8), data.AsSpan(top3.IndicesOf(0)[j] * 8, 8)) - top3.SimilaritiesOf(0)[j]) < 1e-4);

        Assert.Throws<SelectBenchException>(() => index.Search(data, 100, 101));
        var bad = (float[])data.Clone();
        bad[3] = float.PositiveInfinity;
        Assert.Equal("queries row 0", Assert.Throws<BadInputException>(() => index.Search(bad[..8], 1, 1)).Item);
        Assert.Equal("pool row 0", Assert.Throws<BadInputException>(() => USearchIndex.Build(bad, 100, 8)).Item);
        Assert.Throws<BadInputException>(() => USearchIndex.Open("/nonexistent/pool.usearch"));
    }

    [Fact]
    public void Create_reuses_a_saved_index_file()
    {
        var folder = Directory.CreateTempSubdirectory("selectbench-usearch-").FullName;
        try
        {
            var pool = new Embeddings(SearchTestData.Gaussian(200, 8, seed: 16), 200, 8);
            var options = new NearestNeighbourOptions(Backend: SearchBackend.USearch, IndexPath: Path.Combine(folder, "i.usearch"), ViewFromDisk: true);
            using (var first = NearestNeighbourSearch.Create(pool, options)) Assert.Equal(200, first.PoolSize);
            var written = File.GetLastWriteTimeUtc(options.IndexPath!);
            using var second = NearestNeighbourSearch.Create(pool, options);
            Assert.Equal(written, File.GetLastWriteTimeUtc(options.IndexPath!));
            Assert.Equal(0, second.Search(pool.Data[..8], 1, 1).IndicesOf(0)[0]);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)] // more threads than this machine's cores: the native index must have a slot for each
    public void A_parallel_build_and_search_keep_recall_at_10_above_095(int threads)
    {
        const int pool = 6_000, dim = 32, queries = 200, k = 10;
        var data = SearchTestData.Clustered(pool, dim, clusters: 30, spread: 0.5f, seed: 21);
        var queryData = QueriesNear(data, pool, dim, queries, seed: 22);
        using var exact = new ExactCosineSearch(data, pool, dim);
        using var index = USearchIndex.Build(data, pool, dim, new USearchSettings(Connectivity: 16, ExpansionAdd: 64, ExpansionSearch: 128, Threads: threads));
        Assert.Equal(pool, index.PoolSize);
        var approx = index.Search(queryData, queries, k);
        double recall = RecallAtK(exact.Search(queryData, queries, k), approx);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3} on {threads} threads");
        // Every query finds k distinct pool rows, and searching again (any thread split) gives the same answer.
        for (int q = 0; q < queries; q++) Assert.Equal(k, approx.IndicesOf(q).ToArray().Where(i => i >= 0 && i < pool).Distinct().Count());
        Assert.Equal(approx.Indices, index.Search(queryData, queries, k).Indices);
    }

    [Fact]
    public void A_build_on_one_thread_is_reproducible()
    {
        const int pool = 3_000, dim = 16;
        var data = SearchTestData.Clustered(pool, dim, clusters: 20, spread: 0.5f, seed: 23);
        var queries = SearchTestData.Gaussian(100, dim, seed: 24);
        var settings = new USearchSettings(Connectivity: 8, ExpansionAdd: 16, ExpansionSearch: 20, Threads: 1);
        using var first = USearchIndex.Build(data, pool, dim, settings);
        using var second = USearchIndex.Build(data, pool, dim, settings);
        var a = first.Search(queries, 100, 10);
        var b = second.Search(queries, 100, 10);
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Similarities, b.Similarities);
    }

    [Fact]
    public void A_view_searches_on_several_threads_like_the_built_index()
    {
        const int pool = 2_000, dim = 16;
        var data = SearchTestData.Clustered(pool, dim, clusters: 10, spread: 0.5f, seed: 25);
        var queries = SearchTestData.Gaussian(600, dim, seed: 26);
        var folder = Directory.CreateTempSubdirectory("selectbench-usearch-").FullName;
        try
        {
            var settings = new USearchSettings(Threads: 4);
            using var built = USearchIndex.Build(data, pool, dim, settings);
            var path = Path.Combine(folder, "pool.usearch");
            built.Save(path);
            using var viewed = USearchIndex.Open(path, view: true, settings).WithPool(data);
            using var serial = USearchIndex.Open(path, view: false, settings with { Threads = 1 }).WithPool(data);
            var expected = built.Search(queries, 600, 5);
            Assert.Equal(expected.Indices, viewed.Search(queries, 600, 5).Indices);
            Assert.Equal(expected.Similarities, serial.Search(queries, 600, 5).Similarities);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<SelectBenchException>(() => new USearchSettings(Threads: 0).Validate("usearch"));
        Assert.Throws<SelectBenchException>(() => new USearchSettings(Connectivity: 1).Validate("usearch"));
        new USearchSettings(Threads: 2).Validate("usearch");
    }
}
