using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>
/// Relative sizes of the four parts of the FashionMNIST++ train images (DESIGN section 4) and the distractor mix.
/// The defaults are DESIGN's sizes for 60,000 images; any other total is split in the same proportions.
/// </summary>
/// <param name="Expert">Weight of E, the expert reservoir (true labels; `expert` shift and queries).</param>
/// <param name="Generator">Weight of G, the generator's training data.</param>
/// <param name="Web">Weight of W, the web pool (labels hidden).</param>
/// <param name="HeldOut">Weight of H, the held-out fresh sample (the "V2-like" eval set).</param>
/// <param name="DistractorFraction">Glyph distractors added to W, as a fraction of W's real images.</param>
/// <param name="Seed">Seeds the stratified shuffle and the distractors.</param>
public sealed record WorldPartitionSettings(
    double Expert = 20_000, double Generator = 10_000, double Web = 25_000, double HeldOut = 5_000,
    double DistractorFraction = 0.2, long Seed = 0)
{
    public double[] Weights => [Expert, Generator, Web, HeldOut];

    public void Validate()
    {
        string[] names = ["expert", "generator", "web", "held_out"];
        for (int p = 0; p < 4; p++)
            if (!(Weights[p] >= 0) || double.IsInfinity(Weights[p]))
                throw new SelectBenchException($"world partition: {names[p]} = {Weights[p]}; use a size or weight >= 0.");
        if (!(Weights.Sum() > 0)) throw new SelectBenchException("world partition: all part weights are 0; give at least one part a positive size.");
        if (!(DistractorFraction >= 0) || double.IsInfinity(DistractorFraction))
            throw new SelectBenchException($"world partition: distractor_fraction = {DistractorFraction}; use a number >= 0 (0.2 adds 20% of W's size).");
    }
}

/// <summary>The four parts. Pool W's Labels are all <see cref="WorldPartition.HiddenLabel"/>; its true labels are in provenance only.</summary>
public sealed record WorldParts(ImageSet Expert, ImageSet GeneratorTraining, ImageSet WebPool, ImageSet HeldOut);

/// <summary>
/// The E/G/W/H partition of FashionMNIST++ (DESIGN section 4): class-stratified and seeded. Every part holds each
/// class in the proportion of the whole set, to within one image. Pool W is mixed with glyph distractors.
/// </summary>
public static class WorldPartition
{
    /// <summary>The placeholder label of pool images: strategies must not read it (the true label is in Provenance.TrueLabel).</summary>
    public const int HiddenLabel = 0;

    public static WorldParts Split(ImageSet train, WorldPartitionSettings settings, GlyphDistractors? distractors,
                                   string sourceName = "fashion-mnist/train")
    {
        settings.Validate();
        var parts = StratifiedSplit(train.Labels, train.LabelSet.Count, settings.Weights, settings.Seed);
        ImageSet Labelled(int p, string part)
        {
            var set = train.Select(parts[p]);
            var prov = new SampleProvenance[set.Count];
            for (int k = 0; k < set.Count; k++)
                prov[k] = new SampleProvenance(sourceName, set.Ids[k], TrueLabel: set.Labels[k], Note: part);
            return set.WithProvenance(prov);
        }
        var web = train.Select(parts[2]);
        var webProv = new SampleProvenance[web.Count];
        for (int k = 0; k < web.Count; k++)
            webProv[k] = new SampleProvenance("pool:W", web.Ids[k], TrueLabel: web.Labels[k],
                Note: "web pool stand-in: a real image whose label is hidden from strategies");
        var hidden = new int[web.Count];
        Array.Fill(hidden, HiddenLabel);
        web = web.WithLabels(hidden).WithProvenance(webProv);

        int distractorCount = (int)Math.Round(settings.DistractorFraction * web.Count, MidpointRounding.AwayFromZero);
        if (distractorCount > 0)
        {
            if (distractors == null)
                throw new SelectBenchException($"world partition: distractor_fraction = {settings.DistractorFraction} needs a glyph distractor renderer; pass one or set the fraction to 0.");
            if (distractors.Settings.Size != train.Height || train.Height != train.Width || train.Channels != 1)
                throw new SelectBenchException($"world partition: glyph distractors are 1x{distractors.Settings.Size}x{distractors.Settings.Size} but the images are {train.Channels}x{train.Height}x{train.Width}; set the distractor size to match.");
            var glyphs = distractors.Render(distractorCount, train.LabelSet, settings.Seed, HiddenLabel);
            var mixed = ImageSet.Concat([web, glyphs]);
            var order = Enumerable.Range(0, mixed.Count).ToArray();
            new Random(unchecked((int)(settings.Seed ^ 0x5745))).Shuffle(order);
            web = mixed.Select(order);
        }
        return new WorldParts(Labelled(0, "part E: expert reservoir"), Labelled(1, "part G: generator training data"),
            web, Labelled(3, "part H: held-out fresh sample"));
    }

