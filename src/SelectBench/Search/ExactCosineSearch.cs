using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Search;

/// <summary>
/// Exact cosine top-k whose answer is the same on every CPU and at every thread count, because curation keeps or
/// drops images on it (embedding search takes each query's nearest unused pool image; leakage and near-duplicate
/// removal compare the best similarity with a threshold). Rows are L2-normalised (<see cref="Embeddings.Normalised"/>);
/// each similarity is the sum over dimensions, in order, of products taken in double (a product of two floats is
/// exact in double, so only the additions round). The pool is stored in tiles of 8 images, dimension-major, and
/// scored against 4 queries at a time, so Vector256 lanes hold different pool images, never different dimensions:
/// the vector code gives the same bits as the plain loop (a test checks against a scalar reference). Ties on the
/// double similarity go to the lower pool index. Similarities are returned as float. Queries are split over threads;
/// no value depends on the split. Safe to call from several threads. Timing: BENCHMARKS.md, "Pixel PCA and exact search".
/// </summary>
public sealed class ExactCosineSearch : INearestNeighbourSearch
{
    // Pool images per tile (one Vector256<float>) and queries scored together against a tile: 4 queries x 2 halves
    // of 4 doubles are 8 accumulators, which stay in registers while the loop walks the dimensions.
    private const int Tile = 8, QueryGroup = 4;
    private readonly float[] _tiles; // tile t = pool images 8t..8t+7 as [dimension][8], unit rows; the last tile padded with zeros
    private readonly int _tileCount, _threads;

    public int PoolSize { get; }
    public int Dimension { get; }
    /// <summary>Queries per parallel task.</summary>
    public int QueryBlock { get; }

    /// <param name="queryBlock">Queries per parallel task.</param>
    /// <param name="threads">Threads; null = libtorch's setting (jobs set it from their thread budget). Any count gives the same answer.</param>
    public ExactCosineSearch(float[] pool, int count, int dimension, int queryBlock = 64, int? threads = null)
    {
        EmbeddingChecks.RequireMatrix("pool", pool, count, dimension);
        if (queryBlock <= 0) throw new ArgumentOutOfRangeException(nameof(queryBlock), "must be positive");
        PoolSize = count;
        Dimension = dimension;
        QueryBlock = queryBlock;
        _threads = Math.Max(1, threads ?? TorchSharp.torch.get_num_threads());
        var unit = new Embeddings(pool, count, dimension).Normalised().Data;
        _tileCount = (count + Tile - 1) / Tile;
        _tiles = new float[(long)_tileCount * Tile * dimension];
        for (int i = 0; i < count; i++)
            for (int d = 0; d < dimension; d++)
                _tiles[((long)(i / Tile) * dimension + d) * Tile + i % Tile] = unit[(long)i * dimension + d];
    }

