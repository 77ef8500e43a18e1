namespace SelectBench.Tests.Search;

internal static class SearchTestData
{
    public static float[] Gaussian(int count, int dimension, int seed)
    {
        var rng = new Random(seed);
        var data = new float[count * dimension];
        for (int i = 0; i < data.Length; i++) data[i] = Normal(rng);
        return data;
    }

    /// <summary>Points around <paramref name="clusters"/> random centres (unit-variance centres, noise sd <paramref name="spread"/>).</summary>
    public static float[] Clustered(int count, int dimension, int clusters, float spread, int seed)
    {
        var rng = new Random(seed);
        var centres = Gaussian(clusters, dimension, seed + 1);
        var data = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(clusters);
            for (int j = 0; j < dimension; j++) data[i * dimension + j] = centres[c * dimension + j] + spread * Normal(rng);
        }
        return data;
    }

    public static float Normal(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));

    /// <summary>Brute-force cosine similarities in double precision: the reference the backends are checked against.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
