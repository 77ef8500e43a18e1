using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>One named part of a split: a fixed size, a fraction of all samples, or the rest.</summary>
public sealed record SplitPart(string Name, int? Size = null, double? Fraction = null)
{
    public static SplitPart OfSize(string name, int size) => new(name, Size: size);
    public static SplitPart OfFraction(string name, double fraction) => new(name, Fraction: fraction);
    /// <summary>Everything the other parts leave (at most one per split).</summary>
    public static SplitPart Rest(string name) => new(name);
}

/// <summary>
/// Deterministic, class-stratified splitting (class-balanced subsampling is <see cref="ClassBalanced"/>). The same labels, parts and seed
/// give the same indices on every machine and .NET version (own SplitMix64 generator, no System.Random).
///
/// Split rule: within each class the samples are shuffled by the seed. All samples are then laid out in one
/// global order in which each class is spread evenly: the r-th sample (0-based) of a class with n samples
/// gets position key (r + u_c) / n, where u_c in (0, 1) is a seeded offset per class; the keys are sorted.
/// Parts are consecutive runs of that order, in the order given. So every part holds each class close to
/// its share S * n_c / N: with equally frequent classes the order is round-robin (in u_c order), so each part
/// is within one of S / K per class, and exactly S / K when the cut points fall on whole rounds (Fashion-MNIST's
/// 20k/10k/25k/5k parts of 6,000 per class). With unequal classes the first T samples hold class c about
/// T * n_c / N times, off by the rounding of the classes' counts. Remainders go to the classes with the
/// smallest seeded offset u_c. Returned indices are sorted ascending.
/// </summary>
public static class StratifiedSplitter
{
    /// <summary>Splits the samples with the given labels into named parts.</summary>
    /// <returns>Part name to sample indices (ascending).</returns>
    public static IReadOnlyDictionary<string, int[]> Split(IReadOnlyList<int> labels, IReadOnlyList<SplitPart> parts, int seed)
    {
        int n = labels.Count;
        var sizes = PartSizes(parts, n);
        var order = StratifiedOrder(labels, seed);
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        int at = 0;
        for (int p = 0; p < parts.Count; p++)
        {
            var indices = order.AsSpan(at, sizes[p]).ToArray();
            Array.Sort(indices);
            result[parts[p].Name] = indices;
            at += sizes[p];
        }
        return result;
    }

    /// <summary>Part sizes from sizes, fractions (largest-remainder rounding over all samples) and at most one rest part.</summary>
    internal static int[] PartSizes(IReadOnlyList<SplitPart> parts, int n)
    {
        if (parts.Count == 0) throw new SelectBenchException("A split needs at least one part.");
        var dup = parts.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new SelectBenchException($"Split part '{dup.Key}' is named twice.");
        var sizes = new int[parts.Count];
        int rest = -1;
        var fractional = new List<(int Part, double Remainder)>();
        int fractionTotal = 0;
        double fractionSum = 0;
        for (int p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            if (part.Size is { } s && part.Fraction is not null)
                throw new SelectBenchException($"Split part '{part.Name}' gives both a size and a fraction; give one.");
            if (part.Size is { } size)
            {
                if (size < 0) throw new SelectBenchException($"Split part '{part.Name}' has negative size {size}.");
                sizes[p] = size;
            }
            else if (part.Fraction is { } f)
            {
                if (f is < 0 or > 1 || double.IsNaN(f)) throw new SelectBenchException($"Split part '{part.Name}' has fraction {f}; use 0..1.");
                double exact = f * n;
                sizes[p] = (int)Math.Floor(exact);
                fractional.Add((p, exact - sizes[p]));
                fractionTotal += sizes[p];
                fractionSum += exact;
            }
            else
            {
                if (rest >= 0) throw new SelectBenchException($"Split parts '{parts[rest].Name}' and '{part.Name}' both ask for the rest; only one may.");
                rest = p;
            }
        }
        // Largest remainder: the fractional parts together get round(sum of exact sizes) samples.
        int target = (int)Math.Round(fractionSum, MidpointRounding.AwayFromZero);
        foreach (var (part, _) in fractional.OrderByDescending(x => x.Remainder).ThenBy(x => x.Part).Take(Math.Max(0, target - fractionTotal)))
            sizes[part]++;
        long used = sizes.Sum(s => (long)s);
        if (used > n)
            throw new SelectBenchException($"Split parts need {used} samples ({string.Join(", ", parts.Select((p, i) => $"{p.Name}={sizes[i]}"))}) but there are only {n}.");
        if (rest >= 0) sizes[rest] = n - (int)used;
        return sizes;
    }

    /// <summary>All sample indices in the stratified global order described on the class.</summary>
    internal static int[] StratifiedOrder(IReadOnlyList<int> labels, int seed)
    {
        int classCount = labels.Count == 0 ? 0 : labels.Max() + 1;
        if (labels.Any(l => l < 0)) throw new SelectBenchException("Labels must be class indices (0 or more).");
        var byClass = ClassBalanced.ShuffledByClass(labels, classCount, seed);
        var offsetRng = new SplitMix64(Mix(seed, -2));
        var keyed = new List<(double Key, int Class, int Index)>(labels.Count);
        for (int c = 0; c < classCount; c++)
        {
            // u_c in (0, 1): strictly inside, so two classes never share a key.
            double u = (offsetRng.NextUInt64() >> 11) * (1.0 / (1UL << 53)) * 0.999999 + 0.0000005;
            var members = byClass[c];
            for (int r = 0; r < members.Count; r++) keyed.Add(((r + u) / members.Count, c, members[r]));
        }
        keyed.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Class.CompareTo(b.Class));
        return keyed.Select(k => k.Index).ToArray();
    }

    internal static ulong Mix(int seed, int stream) => Seeds.SplitterStream(seed, stream);
}