    /// <summary>
    /// Part sizes for <paramref name="total"/> items in proportion to the weights, by the largest-remainder
    /// (Hamilton) method: floors first, then one more to the largest fractional parts (ties: lower part index).
    /// </summary>
    public static int[] PartSizes(int total, IReadOnlyList<double> weights)
    {
        double sum = weights.Sum();
        var ideal = weights.Select(w => total * w / sum).ToArray();
        var sizes = ideal.Select(x => (int)Math.Floor(x)).ToArray();
        int missing = total - sizes.Sum();
        foreach (var p in Enumerable.Range(0, sizes.Length).OrderByDescending(p => ideal[p] - sizes[p]).ThenBy(p => p).Take(missing))
            sizes[p]++;
        return sizes;
    }

    /// <summary>
    /// Splits item indices into parts with sizes <see cref="PartSizes"/>, so that part p holds
    /// floor or floor + 1 of n_c * size_p / N items of each class c (stratified to within one item), each
    /// class's items assigned in a seeded random order. Returns each part's indices in ascending order.
    /// </summary>
    public static int[][] StratifiedSplit(IReadOnlyList<int> labels, int classCount, IReadOnlyList<double> weights, long seed)
    {
        int n = labels.Count, parts = weights.Count;
        var sizes = PartSizes(n, weights);
        var byClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) byClass[c] = [];
        for (int i = 0; i < n; i++) byClass[labels[i]].Add(i);
        var counts = ClassPartCounts(byClass.Select(l => l.Count).ToArray(), sizes);
        var result = new List<int>[parts];
        for (int p = 0; p < parts; p++) result[p] = [];
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        for (int c = 0; c < classCount; c++)
        {
            var items = byClass[c].ToArray();
            rng.Shuffle(items);
            int at = 0;
            for (int p = 0; p < parts; p++)
            {
                result[p].AddRange(items.AsSpan(at, counts[c, p]).ToArray());
                at += counts[c, p];
            }
        }
        return result.Select(r => { r.Sort(); return r.ToArray(); }).ToArray();
    }

    /// <summary>
    /// Rounds the class x part table x[c, p] = n_c * size_p / N to integers that keep every row sum (n_c) and
    /// column sum (size_p) exact, each entry floor(x) or floor(x) + 1. Each class takes its r_c extra items from
    /// the parts that still need the most (ties: larger fractional part, then lower index): the greedy that
    /// builds a 0-1 matrix with given row and column sums whenever one exists (Gale 1957; Ryser 1957), and one
    /// exists because x minus its floors is a fractional such matrix.
    /// </summary>
    internal static int[,] ClassPartCounts(int[] classSizes, int[] partSizes)
    {
        int classes = classSizes.Length, parts = partSizes.Length;
        long total = classSizes.Sum();
        var counts = new int[classes, parts];
        var fraction = new double[classes, parts];
        var need = (int[])partSizes.Clone();
        for (int c = 0; c < classes; c++)
            for (int p = 0; p < parts; p++)
            {
                double x = total == 0 ? 0 : (double)classSizes[c] * partSizes[p] / total;
                counts[c, p] = (int)Math.Floor(x);
                fraction[c, p] = x - counts[c, p];
                need[p] -= counts[c, p];
            }
        for (int c = 0; c < classes; c++)
        {
            int extra = classSizes[c];
            for (int p = 0; p < parts; p++) extra -= counts[c, p];
            int cc = c;
            foreach (var p in Enumerable.Range(0, parts).Where(p => need[p] > 0)
                         .OrderByDescending(p => need[p]).ThenByDescending(p => fraction[cc, p]).ThenBy(p => p).Take(extra).ToList())
            {
                counts[c, p]++;
                need[p]--;
            }
        }
        return counts;
    }
}
