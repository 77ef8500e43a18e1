using SelectBench.Engine;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>
/// CMMD settings. Defaults reproduce the reference exactly: sigma 10, scale 1000, the biased estimator
/// whose means include the kernel's diagonal, embeddings L2-normalised first (the reference's CLIP
/// embeddings are normalised in cmmd/embedding.py). <c>Unbiased</c> drops the diagonals of k(x,x) and
/// k(y,y) (U-statistic, divisor m(m-1)).
/// </summary>
public sealed record CmmdSettings(double Sigma = 10, double Scale = 1000, bool Unbiased = false, bool NormaliseEmbeddings = true);

/// <summary>
/// CMMD (Jayasumana et al. 2024, "Rethinking FID: Towards a Better Evaluation Metric for Image
/// Generation", arXiv 2401.09603): squared MMD with the Gaussian RBF kernel
/// k(x, y) = exp(-gamma |x - y|^2), gamma = 1 / (2 sigma^2), as google-research/cmmd computes it
/// (https://github.com/google-research/google-research/blob/master/cmmd/distance.py, mmd):
/// scale * (mean K_xx + mean K_yy - 2 mean K_xy), with |x - y|^2 expanded as |x|^2 + |y|^2 - 2 x.y.
/// Kernel sums are accumulated block by block, so 10k x 10k kernels never sit in memory.
/// </summary>
public static class Cmmd
{
    public static double Compute(Embeddings a, Embeddings b, CmmdSettings? settings = null)
    {
        settings ??= new CmmdSettings();
        int minCount = settings.Unbiased ? 2 : 1;
        EmbeddingChecks.Validate(a, "first set", minCount);
        EmbeddingChecks.Validate(b, "second set", minCount);
        EmbeddingChecks.RequireSameDimension(a, b, "first set", "second set");
        if (!(settings.Sigma > 0)) throw new ArgumentOutOfRangeException(nameof(settings), settings.Sigma, "CMMD sigma must be positive.");

        using var scope = torch.NewDisposeScope();
        var x = EmbeddingTensors.ToTensor(a, ScalarType.Float32);
        var y = EmbeddingTensors.ToTensor(b, ScalarType.Float32);
        if (settings.NormaliseEmbeddings) { x = EmbeddingTensors.NormaliseRows(x); y = EmbeddingTensors.NormaliseRows(y); }
        double gamma = 1 / (2 * settings.Sigma * settings.Sigma);
        double n = a.Count, m = b.Count;

        double sumXX = KernelSum(x, x, gamma, excludeDiagonal: settings.Unbiased);
        double sumYY = KernelSum(y, y, gamma, excludeDiagonal: settings.Unbiased);
        double sumXY = KernelSum(x, y, gamma, excludeDiagonal: false);
        double meanXX = settings.Unbiased ? sumXX / (n * (n - 1)) : sumXX / (n * n);
        double meanYY = settings.Unbiased ? sumYY / (m * (m - 1)) : sumYY / (m * m);
        return settings.Scale * (meanXX + meanYY - 2 * sumXY / (n * m));
    }

    static double KernelSum(Tensor x, Tensor y, double gamma, bool excludeDiagonal)
    {
        var xNorms = EmbeddingTensors.SquaredNorms(x);
        var yNorms = EmbeddingTensors.SquaredNorms(y);
        double total = 0;
        EmbeddingTensors.ForEachBlock(x.shape[0], (start, rows) =>
        {
            using var inner = torch.NewDisposeScope();
            var xb = x.narrow(0, start, rows);
            var nb = xNorms.narrow(0, start, rows);
            // Same expansion as the reference (no clamp), so that K_xx and K_xy of one set match bit for bit.
            var sq = Scalars.Add(nb.unsqueeze(1), yNorms.unsqueeze(0)).sub_(Scalars.MulInPlace(xb.matmul(y.t()), 2));
            var k = Scalars.Mul(sq, -gamma).exp().to_type(ScalarType.Float64);
            total += k.sum().item<double>();
            if (excludeDiagonal) total -= k.diagonal(offset: start).sum().item<double>();
        });
        return total;
    }
}
