using System.Numerics.Tensors;
using SelectBench.Encoders;

namespace SelectBench.Curation;

/// <summary>Small pure functions over row-major embeddings.</summary>
public static class EmbeddingMath
{
    /// <summary>Mean of the given rows, L2-normalised: a few-shot class prototype.</summary>
    public static float[] NormalisedMean(Embeddings unitRows, IReadOnlyList<int> indices)
    {
        var mean = new float[unitRows.Dimension];
        foreach (var i in indices) TensorPrimitives.Add(mean, unitRows.Row(i), mean);
        float norm = TensorPrimitives.Norm(mean);
        if (norm > 0) TensorPrimitives.Divide(mean, norm, mean);
        return mean;
    }

    /// <summary>Cosine similarity of every row of <paramref name="a"/> to every row of <paramref name="b"/> (both unit rows): a.Count x b.Count.</summary>
    public static float[] CosineMatrix(Embeddings a, Embeddings b)
    {
        if (a.Dimension != b.Dimension) throw new ArgumentException($"dimensions differ: {a.Dimension} vs {b.Dimension}");
        var sims = new float[(long)a.Count * b.Count];
        for (int i = 0; i < a.Count; i++)
        {
            var row = a.Row(i);
            for (int j = 0; j < b.Count; j++) sims[(long)i * b.Count + j] = TensorPrimitives.Dot(row, b.Row(j));
        }
        return sims;
    }
}
