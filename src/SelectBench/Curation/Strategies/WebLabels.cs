using SelectBench.Common;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth; the FashionMNIST++ pool has no labels) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
public sealed record WebLabelsSettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3) : ISettings
{
    public void Validate(string where) => WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
}

/// <summary>
/// The floor every search must beat, which SELECT (Feuer et al. 2024) omits: the web pool with its own noisy web
/// labels, class-balanced to N (N/K per web label, in the run's seeded pool order), with no search, no encoder and
/// no expert label. DataComp (Gadre et al. 2023) calls the analogous baseline "no filtering".
/// </summary>
[Registered("web-labels", Settings = typeof(WebLabelsSettings),
    Description = "Baseline: the web pool with its own noisy web labels, class-balanced to N, no search")]
public sealed class WebLabels(WebLabelsSettings settings) : IShiftStrategy
{
    public string Name => "web-labels";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        var picked = pool.TakePerClass(pool.Order(context), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: false, 0,
            [$"{context.PerClassTarget} per web label from '{settings.Pool}' ({pool.Count} images) in the seeded pool order; no search."]);
    }
}
