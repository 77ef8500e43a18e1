using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
/// <param name="Keep">"hard" (far from the prototypes), "easy" (near) or "auto" (hard when N/K >= abundant_per_class, else easy).</param>
/// <param name="KeepFraction">Share of the pool kept by the prototype metric before N/K per web label are taken.</param>
/// <param name="Clusters">k-means clusters (the prototypes); null = one per class.</param>
/// <param name="AbundantPerClass">For keep: auto, the images per class (N/K) from which data counts as abundant.</param>
public sealed record PrototypePruningSettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3,
                                              string Keep = "auto", double KeepFraction = 0.5, int? Clusters = null,
                                              int AbundantPerClass = 1000) : ISettings
{
    public void Validate(string where)
    {
        WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
        SettingRules.OneOf(where, "keep", Keep, "auto", "hard", "easy");
        if (!(KeepFraction > 0 && KeepFraction <= 1))
            throw new SelectBenchException($"{where}.keep_fraction: {KeepFraction.ToString("R", CultureInfo.InvariantCulture)} is not allowed; give a number in (0, 1].");
        if (Clusters is { } k) SettingRules.Positive(where, "clusters", k);
        SettingRules.Positive(where, "abundant_per_class", AbundantPerClass);
    }
}

/// <summary>
/// Self-supervised prototype pruning (Sorscher, Geirhos, Shekhar, Ganguli and Morcos 2022, "Beyond neural scaling
/// laws: beating power law scaling via data pruning", NeurIPS, section 5): k-means in the fixed encoder's space
/// (<see cref="SphericalKMeans"/>), and each image's difficulty is its cosine distance to the nearest centroid. The
/// paper's rule (section 2, Fig. 1): when data is scarce keep the EASY examples, when it is abundant keep the HARD
/// ones. Which side of the line a run is on the paper leaves qualitative; here it is explicit and settable:
/// <c>keep: auto</c> keeps hard when N/K is at least <c>abundant_per_class</c> (default 1000 per class, between the
/// few hundred per class of this benchmark's small N and CIFAR-10's 5000, where the paper keeps hard), else easy.
/// The kept fraction of the pool is the hard or easy end of the ranking; N/K images per web label are then taken
/// from it in the run's pool order. The paper also found k within an order of magnitude of the class count works,
/// hence one cluster per class by default.
/// </summary>
[Registered("prototype-pruning", Settings = typeof(PrototypePruningSettings),
    Description = "Sorscher et al. 2022 prototype metric: keep the hard (far) or easy (near) fraction by distance to k-means centroids, then class-balanced to N")]
public sealed class PrototypePruning(PrototypePruningSettings settings) : IShiftStrategy
{
    public string Name => "prototype-pruning";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        int clusters = settings.Clusters ?? context.Labels.Count;
        bool hard = KeepsHard(settings.Keep, context.PerClassTarget, settings.AbundantPerClass);
        context.Progress("prototype-pruning: k-means", 0, 1);
        var found = SphericalKMeans.Fit(pool.Embeddings(context), clusters, maxIterations: 50, context.RandomFor("prototype-pruning/k-means"));
        context.Progress("prototype-pruning: k-means", 1, 1);
        var keep = Keep(found.Similarity, settings.KeepFraction, hard);
        var picked = pool.TakePerClass(pool.Order(context, keep), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: true, 0,
            [string.Create(CultureInfo.InvariantCulture,
                $"kept the {(hard ? "hardest" : "easiest")} {settings.KeepFraction:P0} of {pool.Count} pool images by cosine distance to the nearest of {found.Count} k-means prototypes (keep: {settings.Keep}, N/K = {context.PerClassTarget}); N/K per web label from them.")]);
    }

    /// <summary>The paper's rule made explicit: hard when asked, easy when asked, and for auto hard exactly when N/K is abundant.</summary>
    public static bool KeepsHard(string keep, int perClass, int abundantPerClass) =>
        keep == "hard" || keep == "auto" && perClass >= abundantPerClass;

    /// <summary>
    /// The round(fraction x n) images farthest from their prototype (hard) or nearest to it (easy); ties by index.
    /// <paramref name="similarity"/>[i] is image i's cosine to its nearest centroid (distance = 1 - similarity).
    /// </summary>
    public static bool[] Keep(IReadOnlyList<float> similarity, double fraction, bool hard)
    {
        int n = similarity.Count, count = (int)Math.Round(fraction * n, MidpointRounding.AwayFromZero);
        var ranked = hard
            ? Enumerable.Range(0, n).OrderBy(i => similarity[i]).ThenBy(i => i)
            : Enumerable.Range(0, n).OrderByDescending(i => similarity[i]).ThenBy(i => i);
        var keep = new bool[n];
        foreach (var i in ranked.Take(count)) keep[i] = true;
        return keep;
    }
}
