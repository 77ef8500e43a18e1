using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Tests.Search;

public class ExactCosineSearchTests
{
    [Fact]
    public void Matches_brute_force_indices_and_similarities()
    {
        const int pool = 300, dim = 16, queries = 40, k = 7;
        var poolData = SearchTestData.Gaussian(pool, dim, seed: 1);
        var queryData = SearchTestData.Gaussian(queries, dim, seed: 2);
        // A small block size forces several blocks, including a partial last one.
        using var search = new ExactCosineSearch(poolData, pool, dim, queryBlock: 16);
        var result = search.Search(queryData, queries, k);

        for (int q = 0; q < queries; q++)
        {
            var qv = queryData.AsMemory(q * dim, dim);
            var expected = Enumerable.Range(0, pool)
                .Select(i => (Index: i, Sim: SearchTestData.Cosine(qv.Span, poolData.AsSpan(i * dim, dim))))
                .OrderByDescending(p => p.Sim).Take(k).ToArray();
            Assert.Equal(expected.Select(e => e.Index), result.IndicesOf(q).ToArray());
            for (int j = 0; j < k; j++) Assert.True(Math.Abs(expected[j].Sim - result.SimilaritiesOf(q)[j]) < 1e-5);
        }
    }

    [Fact]
    public void Equals_a_plain_scalar_reference_bit_for_bit_with_ties_to_the_lower_index_at_any_thread_count()
    {
        // 301 pool rows (not a whole number of 8-image tiles), 13 dimensions, 39 queries (not a whole number of 4-query
        // groups); rows 7, 150 and 300 are copies of row 3, so their similarities tie exactly.
        const int pool = 301, dim = 13, queries = 39, k = 6;
        var poolData = SearchTestData.Gaussian(pool, dim, seed: 21);
        foreach (var copy in new[] { 7, 150, 300 }) Array.Copy(poolData, 3 * dim, poolData, copy * dim, dim);
        var queryData = SearchTestData.Gaussian(queries, dim, seed: 22);
        Array.Copy(poolData, 3 * dim, queryData, 0, dim); // query 0 is row 3 itself: four equal best neighbours
        using var one = new ExactCosineSearch(poolData, pool, dim, queryBlock: 5, threads: 1);
        using var two = new ExactCosineSearch(poolData, pool, dim, queryBlock: 5, threads: 2);
        var a = one.Search(queryData, queries, k);
        var b = two.Search(queryData, queries, k);
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Similarities, b.Similarities);

        // The reference: normalise with a left-to-right double norm, a left-to-right double dot, sort by (similarity desc, index asc).
        var unitPool = Unit(poolData, pool, dim);
        var unitQueries = Unit(queryData, queries, dim);
        for (int q = 0; q < queries; q++)
        {
            var expected = Enumerable.Range(0, pool).Select(i =>
            {
                double dot = 0;
                for (int j = 0; j < dim; j++) dot += (double)unitQueries[q * dim + j] * unitPool[i * dim + j];
                return (Index: i, Sim: dot);
            }).OrderByDescending(p => p.Sim).ThenBy(p => p.Index).Take(k).ToArray();
            Assert.Equal(expected.Select(e => e.Index), a.IndicesOf(q).ToArray());
            Assert.Equal(expected.Select(e => BitConverter.SingleToInt32Bits((float)e.Sim)), a.SimilaritiesOf(q).ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal([3, 7, 150, 300], a.IndicesOf(0)[..4].ToArray());
    }

    private static float[] Unit(float[] data, int count, int dim)
    {
        var unit = new float[data.Length];
        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            for (int j = 0; j < dim; j++) sum += (double)data[i * dim + j] * data[i * dim + j];
            double norm = Math.Sqrt(sum);
            for (int j = 0; j < dim; j++) unit[i * dim + j] = (float)(data[i * dim + j] / norm);
        }
        return unit;
    }

    [Fact]
    public void A_pool_row_finds_itself_first_with_similarity_one()
    {
        var data = SearchTestData.Gaussian(50, 8, seed: 3);
        using var search = new ExactCosineSearch(data, 50, 8);
        var result = search.Search(data, 50, 1);
        for (int q = 0; q < 50; q++)
        {
            Assert.Equal(q, result.IndicesOf(q)[0]);
            Assert.Equal(1f, result.SimilaritiesOf(q)[0], 5);
        }
    }

    [Fact]
    public void K_larger_than_the_pool_is_a_clear_error()
    {
        var data = SearchTestData.Gaussian(5, 4, seed: 4);
        using var search = new ExactCosineSearch(data, 5, 4);
        var e = Assert.Throws<SelectBenchException>(() => search.Search(data, 5, 6));
        Assert.Contains("exceeds the pool size 5", e.Message);
        Assert.Equal(5, search.Search(data, 5, 5).K);
    }

    [Fact]
    public void Nan_zero_rows_and_dimension_mismatch_are_refused_with_the_row_named()
    {
        var data = SearchTestData.Gaussian(6, 4, seed: 5);
        data[2 * 4 + 1] = float.NaN;
        var nan = Assert.Throws<BadInputException>(() => new ExactCosineSearch(data, 6, 4));
        Assert.Equal("pool row 2", nan.Item);

        var zeros = SearchTestData.Gaussian(3, 4, seed: 6);
        Array.Clear(zeros, 4, 4);
        Assert.Equal("pool row 1", Assert.Throws<BadInputException>(() => new ExactCosineSearch(zeros, 3, 4)).Item);

        using var search = new ExactCosineSearch(SearchTestData.Gaussian(6, 4, seed: 7), 6, 4);
        var mismatch = Assert.Throws<SelectBenchException>(() => search.Search(new float[10], 2, 1));
        Assert.Contains("dimension mismatch", mismatch.Message);
    }

    [Fact]
    public void Create_picks_exact_up_to_the_configured_size_and_usearch_beyond()
    {
        var pool = new Embeddings(SearchTestData.Gaussian(40, 8, seed: 8), 40, 8);
        using (var small = NearestNeighbourSearch.Create(pool)) Assert.IsType<ExactCosineSearch>(small);
        using (var big = NearestNeighbourSearch.Create(pool, new NearestNeighbourOptions(ExactMaxPool: 39))) Assert.IsType<USearchIndex>(big);
        using (var forced = NearestNeighbourSearch.Create(pool, new NearestNeighbourOptions(Backend: SearchBackend.USearch))) Assert.IsType<USearchIndex>(forced);
        using (var exact = NearestNeighbourSearch.Create(pool, new NearestNeighbourOptions(Backend: SearchBackend.Exact, ExactMaxPool: 0))) Assert.IsType<ExactCosineSearch>(exact);
    }
}
