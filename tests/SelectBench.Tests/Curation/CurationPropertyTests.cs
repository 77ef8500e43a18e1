using FsCheck.Xunit;
using SelectBench.Curation.PostSteps;
using SelectBench.Curation.Strategies;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Tests.Curation;

public class CurationPropertyTests
{
    private static float[] UnitRows(int seed, int count, int dim)
    {
        var random = new Random(seed);
        var data = new float[count * dim];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return EmbeddingMathRows(data, count, dim);
    }

    private static float[] EmbeddingMathRows(float[] data, int count, int dim) =>
        new Embeddings(data, count, dim).Normalised().Data;

    [Property(MaxTest = 50)]
    public bool ClassQuerySelectionNeverBreaksThresholdMarginOrCap(int seed, byte capByte, byte thresholdByte)
    {
        int cap = 1 + capByte % 6;
        double threshold = thresholdByte / 255.0 * 0.8 - 0.2, margin = 0.05;
        const int k = 4, dim = 3;
        var pool = new Embeddings(UnitRows(seed, 60, dim), 60, dim);
        var classes = new Embeddings(UnitRows(seed + 1, k, dim), k, dim);
        var kept = ClassQuerySearch.Select(ClassQuerySearch.Match(pool, classes), k, threshold, margin, cap);
        return kept.All(m => m.Best >= (float)threshold && m.Best - m.RunnerUp >= (float)margin)
            && kept.GroupBy(m => m.Class).All(g => g.Count() <= cap)
            && kept.Select(m => m.PoolIndex).Distinct().Count() == kept.Count;
    }

    [Property(MaxTest = 30)]
    public bool NearDuplicateRemovalLeavesNoKeptPairAboveTheThreshold(int seed)
    {
        const int n = 25, dim = 2;
        var emb = new Embeddings(UnitRows(seed, n, dim), n, dim);
        using var search = new BruteForceSearch(emb);
        var nn = search.Search(emb.Data, n, n); // every neighbour: the greedy rule is then exact
        var keep = NearDuplicateRemoval.KeepFirst(nn, n, 0.95);
        var sims = SelectBench.Embedding.EmbeddingMath.CosineMatrix(emb, emb);
        bool noPair = keep.All(i => keep.All(j => i == j || sims[i * n + j] < 0.95f + 1e-6f));
        // Every removed image has a kept earlier image within the threshold.
        bool justified = Enumerable.Range(0, n).Except(keep).All(i => keep.Any(j => j < i && sims[i * n + j] >= 0.95f - 1e-6f));
        return noPair && justified && keep.Contains(0);
    }
}
