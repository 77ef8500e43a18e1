using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Class-balanced sampling, the one place that picks "so many images of every class": quotas per class
/// (<see cref="BalancedSubsample"/>, <see cref="PerClass"/>, <see cref="Subsample"/>), a stratified fraction
/// (<see cref="Fraction"/>), a capped eval subset (<see cref="AtMost"/>) and the per-class shuffled lists the
/// curation strategies draw prefixes from (<see cref="ShuffledByClass(IReadOnlyList{int}, int, Random)"/>).
/// Each entry point keeps the random source it has always used (the splitter's SplitMix64 streams, or a
/// System.Random a caller seeds for a purpose), so a seed still picks the same images (docs/architecture.md#seeds).
/// </summary>
public static class ClassBalanced
{
    /// <summary>The sample indices of each class, in index order; a label outside 0..K-1 is an error naming the sample.</summary>
    public static List<int>[] ByClass(IReadOnlyList<int> labels, int classCount)
    {
        var byClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) byClass[c] = [];
        for (int i = 0; i < labels.Count; i++)
        {
            int l = labels[i];
            if ((uint)l >= (uint)classCount) throw new SelectBenchException($"Sample {i} has label {l}, outside 0..{classCount - 1}.");
            byClass[l].Add(i);
        }
        return byClass;
    }

    /// <summary>
    /// A class-balanced subsample of <paramref name="total"/> samples: total / K per class, and the
    /// remainder total mod K as one extra sample for each of the first classes in seeded order.
    /// A class too small for its quota is an error naming it.
    /// </summary>
    public static int[] BalancedSubsample(IReadOnlyList<int> labels, int classCount, int total, int seed)
    {
        if (total < 0) throw new SelectBenchException($"A subsample size must not be negative (got {total}).");
        var quota = new int[classCount];
        int baseQuota = total / classCount, extra = total % classCount;
        var classOrder = SeededPermutation(classCount, StratifiedSplitter.Mix(seed, -1));
        for (int c = 0; c < classCount; c++) quota[c] = baseQuota;
        for (int k = 0; k < extra; k++) quota[classOrder[k]]++;
        return Subsample(labels, quota, seed);
    }

    /// <summary>Exactly <paramref name="perClass"/> samples of every class (seeded choice).</summary>
    public static int[] PerClass(IReadOnlyList<int> labels, int classCount, int perClass, int seed)
    {
        var quota = new int[classCount];
        Array.Fill(quota, perClass);
        return Subsample(labels, quota, seed);
    }

    /// <summary>Up to <paramref name="quota"/>[c] samples of class c; classes with fewer samples are an error.</summary>
    public static int[] Subsample(IReadOnlyList<int> labels, IReadOnlyList<int> quota, int seed)
    {
        var byClass = ShuffledByClass(labels, quota.Count, seed);
        var picked = new List<int>();
        for (int c = 0; c < quota.Count; c++)
        {
            if (quota[c] > byClass[c].Count)
                throw new SelectBenchException(
                    $"Class {c} has {byClass[c].Count} samples but the subsample needs {quota[c]}; choose a smaller size.");
            picked.AddRange(byClass[c].Take(quota[c]));
        }
        var result = picked.ToArray();
        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// Indices of each class in a seeded random order: <c>result[c]</c> lists every sample with label c.
    /// Taking a prefix of each list gives a class-balanced sample without replacement.
    /// </summary>
    public static List<int>[] ShuffledByClass(IReadOnlyList<int> labels, int classCount, Random random)
    {
        var byClass = ByClass(labels, classCount);
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

    /// <summary>
    /// round(fraction x n_c) images of every class c (at least one where the class has any), chosen with a
    /// fixed seed, so every training seed of a fraction sees the same images and only the training varies.
    /// </summary>
    public static ImageSet Fraction(ImageSet set, double fraction, long seed)
    {
        var random = new Random(Seeds.FractionSample(seed));
        var chosen = new List<int>();
        foreach (var members in ByClass(set.Labels, set.LabelSet.Count).Where(m => m.Count > 0).Select(m => m.ToArray()))
        {
            random.Shuffle(members);
            int take = Math.Max(1, (int)Math.Round(fraction * members.Length, MidpointRounding.AwayFromZero));
            chosen.AddRange(members.Take(take));
        }
        chosen.Sort();
        return set.Select(chosen);
    }

    /// <summary>
    /// At most <paramref name="max"/> images: class-balanced (<see cref="BalancedSubsample"/>) when every class
    /// has its share, else a seeded uniform sample; the whole set when it is no larger (or max is 0).
    /// </summary>
    public static ImageSet AtMost(ImageSet set, int max, int seed)
    {
        if (max <= 0 || max >= set.Count) return set;
        var counts = set.ClassCounts();
        int share = (max + counts.Length - 1) / counts.Length;
        if (counts.All(c => c >= share))
            return set.Select(BalancedSubsample(set.Labels, set.LabelSet.Count, max, seed));
        var order = Enumerable.Range(0, set.Count).ToArray();
        new Random(seed).Shuffle(order);
        var picked = order.Take(max).ToArray();
        Array.Sort(picked);
        return set.Select(picked);
    }

    /// <summary>Each class's sample indices shuffled by the splitter's own SplitMix64 streams (one per class).</summary>
    internal static List<int>[] ShuffledByClass(IReadOnlyList<int> labels, int classCount, int seed)
    {
        var byClass = ByClass(labels, classCount);
        for (int c = 0; c < classCount; c++)
        {
            // One generator per class, so a class's order does not depend on the other classes' sizes.
            var rng = new SplitMix64(StratifiedSplitter.Mix(seed, c));
            var list = byClass[c];
            for (int i = list.Count - 1; i > 0; i--)
            {
                int j = (int)rng.NextBelow((ulong)(i + 1));
                (list[i], list[j]) = (list[j], list[i]);
            }
        }
        return byClass;
    }

    private static int[] SeededPermutation(int count, ulong seed)
    {
        var perm = Enumerable.Range(0, count).ToArray();
        var rng = new SplitMix64(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)rng.NextBelow((ulong)(i + 1));
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return perm;
    }
}
