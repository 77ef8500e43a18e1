using SelectBench.Engine;
using SelectBench.Common;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>A Gaussian fitted to embeddings: mean and covariance (d x d row-major, divisor n - 1).</summary>
public sealed record GaussianFit(double[] Mean, double[] Covariance, int Dimension, int Count);

/// <summary>
/// Fréchet Inception Distance (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge
/// to a Local Nash Equilibrium", arXiv 1706.08500), as pytorch-fid computes it
/// (https://github.com/mseitzer/pytorch-fid, src/pytorch_fid/fid_score.py, calculate_frechet_distance):
/// d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2}), covariances with divisor n - 1 (np.cov).
/// Works on any encoder's embeddings, not only Inception pool3 features.
/// </summary>
public static class FrechetInceptionDistance
{
    public static double Compute(Embeddings a, Embeddings b) => FrechetDistance(Fit(a, "first set"), Fit(b, "second set"));

    public static GaussianFit Fit(Embeddings e, string name = "embeddings")
    {
        EmbeddingChecks.Validate(e, name, minCount: 2);
        using var scope = torch.NewDisposeScope();
        var x = EmbeddingTensors.ToTensor(e);
        var mean = x.mean([0L]);
        var centred = x - mean.unsqueeze(0);
        var cov = Scalars.DivInPlace(centred.t().matmul(centred), e.Count - 1);
        return new GaussianFit(mean.data<double>().ToArray(), cov.contiguous().data<double>().ToArray(), e.Dimension, e.Count);
    }

    public static double FrechetDistance(GaussianFit a, GaussianFit b)
    {
        if (a.Dimension != b.Dimension) throw new ArgumentException($"Gaussian dimensions differ ({a.Dimension} vs {b.Dimension}).");
        return FrechetDistance(a.Mean, a.Covariance, b.Mean, b.Covariance);
    }

    /// <summary>
    /// Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2); covariances are d x d row-major.
    /// tr((S1 S2)^{1/2}) is the sum of square roots of the eigenvalues of S1 S2, which equal those of
    /// the symmetric positive semi-definite matrix A S2 A with A = S1^{1/2} (S1 S2 = A (A S2) and
    /// (A S2) A share eigenvalues). Both steps use a symmetric eigensolver, so unlike scipy.linalg.sqrtm on
    /// the non-symmetric product there is no complex round-off to discard and no eps-offset retry;
    /// negative round-off eigenvalues are clamped to 0.
    /// </summary>
    public static double FrechetDistance(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2)
    {
        int d = mu1.Length;
        if (mu2.Length != d || sigma1.Length != d * d || sigma2.Length != d * d)
            throw new ArgumentException($"Means must have length d and covariances d x d (d = {d}); got {mu2.Length}, {sigma1.Length}, {sigma2.Length}.");
        if (!mu1.Concat(mu2).Concat(sigma1).Concat(sigma2).All(double.IsFinite))
            throw new BadInputException("Gaussian statistics", "contain NaN or infinite values; recompute the embeddings they were fitted to.");
        double meanTerm = 0;
        for (int i = 0; i < d; i++) meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        double trace1 = 0, trace2 = 0;
        for (int i = 0; i < d; i++) { trace1 += sigma1[i * d + i]; trace2 += sigma2[i * d + i]; }

        using var scope = torch.NewDisposeScope();
        var s1 = torch.tensor(sigma1, new long[] { d, d });
        var s2 = torch.tensor(sigma2, new long[] { d, d });
        var (values, vectors) = EmbeddingTensors.SymmetricEigen(s1);
        var sqrtValues = values.clamp_min(Scalars.Zero).sqrt();
        var sqrtS1 = (vectors * sqrtValues.unsqueeze(0)).matmul(vectors.t());
        var product = sqrtS1.matmul(s2).matmul(sqrtS1);
        double traceSqrt = 0;
        foreach (double lambda in EmbeddingTensors.SymmetricEigenvalues(product))
            traceSqrt += Math.Sqrt(Math.Max(lambda, 0));
        return meanTerm + trace1 + trace2 - 2 * traceSqrt;
    }
}
