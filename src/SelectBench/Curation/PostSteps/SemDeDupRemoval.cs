using System.Globalization;
using SelectBench.Common;
using SelectBench.Embedding;

namespace SelectBench.Curation.PostSteps;

/// <param name="SemdedupShare">Share of the shift SemDeDup removes (it picks the threshold that removes it); null = off.</param>
/// <param name="SemdedupClusters">k-means clusters (at most one per image).</param>
public sealed record SemDeDupSettings(double? SemdedupShare = null, int SemdedupClusters = 50) : ISettings
{
    public void Validate(string where)
    {
        if (SemdedupShare is { } s) SettingRules.InRange(where, "semdedup_share", s, 0, 1);
        SettingRules.Positive(where, "semdedup_clusters", SemdedupClusters);
    }
}

/// <summary>What SemDeDup removes and the threshold that removes it.</summary>
/// <param name="Keep">Indices kept, ascending.</param>
/// <param name="Epsilon">The paper's epsilon: images whose cosine to an earlier member of their cluster exceeds 1 - epsilon go.</param>
public sealed record SemDeDupResult(int[] Keep, double Epsilon);

/// <summary>
/// SemDeDup (Abbas, Tirumala, Simig, Ganguli and Morcos 2023, "SemDeDup: Data-efficient learning at web-scale
/// through semantic deduplication", arXiv 2303.09540, Algorithm 1): spherical k-means on the fixed encoder's
/// embeddings; inside each cluster the members are ordered by cosine to the centroid, ascending, so the member
/// farthest from the centroid comes first (the paper keeps the one with the lowest similarity to the centroid); a
/// member is removed when its cosine to any EARLIER member of its cluster exceeds 1 - epsilon (the paper's
/// <c>max(triu(M), dim=0)</c>, which counts earlier members whether or not they are removed themselves). As in the
/// paper, epsilon is chosen to remove a target share: the share x count members with the highest such cosine go
/// (ties: the later pool index goes first).
/// </summary>
[Registered("semdedup", Settings = typeof(SemDeDupSettings),
    Description = "SemDeDup: k-means, then within each cluster remove the target share of near-duplicate pairs, keeping the member farthest from the centroid")]
public sealed class SemDeDupRemoval(SemDeDupSettings settings) : IPostStep
{
    public SemDeDupSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context)
    {
        if (Settings.SemdedupShare is not { } share || shift.Images.Count <= 1) return null;
        var result = Deduplicate(context.Embed(shift.Images).Normalised(), Settings.SemdedupClusters, share, context.RandomFor("semdedup/k-means"));
        return new PostStepOutcome(result.Keep, string.Create(CultureInfo.InvariantCulture,
            $"semdedup ({share:P0} share, {Settings.SemdedupClusters} clusters, epsilon {result.Epsilon:G3})"));
    }

    /// <summary>Runs SemDeDup on L2-normalised embeddings and removes round(share x count) members.</summary>
    public static SemDeDupResult Deduplicate(Embeddings normalised, int clusters, double share, Random random)
    {
        int n = normalised.Count;
        var found = SphericalKMeans.Fit(normalised, clusters, maxIterations: 50, random);
        // maxEarlier[i]: the highest cosine of i to a member of its cluster placed before it.
        var maxEarlier = new double[n];
        Array.Fill(maxEarlier, double.NegativeInfinity);
        foreach (var members in Enumerable.Range(0, n).GroupBy(i => found.Assignment[i]))
        {
            var ordered = members.OrderBy(i => found.Similarity[i]).ThenBy(i => i).ToArray();
            for (int b = 1; b < ordered.Length; b++)
                for (int a = 0; a < b; a++)
                    maxEarlier[ordered[b]] = Math.Max(maxEarlier[ordered[b]], EmbeddingMath.Dot(normalised.Row(ordered[a]), normalised.Row(ordered[b])));
        }
        int remove = (int)Math.Round(share * n, MidpointRounding.AwayFromZero);
        var removed = Enumerable.Range(0, n).Where(i => maxEarlier[i] > double.NegativeInfinity)
            .OrderByDescending(i => maxEarlier[i]).ThenByDescending(i => i).Take(remove).ToHashSet();
        double epsilon = removed.Count == 0 ? 0 : 1 - removed.Min(i => maxEarlier[i]);
        return new SemDeDupResult(Enumerable.Range(0, n).Where(i => !removed.Contains(i)).ToArray(), epsilon);
    }
}
