using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Tests.Evaluation.Metrics;

/// <summary>Small seeded embedding sets for the metric tests.</summary>
internal static class TestEmbeddings
{
    public static Embeddings Gaussian(int count, int dimension, int seed, double[]? mean = null, double std = 1)
    {
        var rng = new Random(seed);
        var data = new float[count * dimension];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < dimension; j++)
                data[i * dimension + j] = (float)((mean?[j] ?? 0) + std * Normal(rng));
        return new Embeddings(data, count, dimension);
    }

    public static Embeddings Rows(params float[][] rows) =>
        new(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);

    public static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
