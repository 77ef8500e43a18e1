namespace SelectBench.Search;

/// <summary>Top-k neighbours of each query: indices into the pool and cosine similarities, best first.</summary>
public sealed record Neighbours(int[] Indices, float[] Similarities, int QueryCount, int K)
{
    public ReadOnlySpan<int> IndicesOf(int query) => Indices.AsSpan(query * K, K);
    public ReadOnlySpan<float> SimilaritiesOf(int query) => Similarities.AsSpan(query * K, K);
}

/// <summary>Cosine nearest-neighbour search over a fixed pool of embeddings.</summary>
public interface INearestNeighbourSearch : IDisposable
{
    int PoolSize { get; }
    Neighbours Search(float[] queries, int queryCount, int k);
}
