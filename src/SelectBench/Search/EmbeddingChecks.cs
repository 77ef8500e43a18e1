using SelectBench.Common;

namespace SelectBench.Search;

/// <summary>
/// Input checks shared by the search backends. A NaN, an infinity or an all-zero row has no cosine
/// similarity, and a HNSW graph built from one silently returns garbage, so they are refused up front.
/// </summary>
internal static class EmbeddingChecks
{
    public static void RequireMatrix(string what, float[] data, int count, int dimension)
    {
        if (count <= 0) throw new SelectBenchException($"{what}: needs at least one embedding, got {count}.");
        if (dimension <= 0) throw new SelectBenchException($"{what}: the embedding dimension must be positive, got {dimension}.");
        if ((long)count * dimension != data.LongLength)
            throw new SelectBenchException(
                $"{what}: {count} embeddings of dimension {dimension} need {(long)count * dimension} floats, got {data.LongLength} (dimension mismatch?).");
        for (int i = 0; i < count; i++)
        {
            var row = data.AsSpan(i * dimension, dimension);
            float sumSquares = 0;
            for (int j = 0; j < row.Length; j++)
            {
                var v = row[j];
                if (!float.IsFinite(v)) throw new BadInputException($"{what} row {i}", $"value {v} at column {j} is not finite; fix the encoder output before searching.");
                sumSquares += v * v;
            }
            if (sumSquares == 0) throw new BadInputException($"{what} row {i}", "is all zeros and has no cosine similarity to anything.");
        }
    }

    public static void RequireK(int k, int poolSize)
    {
        if (k <= 0) throw new SelectBenchException($"k must be at least 1, got {k}.");
        // Decision: a k above the pool size is an error, not a silent clip, so a caller never reads past
        // the neighbours it thinks it has (Neighbours.K always equals the k asked for).
        if (k > poolSize) throw new SelectBenchException($"k = {k} exceeds the pool size {poolSize}; ask for at most {poolSize} neighbours.");
    }
}
