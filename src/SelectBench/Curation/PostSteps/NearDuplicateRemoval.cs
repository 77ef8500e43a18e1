using SelectBench.Analysis;
using SelectBench.Search;

namespace SelectBench.Curation.PostSteps;

/// <summary>
/// Near-duplicate removal, greedy keep-first: walking the shift in order, an image is removed when its
/// cosine similarity to an EARLIER KEPT image is at least the threshold (<see cref="NearDuplicates.Reaches"/>,
/// the same rule and tolerance as the audit's <see cref="NearDuplicates.Find"/>). Works from each image's top-k
/// neighbours inside the shift, so it scales with the search backend; an image with more than k
/// near-duplicates may keep one extra copy (k is a setting).
/// </summary>
public static class NearDuplicateRemoval
{
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

/// <summary>
/// Leakage removal: an image is removed when its highest cosine similarity to any eval image is at least
/// the threshold (DESIGN section 5, "leakage of shift images into eval sets").
/// </summary>
public static class LeakageRemoval
{
    /// <summary>Indices to keep. <paramref name="maxSimilarityToEval"/>[i] = max cosine of shift image i to any eval image.</summary>
    public static int[] Keep(IReadOnlyList<float> maxSimilarityToEval, double threshold)
    {
        return Enumerable.Range(0, maxSimilarityToEval.Count).Where(i => !NearDuplicates.Reaches(maxSimilarityToEval[i], threshold)).ToArray();
    }
}

/// <summary>Class capping and balancing: keep the first images of each class in shift order.</summary>
public static class ClassCap
{
    public static int[] Keep(IReadOnlyList<int> labels, int classCount, int cap)
    {
        var seen = new int[classCount];
        var keep = new List<int>(labels.Count);
        for (int i = 0; i < labels.Count; i++)
            if (seen[labels[i]]++ < cap) keep.Add(i);
        return keep.ToArray();
    }

    /// <summary>The balancing cap: the smallest count among classes present (absent classes cannot be balanced up).</summary>
    public static int BalanceCap(IReadOnlyList<int> labels, int classCount)
    {
        var counts = new int[classCount];
        foreach (var l in labels) counts[l]++;
        var present = counts.Where(c => c > 0).ToList();
        return present.Count == 0 ? 0 : present.Min();
    }
}