    public Neighbours Search(float[] queries, int queryCount, int k)
    {
        EmbeddingChecks.RequireMatrix("queries", queries, queryCount, Dimension);
        EmbeddingChecks.RequireK(k, PoolSize);
        var unit = new Embeddings(queries, queryCount, Dimension).Normalised().Data;
        var indices = new int[(long)queryCount * k];
        var sims = new float[(long)queryCount * k];
        int blocks = (queryCount + QueryBlock - 1) / QueryBlock;
        bool simd = Vector256.IsHardwareAccelerated;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, block =>
        {
            int first = block * QueryBlock, last = Math.Min(queryCount, first + QueryBlock);
            var heaps = new TopK[last - first];
            for (int q = first; q < last; q++) heaps[q - first] = new TopK(k);
            // The group's queries as doubles, dimension-major, padded to a whole group with zero queries (never reported).
            var group = new double[QueryGroup * Dimension];
            var scores = new double[QueryGroup * Tile];
            for (int g = first; g < last; g += QueryGroup)
            {
                int members = Math.Min(QueryGroup, last - g);
                Array.Clear(group);
                for (int m = 0; m < members; m++)
                    for (int d = 0; d < Dimension; d++) group[d * QueryGroup + m] = unit[(long)(g + m) * Dimension + d];
                for (int t = 0; t < _tileCount; t++)
                {
                    ScoreTile(group, t, scores, simd);
                    int width = Math.Min(Tile, PoolSize - t * Tile);
                    for (int m = 0; m < members; m++) heaps[g + m - first].Offer(scores.AsSpan(m * Tile, width), t * Tile);
                }
            }
            for (int q = first; q < last; q++) heaps[q - first].WriteSorted(indices.AsSpan(q * k, k), sims.AsSpan(q * k, k));
        });
        return new Neighbours(indices, sims, queryCount, k);
    }

    /// <summary>
    /// scores[m * 8 + i] = sum over d, in order, of query m's d-th value times pool image (8t + i)'s, in double.
    /// Vector lanes hold different pool images, so the vector code adds in the same order as the scalar loop.
    /// </summary>
    private void ScoreTile(double[] group, int t, double[] scores, bool simd)
    {
        var tile = _tiles.AsSpan(t * Tile * Dimension, Tile * Dimension);
        if (simd)
        {
            Vector256<double> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, e0 = default, e1 = default;
            var rows = MemoryMarshal.Cast<float, Vector256<float>>(tile);
            for (int d = 0; d < Dimension; d++)
            {
                var (lower, upper) = Vector256.Widen(rows[d]);
                int at = d * QueryGroup;
                var q = Vector256.Create(group[at]);
                a0 += q * lower;
                a1 += q * upper;
                q = Vector256.Create(group[at + 1]);
                b0 += q * lower;
                b1 += q * upper;
                q = Vector256.Create(group[at + 2]);
                c0 += q * lower;
                c1 += q * upper;
                q = Vector256.Create(group[at + 3]);
                e0 += q * lower;
                e1 += q * upper;
            }
            var target = MemoryMarshal.Cast<double, Vector256<double>>(scores.AsSpan());
            (target[0], target[1], target[2], target[3], target[4], target[5], target[6], target[7]) = (a0, a1, b0, b1, c0, c1, e0, e1);
            return;
        }
        Array.Clear(scores);
        for (int d = 0; d < Dimension; d++)
            for (int m = 0; m < QueryGroup; m++)
            {
                double q = group[d * QueryGroup + m];
                for (int i = 0; i < Tile; i++) scores[m * Tile + i] += q * tile[d * Tile + i];
            }
    }

    public void Dispose() { }

    /// <summary>The k best (similarity, index) pairs seen: higher similarity first, and on equal similarity the lower index.</summary>
    private sealed class TopK(int k)
    {
        // A min-heap on "worse": the root is the pair the next better candidate replaces.
        private readonly double[] _sims = new double[k];
        private readonly int[] _indices = new int[k];
        private int _count;

        public void Offer(ReadOnlySpan<double> sims, int offset)
        {
            for (int i = 0; i < sims.Length; i++)
            {
                double s = sims[i];
                int index = offset + i;
                if (_count < k)
                {
                    _sims[_count] = s;
                    _indices[_count] = index;
                    SiftUp(_count++);
                }
                // Indices arrive in increasing order, so an equal similarity never displaces the earlier index.
                else if (s > _sims[0])
                {
                    _sims[0] = s;
                    _indices[0] = index;
                    SiftDown(0);
                }
            }
        }

        public void WriteSorted(Span<int> indices, Span<float> sims)
        {
            var order = Enumerable.Range(0, _count).ToArray();
            Array.Sort(order, (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
            for (int r = 0; r < _count; r++)
            {
                indices[r] = _indices[order[r]];
                sims[r] = (float)_sims[order[r]];
            }
        }

        private bool Better(int a, int b) => _sims[a] > _sims[b] || (_sims[a] == _sims[b] && _indices[a] < _indices[b]);

        private void SiftUp(int i)
        {
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Better(parent, i)) break;
                Swap(i, parent);
                i = parent;
            }
        }

        private void SiftDown(int i)
        {
            while (true)
            {
                int worst = i, left = 2 * i + 1, right = left + 1;
                if (left < _count && Better(worst, left)) worst = left;
                if (right < _count && Better(worst, right)) worst = right;
                if (worst == i) return;
                Swap(i, worst);
                i = worst;
            }
        }

        private void Swap(int a, int b)
        {
            (_sims[a], _sims[b]) = (_sims[b], _sims[a]);
            (_indices[a], _indices[b]) = (_indices[b], _indices[a]);
        }
    }
}
