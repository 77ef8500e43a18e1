using SelectBench.Embedding;
using SelectBench.Search;

namespace SelectBench.Curation;

/// <summary>
/// Leave-one-out k-nearest-neighbour label votes in the fixed encoder: for every image, the share of its k nearest
/// other images (cosine, the image itself excluded) carrying each label. Because no image votes for itself these
/// are out-of-sample class probabilities (n-fold cross-validation of a kNN classifier), which confident learning
/// needs (Northcutt et al. 2021, section 2: "out-of-sample predicted probabilities"), and the neighbourhood
/// agreement the embedding-consensus filter keeps on.
/// </summary>
public static class NeighbourLabels
{
    /// <summary>Row-major n x K vote shares; row i sums to 1 (0 when the set has a single image).</summary>
    public static float[] Shares(Embeddings normalised, IReadOnlyList<int> labels, int classes, int k,
                                 Func<Embeddings, INearestNeighbourSearch> searchFactory)
    {
        int n = normalised.Count;
        var shares = new float[(long)n * classes];
        if (n <= 1) return shares;
        int asked = Math.Min(n, k + 1);
        using var search = searchFactory(normalised);
        var nn = search.Search(normalised.Data, n, asked);
        for (int i = 0; i < n; i++)
        {
            var idx = nn.IndicesOf(i);
            int used = 0;
            // The image itself is skipped wherever it appears (an exact duplicate may rank first instead of it).
            for (int m = 0; m < idx.Length && used < asked - 1; m++)
            {
                int j = idx[m];
                if (j < 0 || j == i) continue;
                shares[(long)i * classes + labels[j]]++;
                used++;
            }
            if (used > 0)
                for (int c = 0; c < classes; c++) shares[(long)i * classes + c] /= used;
        }
        return shares;
    }
}
