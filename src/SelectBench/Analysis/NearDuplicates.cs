using SelectBench.Engine;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Analysis;

/// <summary>Near-duplicate pairs inside one set and the images a greedy pass would drop to remove them.</summary>
public sealed record NearDuplicateReport(double Threshold, long Pairs, int[] Dropped, int Count)
{
    public double DroppedFraction => Count == 0 ? 0 : (double)Dropped.Length / Count;
}

/// <summary>Items of a set too similar to an eval set: per item its best eval match, and the leaked items.</summary>
public sealed record LeakageReport(double Threshold, float[] MaxSimilarity, int[] NearestEvalItem, int[] Leaked)
{
    public double LeakedFraction => MaxSimilarity.Length == 0 ? 0 : (double)Leaked.Length / MaxSimilarity.Length;
}

/// <summary>
/// Near-duplicate and leakage detection by cosine similarity of encoder embeddings (the post-steps of
/// docs/curation.md; the same idea as LAION's and DataComp's embedding-based dedup). Similarities come
/// from block-wise float32 matrix products of L2-normalised rows; a pair counts when cosine &gt;= t, with a
/// 1e-6 tolerance so float round-off cannot split exact copies (cosine 0.99999994 against t = 1).
/// </summary>
public static class NearDuplicates
{
    const double Tolerance = 1e-6;

    /// <summary>The cosine at or above which two images count as near-duplicates, unless a config says otherwise.</summary>
    public const double DefaultThreshold = 0.98;

    /// <summary>
    /// The one rule for "at least the threshold", shared by this audit, the label-quality metric and the
    /// curation post-steps (near-duplicate and leakage removal), so all of them count the same pairs.
    /// </summary>
    public static bool Reaches(double cosine, double threshold) => cosine >= threshold - Tolerance;

    /// <summary>
    /// Counts the pairs i &lt; j with cosine &gt;= t, and drops greedily in index order: the first image of
    /// each group is kept, and every later image within t of a kept image is dropped. Dropped images do
    /// not drop others, so a chain a~b~c with a and c apart keeps a and c.
    /// </summary>
    public static NearDuplicateReport Find(Embeddings embeddings, double threshold)
    {
        EmbeddingChecks.Validate(embeddings, "embeddings");
        int n = embeddings.Count;
        var neighbours = new List<int>[n];
        long pairs = 0;
        using (var scope = torch.NewDisposeScope())
        {
            var x = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(embeddings, ScalarType.Float32));
            EmbeddingTensors.ForEachBlock(n, (start, rows) =>
            {
                using var inner = torch.NewDisposeScope();
                var hits = Scalars.GreaterOrEqual(x.narrow(0, start, rows).matmul(x.t()), threshold - Tolerance).nonzero();
                var idx = hits.data<long>().ToArray();
                for (int h = 0; h < idx.Length; h += 2)
                {
                    int i = (int)(start + idx[h]), j = (int)idx[h + 1];
                    if (j <= i) continue;
                    (neighbours[i] ??= []).Add(j);
                    pairs++;
                }
            });
        }
        var dropped = new bool[n];
        for (int i = 0; i < n; i++)
            if (!dropped[i] && neighbours[i] is { } later)
                foreach (int j in later) dropped[j] = true;
        return new NearDuplicateReport(threshold, pairs, Enumerable.Range(0, n).Where(i => dropped[i]).ToArray(), n);
    }

    /// <summary>Items of <paramref name="set"/> whose highest cosine to any item of <paramref name="eval"/> is &gt;= t.</summary>
    public static LeakageReport FindLeakage(Embeddings set, Embeddings eval, double threshold)
    {
        EmbeddingChecks.Validate(set, "set embeddings");
        EmbeddingChecks.Validate(eval, "eval set embeddings");
        EmbeddingChecks.RequireSameDimension(set, eval, "set", "eval set");
        var best = new float[set.Count];
        var nearest = new int[set.Count];
        using (var scope = torch.NewDisposeScope())
        {
            var x = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(set, ScalarType.Float32));
            var e = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(eval, ScalarType.Float32));
            EmbeddingTensors.ForEachBlock(set.Count, (start, rows) =>
            {
                using var inner = torch.NewDisposeScope();
                var (values, indices) = x.narrow(0, start, rows).matmul(e.t()).max(1);
                values.data<float>().CopyTo(best.AsSpan((int)start, (int)rows));
                var idx = indices.data<long>().ToArray();
                for (int r = 0; r < rows; r++) nearest[start + r] = (int)idx[r];
            });
        }
        var leaked = Enumerable.Range(0, set.Count).Where(i => Reaches(best[i], threshold)).ToArray();
        return new LeakageReport(threshold, best, nearest, leaked);
    }
}
