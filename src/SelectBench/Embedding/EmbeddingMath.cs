namespace SelectBench.Embedding;

/// <summary>
/// Small pure functions over row-major embeddings. Every sum is a left-to-right loop in double, never a SIMD
/// reduction (TensorPrimitives.Dot and Norm sum in an order that follows the CPU's vector width): class-query
/// search keeps or drops a pool image by comparing these numbers with a threshold, and that decision must be the
/// same on every machine.
/// </summary>
public static class EmbeddingMath
{
    /// <summary>Mean of the given rows, L2-normalised: a few-shot class prototype.</summary>
    public static float[] NormalisedMean(Embeddings unitRows, IReadOnlyList<int> indices)
    {
        var sum = new double[unitRows.Dimension];
        foreach (var i in indices)
        {
            var row = unitRows.Row(i);
            for (int j = 0; j < sum.Length; j++) sum[j] += row[j];
        }
        double squares = 0;
        foreach (var v in sum) squares += v * v;
        double norm = Math.Sqrt(squares);
        var mean = new float[sum.Length];
        for (int j = 0; j < mean.Length; j++) mean[j] = norm > 0 ? (float)(sum[j] / norm) : (float)sum[j];
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
            for (int j = 0; j < b.Count; j++) sims[(long)i * b.Count + j] = (float)Dot(row, b.Row(j));
        }
        return sims;
    }

    /// <summary>The dot product summed left to right in double.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int j = 0; j < x.Length; j++) sum += (double)x[j] * y[j];
        return sum;
    }
}
