using System.Globalization;
using SelectBench.Common;
using SelectBench.Curation.PostSteps;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
/// <param name="Share">Share of the pool SemDeDup removes before N/K per web label are taken.</param>
/// <param name="Clusters">k-means clusters.</param>
public sealed record SemDeDupStrategySettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3,
                                              double Share = 0.3, int Clusters = 50) : ISettings
{
    public void Validate(string where)
    {
        WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
        SettingRules.InRange(where, "share", Share, 0, 1);
        SettingRules.Positive(where, "clusters", Clusters);
    }
}

/// <summary>
/// SemDeDup over a web pool (Abbas et al. 2023, arXiv 2303.09540; the rule is <see cref="SemDeDupRemoval"/>):
/// the target share of the pool is removed as semantic duplicates, keeping in each near-duplicate group the member
/// farthest from its cluster's centroid, and N/K images per web label are taken from the rest in the run's pool
/// order. The same rule runs after any strategy as the post-step <c>semdedup_share</c>.
/// </summary>
[Registered("semdedup", Settings = typeof(SemDeDupStrategySettings),
    Description = "SemDeDup on the web pool (remove a share of semantic duplicates), then class-balanced to N by web label")]
public sealed class SemDeDup(SemDeDupStrategySettings settings) : IShiftStrategy
{
    public string Name => "semdedup";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        context.Progress("semdedup: k-means and pairs", 0, 1);
        var result = SemDeDupRemoval.Deduplicate(pool.Embeddings(context), settings.Clusters, settings.Share, context.RandomFor("semdedup/k-means"));
        context.Progress("semdedup: k-means and pairs", 1, 1);
        var keep = new bool[pool.Count];
        foreach (var i in result.Keep) keep[i] = true;
        var picked = pool.TakePerClass(pool.Order(context, keep), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: true, 0,
            [string.Create(CultureInfo.InvariantCulture,
                $"SemDeDup removed {pool.Count - result.Keep.Length} of {pool.Count} pool images ({settings.Clusters} clusters, epsilon {result.Epsilon:G3}); N/K per web label from the rest.")]);
    }
}
