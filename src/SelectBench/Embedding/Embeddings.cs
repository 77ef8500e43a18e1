namespace SelectBench.Embedding;

/// <summary>Row-major embeddings: <c>Count</c> rows of <c>Dimension</c> floats.</summary>
public sealed record Embeddings(float[] Data, int Count, int Dimension)
{
    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(i * Dimension, Dimension);

    /// <summary>
    /// A copy with every row scaled to unit L2 norm (zero rows stay zero), so dot products are cosines. The norm is
    /// a left-to-right sum in double (<see cref="UnitScale"/>), not a SIMD reduction whose order follows the CPU's
    /// vector width, so the same embeddings give the same unit rows on every machine.
    /// </summary>
    public Embeddings Normalised()
    {
        var data = (float[])Data.Clone();
        for (int i = 0; i < Count; i++)
        {
            var row = data.AsSpan(i * Dimension, Dimension);
            double norm = UnitScale(row);
            if (norm > 0)
                for (int j = 0; j < row.Length; j++) row[j] = (float)(row[j] / norm);
        }
        return this with { Data = data };
    }

    /// <summary>The L2 norm of a row, summed left to right in double.</summary>
    public static double UnitScale(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (var v in row) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    /// <summary>The rows at the given indices, in that order.</summary>
    public Embeddings Rows(IReadOnlyList<int> indices)
    {
        var data = new float[(long)indices.Count * Dimension];
        for (int k = 0; k < indices.Count; k++) Row(indices[k]).CopyTo(data.AsSpan(k * Dimension, Dimension));
        return new Embeddings(data, indices.Count, Dimension);
    }
}
