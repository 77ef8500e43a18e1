using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>
/// Relative sizes of the four parts of the FashionMNIST++ train images (docs/world.md) and the distractor mix.
/// The defaults are the world's sizes (docs/world.md) for 60,000 images; any other total is split in the same proportions.
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
/// The E/G/W/H partition of FashionMNIST++ (docs/world.md): class-stratified and seeded by
/// <see cref="StratifiedSplitter"/>. With equally frequent classes (Fashion-MNIST) every part holds each class
/// within one image of its share. Pool W is mixed with glyph distractors.
/// </summary>
public static class WorldPartition
{
    /// <summary>The placeholder label of pool images: strategies must not read it (the true label is in Provenance.TrueLabel).</summary>
    public const int HiddenLabel = 0;

    public static WorldParts Split(ImageSet train, WorldPartitionSettings settings, GlyphDistractors? distractors,
                                   string sourceName = "fashion-mnist/train")
    {
        settings.Validate();
        var parts = StratifiedSplit(train.Labels, settings);
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
    /// Item indices of the four parts (E, G, W, H), each ascending, by <see cref="StratifiedSplitter"/>: part
    /// sizes by largest-remainder rounding of the weights' fractions, each class spread evenly over the parts.
    /// </summary>
    public static int[][] StratifiedSplit(IReadOnlyList<int> labels, WorldPartitionSettings settings)
    {
        settings.Validate();
        var weights = settings.Weights;
        double sum = weights.Sum();
        string[] names = ["E", "G", "W", "H"];
        var parts = names.Select((name, p) => SplitPart.OfFraction(name, weights[p] / sum)).ToArray();
        var split = StratifiedSplitter.Split(labels, parts, unchecked((int)(settings.Seed ^ (settings.Seed >> 32))));
        return names.Select(n => split[n]).ToArray();
    }
}
