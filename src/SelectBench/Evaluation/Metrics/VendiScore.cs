using SelectBench.Engine;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>
/// Vendi score (Friedman and Dieng 2023, "The Vendi Score: A Diversity Evaluation Metric for Machine
/// Learning", arXiv 2210.02410; reference https://github.com/vertaix/Vendi-Score, vendi_score/vendi.py):
/// exp of the Shannon entropy of the eigenvalues of K / n, with K the cosine-similarity kernel of the
/// L2-normalised embeddings (vendi.score_dual). The effective number of distinct items: n identical
/// items score 1, n mutually orthogonal ones score n. K / n = X X^T / n shares its nonzero eigenvalues with
/// X^T X / n, so the smaller of the two (n x n or d x d) is decomposed. Eigenvalues &lt;= 0 (round-off)
/// are dropped as in the reference's entropy_q (p = p[p &gt; 0]).
/// </summary>
public static class VendiScore
{
    public static double Compute(Embeddings embeddings)
    {
        EmbeddingChecks.Validate(embeddings, "embeddings");
        using var scope = torch.NewDisposeScope();
        var x = EmbeddingTensors.NormaliseRows(EmbeddingTensors.ToTensor(embeddings));
        int n = embeddings.Count;
        var gram = n <= embeddings.Dimension ? x.matmul(x.t()) : x.t().matmul(x);
        double entropy = 0;
        foreach (double lambda in EmbeddingTensors.SymmetricEigenvalues(Scalars.DivInPlace(gram, n)))
            if (lambda > 0) entropy -= lambda * Math.Log(lambda);
        return Math.Exp(entropy);
    }
}
