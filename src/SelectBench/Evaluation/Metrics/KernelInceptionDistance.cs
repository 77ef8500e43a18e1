using SelectBench.Engine;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>
/// KID settings; defaults are torch-fidelity's (kid_subsets 100, kid_subset_size 1000, degree 3,
/// gamma 1/d, coef0 1). A subset size larger than a set is clipped to the smaller set's size.
/// </summary>
public sealed record KidSettings(int Subsets = 100, int SubsetSize = 1000, int Degree = 3, double Coef0 = 1, int Seed = 0);

/// <summary>Mean and population standard deviation (numpy std, ddof 0) of the per-subset MMD^2 values.</summary>
public sealed record KidResult(double Mean, double Std, int Subsets, int SubsetSize);

/// <summary>
/// Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs", arXiv 1801.01401) as
/// torch-fidelity computes it (https://github.com/toshas/torch-fidelity, torch_fidelity/metric_kid.py:
/// mmd2 with mmd_est="unbiased", polynomial_kernel, kid_features_to_metric): for each of <c>Subsets</c>
/// draws, m rows of each set without replacement, then
/// MMD^2_u = sum_{i!=j} k(x_i,x_j)/(m(m-1)) + sum_{i!=j} k(y_i,y_j)/(m(m-1)) - 2 sum_{i,j} k(x_i,y_j)/m^2
/// with k(x, y) = (x.y / d + coef0)^degree.
/// </summary>
public static class KernelInceptionDistance
{
    public static KidResult Compute(Embeddings a, Embeddings b, KidSettings? settings = null)
    {
        settings ??= new KidSettings();
        EmbeddingChecks.Validate(a, "first set", minCount: 2);
        EmbeddingChecks.Validate(b, "second set", minCount: 2);
        EmbeddingChecks.RequireSameDimension(a, b, "first set", "second set");
        if (settings.Subsets < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.Subsets, "KID needs at least one subset.");
        int m = Math.Min(settings.SubsetSize, Math.Min(a.Count, b.Count));
        if (m < 2) throw new ArgumentOutOfRangeException(nameof(settings), settings.SubsetSize, "KID subsets need at least 2 rows.");

        var rng = new Random(settings.Seed);
        var values = new double[settings.Subsets];
        using var scope = torch.NewDisposeScope();
        // float32 products as torch-fidelity (its features are float32 numpy arrays); sums in double.
        var x = EmbeddingTensors.ToTensor(a, ScalarType.Float32);
        var y = EmbeddingTensors.ToTensor(b, ScalarType.Float32);
        for (int s = 0; s < settings.Subsets; s++)
        {
            using var inner = torch.NewDisposeScope();
            var xs = x.index_select(0, torch.tensor(SampleWithoutReplacement(rng, a.Count, m)));
            var ys = y.index_select(0, torch.tensor(SampleWithoutReplacement(rng, b.Count, m)));
            values[s] = UnbiasedMmd2(xs, ys, settings.Degree, settings.Coef0);
        }
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        return new KidResult(mean, Math.Sqrt(variance), settings.Subsets, m);
    }

    internal static double UnbiasedMmd2(Tensor x, Tensor y, int degree, double coef0)
    {
        long m = x.shape[0];
        double gamma = 1.0 / x.shape[1];
        using var scope = torch.NewDisposeScope();
        var kxx = Scalars.Pow(Scalars.Affine(x.matmul(x.t()), gamma, coef0), degree).to_type(ScalarType.Float64);
        var kyy = Scalars.Pow(Scalars.Affine(y.matmul(y.t()), gamma, coef0), degree).to_type(ScalarType.Float64);
        var kxy = Scalars.Pow(Scalars.Affine(x.matmul(y.t()), gamma, coef0), degree).to_type(ScalarType.Float64);
        double offXX = kxx.sum().item<double>() - kxx.diagonal().sum().item<double>();
        double offYY = kyy.sum().item<double>() - kyy.diagonal().sum().item<double>();
        return (offXX + offYY) / (m * (m - 1.0)) - 2 * kxy.sum().item<double>() / ((double)m * m);
    }

    /// <summary>m distinct indices of [0, n) by a partial Fisher-Yates shuffle.</summary>
    internal static long[] SampleWithoutReplacement(Random rng, int n, int m)
    {
        var pool = new long[n];
        for (int i = 0; i < n; i++) pool[i] = i;
        for (int i = 0; i < m; i++)
        {
            int j = i + rng.Next(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..m];
    }
}
