using SelectBench.Engine;
using SelectBench.Encoders;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Metrics;

/// <summary>Precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020).</summary>
public sealed record ManifoldMetricsResult(double Precision, double Recall, double Density, double Coverage, int NearestK);

/// <summary>
/// k-NN manifold metrics between real and generated (or curated) embeddings, exactly as
/// clovaai/generative-evaluation-prdc computes them (https://github.com/clovaai/generative-evaluation-prdc,
/// prdc/prdc.py, compute_prdc): the radius of a point is the distance to its k-th nearest neighbour
/// within its own set (the (k+1)-th smallest distance, counting itself), and with strict "&lt;":
/// precision = share of fake points inside some real ball (Kynkäänniemi et al. 2019, arXiv 1904.06991);
/// recall = share of real points inside some fake ball;
/// density = (1/k) mean over fake points of the number of real balls containing it
/// (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models", arXiv 2002.09797);
/// coverage = share of real points whose nearest fake point lies inside the real point's ball.
/// Distances are Euclidean, in double precision, computed block by block.
/// </summary>
public static class ManifoldMetrics
{
    /// <summary>The prdc README's recommended k (Naeem et al. use k = 5).</summary>
    public const int DefaultNearestK = 5;

    public static ManifoldMetricsResult Compute(Embeddings real, Embeddings fake, int nearestK = DefaultNearestK)
    {
        EmbeddingChecks.Validate(real, "real set", minCount: nearestK + 1);
        EmbeddingChecks.Validate(fake, "generated set", minCount: nearestK + 1);
        EmbeddingChecks.RequireSameDimension(real, fake, "real set", "generated set");
        if (nearestK < 1) throw new ArgumentOutOfRangeException(nameof(nearestK), nearestK, "k must be at least 1.");

        using var scope = torch.NewDisposeScope();
        var x = EmbeddingTensors.ToTensor(real);
        var y = EmbeddingTensors.ToTensor(fake);
        var xNorms = EmbeddingTensors.SquaredNorms(x);
        var yNorms = EmbeddingTensors.SquaredNorms(y);
        var realRadii = KthNeighbourSquaredDistances(x, xNorms, nearestK);
        var fakeRadii = KthNeighbourSquaredDistances(y, yNorms, nearestK);

        // Squared distances compare like distances (sqrt is monotone), so radii stay squared.
        var fakeInRealBalls = torch.zeros(fake.Count, ScalarType.Int64);   // per fake point: real balls containing it
        var realInFakeBall = torch.zeros(real.Count, ScalarType.Bool);
        var realCovered = torch.zeros(real.Count, ScalarType.Bool);
        EmbeddingTensors.ForEachBlock(real.Count, (start, rows) =>
        {
            using var inner = torch.NewDisposeScope();
            var d = EmbeddingTensors.SquaredDistances(x.narrow(0, start, rows), xNorms.narrow(0, start, rows), y, yNorms); // rows x nFake
            var radii = realRadii.narrow(0, start, rows).unsqueeze(1);
            var insideReal = d.lt(radii);
            Scalars.AddInPlace(fakeInRealBalls, insideReal.sum(0, type: ScalarType.Int64));
            realInFakeBall.narrow(0, start, rows).copy_(d.lt(fakeRadii.unsqueeze(0)).any(1));
            realCovered.narrow(0, start, rows).copy_(d.min(1).values.lt(radii.squeeze(1)));
        });
        double precision = fakeInRealBalls.gt(Scalars.Zero).to_type(ScalarType.Float64).mean().item<double>();
        double recall = realInFakeBall.to_type(ScalarType.Float64).mean().item<double>();
        double density = fakeInRealBalls.to_type(ScalarType.Float64).mean().item<double>() / nearestK;
        double coverage = realCovered.to_type(ScalarType.Float64).mean().item<double>();
        return new ManifoldMetricsResult(precision, recall, density, coverage, nearestK);
    }

    /// <summary>Per row: the (k+1)-th smallest squared distance to the rows of the same set (itself included).</summary>
    static Tensor KthNeighbourSquaredDistances(Tensor x, Tensor norms, int k)
    {
        var radii = torch.empty(x.shape[0], ScalarType.Float64);
        EmbeddingTensors.ForEachBlock(x.shape[0], (start, rows) =>
        {
            using var inner = torch.NewDisposeScope();
            var d = EmbeddingTensors.SquaredDistances(x.narrow(0, start, rows), norms.narrow(0, start, rows), x, norms);
            // The self-distance is exactly 0 mathematically; force it so round-off cannot reorder it.
            d.diagonal(offset: start).fill_(Scalars.Zero);
            var (values, _) = d.topk(k + 1, dim: 1, largest: false, sorted: true);
            radii.narrow(0, start, rows).copy_(values.select(1, k));
        });
        return radii;
    }
}
