namespace SelectBench.Curation;

/// <summary>Seeded class-balanced sampling: the per-class index lists every strategy draws from.</summary>
public static class ClassBalancedSample
{
    /// <summary>
    /// Indices of each class in a seeded random order: <c>result[c]</c> lists every sample with label c.
    /// Taking a prefix of each list gives a class-balanced sample without replacement.
    /// </summary>
    public static List<int>[] ShuffledByClass(IReadOnlyList<int> labels, int classCount, Random random)
    {
        var byClass = Enumerable.Range(0, classCount).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Count; i++) byClass[labels[i]].Add(i);
        foreach (var list in byClass) SeededRandom.Shuffle(random, list);
        return byClass;
    }

    /// <summary>Up to <paramref name="perClass"/> indices per class (fewer where a class has fewer), class by class.</summary>
    public static List<int> Take(IReadOnlyList<int> labels, int classCount, int perClass, Random random, out int[] shortfall)
    {
        var byClass = ShuffledByClass(labels, classCount, random);
        shortfall = byClass.Select(l => Math.Max(0, perClass - l.Count)).ToArray();
        return byClass.SelectMany(l => l.Take(perClass)).ToList();
    }
}
