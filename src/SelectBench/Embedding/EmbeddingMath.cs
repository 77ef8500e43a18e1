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

    /// <summary>
    /// Each dimension's mean and standard deviation (population, divided by n) over the rows, summed in row order in
    /// double: what the linear heads on fixed features (the linear probe, the EL2N/forgetting scoring run) standardise
    /// with. A constant dimension has deviation 0; the caller decides what that becomes.
    /// </summary>
    public static (double[] Mean, double[] Deviation) MeanAndDeviation(Embeddings features)
    {
        int n = features.Count, d = features.Dimension;
        var mean = new double[d];
        var deviation = new double[d];
        for (int s = 0; s < n; s++)
        {
            var row = features.Row(s);
            for (int j = 0; j < d; j++) mean[j] += row[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= Math.Max(1, n);
        for (int s = 0; s < n; s++)
        {
            var row = features.Row(s);
            for (int j = 0; j < d; j++) deviation[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
        }
        for (int j = 0; j < d; j++) deviation[j] = Math.Sqrt(deviation[j] / Math.Max(1, n));
        return (mean, deviation);
    }

    /// <summary>Turns logits into softmax probabilities in place (shifted by the largest logit so no exp overflows).</summary>
    public static void SoftmaxInPlace(Span<double> logits)
    {
        double max = double.NegativeInfinity;
        foreach (var z in logits) max = Math.Max(max, z);
        double sum = 0;
        for (int c = 0; c < logits.Length; c++) sum += logits[c] = Math.Exp(logits[c] - max);
        for (int c = 0; c < logits.Length; c++) logits[c] /= sum;
    }
}
