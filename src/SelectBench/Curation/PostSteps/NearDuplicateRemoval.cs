using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Search;

namespace SelectBench.Curation.PostSteps;

/// <param name="NearDuplicateThreshold">Remove images with cosine at least this to an earlier kept image; null = off.</param>
/// <param name="DuplicateNeighbours">Neighbours per image examined by near-duplicate removal.</param>
public sealed record NearDuplicateSettings(double? NearDuplicateThreshold = null, int DuplicateNeighbours = 32) : ISettings
{
    public void Validate(string where)
    {
        if (NearDuplicateThreshold is { } d) SettingRules.InRange(where, "near_duplicate_threshold", d, -1, 1);
        SettingRules.Positive(where, "duplicate_neighbours", DuplicateNeighbours);
    }
}

/// <summary>
/// Near-duplicate removal, greedy keep-first: walking the shift in order, an image is removed when its
/// cosine similarity to an EARLIER KEPT image is at least the threshold (<see cref="NearDuplicates.Reaches"/>,
/// the same rule and tolerance as the audit's <see cref="NearDuplicates.Find"/>). Works from each image's top-k
/// neighbours inside the shift, so it scales with the search backend; an image with more than k
/// near-duplicates may keep one extra copy (k is a setting).
/// </summary>
[Registered("near-duplicates", Settings = typeof(NearDuplicateSettings),
    Description = "Remove an image whose cosine to an earlier kept image of the shift is at least the threshold")]
public sealed class NearDuplicateRemoval(NearDuplicateSettings settings) : IPostStep
{
    public NearDuplicateSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context)
    {
        if (Settings.NearDuplicateThreshold is not { } threshold || shift.Images.Count <= 1) return null;
        var emb = context.Embed(shift.Images).Normalised();
        using var search = context.SearchFactory(emb);
        var nn = search.Search(emb.Data, emb.Count, Math.Min(emb.Count, Settings.DuplicateNeighbours + 1));
        return new PostStepOutcome(KeepFirst(nn, emb.Count, threshold), $"near-duplicates (cosine >= {threshold})");
    }

    /// <summary>Indices to keep, ascending. <paramref name="selfNeighbours"/>: each image's neighbours within the same set.</summary>
    public static int[] KeepFirst(Neighbours selfNeighbours, int count, double threshold)
    {
        var kept = new bool[count];
        var keep = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            bool duplicate = false;
            var idx = selfNeighbours.IndicesOf(i);
            var sim = selfNeighbours.SimilaritiesOf(i);
            for (int n = 0; n < idx.Length; n++)
            {
                int j = idx[n];
                if (!NearDuplicates.Reaches(sim[n], threshold)) break;
                if (j >= 0 && j < i && kept[j]) { duplicate = true; break; }
            }
            if (!duplicate) { kept[i] = true; keep.Add(i); }
        }
        return keep.ToArray();
    }
}
