using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
/// <param name="Neighbours">k: the neighbours (the image itself excluded) that vote.</param>
/// <param name="Agreement">Keep an image when at least this share of its neighbours carry its web label.</param>
public sealed record EmbeddingConsensusSettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3,
                                                int Neighbours = 10, double Agreement = 0.5) : ISettings
{
    public void Validate(string where)
    {
        WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
        SettingRules.Positive(where, "neighbours", Neighbours);
        SettingRules.InRange(where, "agreement", Agreement, 0, 1);
    }
}

/// <summary>
/// The embedding-consensus filter, after DataComp's CLIP-score filtering (Gadre et al. 2023, "DataComp: In search of
/// the next generation of multimodal datasets", section 3.4: keep the pairs whose image and text agree in a fixed
/// encoder). With class labels in place of captions, agreement is the label's share among the image's k nearest
/// other pool images in the fixed encoder (<see cref="NeighbourLabels"/>): an image is kept when that share is at
/// least the threshold, and N/K images per web label are taken from the kept ones in the run's pool order.
/// </summary>
[Registered("embedding-consensus", Settings = typeof(EmbeddingConsensusSettings),
    Description = "Keep a web-labelled image when its label agrees with its kNN neighbourhood in the fixed encoder, then class-balanced to N")]
public sealed class EmbeddingConsensus(EmbeddingConsensusSettings settings) : IShiftStrategy
{
    public string Name => "embedding-consensus";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        context.Progress("embedding-consensus: kNN votes", 0, 1);
        var shares = NeighbourLabels.Shares(pool.Embeddings(context), pool.Labels, pool.Classes, settings.Neighbours, context.SearchFactory);
        context.Progress("embedding-consensus: kNN votes", 1, 1);
        var keep = Keep(shares, pool.Labels, pool.Classes, settings.Agreement);
        var picked = pool.TakePerClass(pool.Order(context, keep), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: true, pool.Count * context.Costs.SearchQueryDollars,
            [string.Create(CultureInfo.InvariantCulture,
                $"{keep.Count(k => k)} of {pool.Count} pool images agree with their {settings.Neighbours}-NN labels at >= {settings.Agreement}; N/K per web label from them.")]);
    }

    /// <summary>Whether each image's own label holds at least <paramref name="agreement"/> of its neighbours' votes.</summary>
    public static bool[] Keep(float[] shares, IReadOnlyList<int> labels, int classes, double agreement) =>
        Enumerable.Range(0, labels.Count).Select(i => shares[(long)i * classes + labels[i]] >= agreement - 1e-6).ToArray();
}
