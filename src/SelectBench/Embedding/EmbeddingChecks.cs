using SelectBench.Common;

namespace SelectBench.Embedding;

/// <summary>
/// Input checks shared by the search backends and the embedding metrics. A NaN, an infinity or an all-zero row has no cosine
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

    public static void Validate(Embeddings e, string name, int minCount = 1)
    {
        if (e.Dimension <= 0) throw new BadInputException(name, $"embedding dimension is {e.Dimension}; it must be positive.");
        if (e.Data.Length != (long)e.Count * e.Dimension)
            throw new BadInputException(name, $"holds {e.Data.Length} floats but Count x Dimension = {e.Count} x {e.Dimension}; the embedding store is inconsistent, recompute it.");
        if (e.Count < minCount) throw new BadInputException(name, $"has {e.Count} embeddings; this metric needs at least {minCount}.");
        for (int i = 0; i < e.Data.Length; i++)
            if (!float.IsFinite(e.Data[i]))
                throw new BadInputException(name, $"embedding {i / e.Dimension} has a non-finite value ({e.Data[i]}) at dimension {i % e.Dimension}; recompute the embeddings or drop the image.");
    }

    public static void RequireSameDimension(Embeddings a, Embeddings b, string nameA, string nameB)
    {
        if (a.Dimension != b.Dimension)
            throw new BadInputException($"{nameA} vs {nameB}", $"embedding dimensions differ ({a.Dimension} vs {b.Dimension}); compute both with the same encoder.");
    }
}
