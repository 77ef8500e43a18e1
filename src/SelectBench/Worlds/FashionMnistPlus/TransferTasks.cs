using SelectBench.Evaluation.Suite;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>
/// The three transfer tasks of FashionMNIST++ (docs/world.md), standing in for SELECT's 11 downstream
/// datasets: coarse categories (same domain, coarser labels), rotation angle (structure) and glyph letters
/// (another domain).
/// </summary>
public static class TransferTasks
{
    /// <summary>The five coarse categories named in docs/world.md.</summary>
    public static LabelSet CoarseLabels { get; } = new(["tops", "bottoms", "dresses", "footwear", "bags"]);

    /// <summary>Fashion-MNIST class id to coarse category: upper-body garments are tops, shoes are footwear.</summary>
    public static IReadOnlyDictionary<string, string> CoarseOf { get; } = new Dictionary<string, string>
    {
        ["tshirt"] = "tops",
        ["pullover"] = "tops",
        ["coat"] = "tops",
        ["shirt"] = "tops",
        ["trouser"] = "bottoms",
        ["dress"] = "dresses",
        ["sandal"] = "footwear",
        ["sneaker"] = "footwear",
        ["ankle_boot"] = "footwear",
        ["bag"] = "bags",
    };

    public static LabelSet RotationLabels { get; } = new(["0", "90", "180", "270"], ["rot0", "rot90", "rot180", "rot270"]);

    /// <summary>Relabels Fashion-MNIST images (label set with the Fashion-MNIST ids or names) into the five coarse categories.</summary>
    public static TransferTask CoarseCategories(ImageSet train, ImageSet test) =>
        new("coarse-categories", ToCoarse(train, "train"), ToCoarse(test, "test"));

    private static ImageSet ToCoarse(ImageSet set, string split)
    {
        var map = new int[set.LabelSet.Count];
        var fashion = LabelSet.FashionMnist;
        for (int c = 0; c < set.LabelSet.Count; c++)
        {
            int f = fashion.IndexOf(set.LabelSet.Ids[c]);
            if (f < 0) f = fashion.IndexOf(set.LabelSet.Names[c]);
            if (f < 0)
                throw new SelectBenchException($"coarse-categories transfer task ({split} split): class '{set.LabelSet.Names[c]}' is not a Fashion-MNIST class, so it has no coarse category.");
            map[c] = CoarseLabels.IndexOf(CoarseOf[fashion.Ids[f]]);
        }
        var labels = set.Labels.Select(l => map[l]).ToArray();
        return set.WithLabels(labels, CoarseLabels, set.Ids);
    }

    /// <summary>
    /// Rotation prediction (a structured task; cf. Gidaris et al. 2018): each image is turned clockwise by
    /// 0, 90, 180 or 270 degrees and labelled with the angle. Angles are balanced (counts differ by at most
    /// one) and assigned in a seeded random order. Needs square images.
    /// </summary>
    public static TransferTask Rotation(ImageSet train, ImageSet test, long seed) =>
        new("rotation", Rotate(train, SampleSeeds.Mix(seed, 1, 0)), Rotate(test, SampleSeeds.Mix(seed, 2, 0)));

    private static ImageSet Rotate(ImageSet set, long seed)
    {
        if (set.Height != set.Width)
            throw new SelectBenchException($"rotation transfer task needs square images; these are {set.Height}x{set.Width}.");
        var turns = Enumerable.Range(0, set.Count).Select(i => i % 4).ToArray();
        new Random(unchecked((int)seed)).Shuffle(turns);
        var pixels = new byte[(long)set.Count * set.ImageSize];
        int size = set.ImageSize;
        for (int i = 0; i < set.Count; i++)
            RotateQuarterTurns(set.Image(i), set.Channels, set.Height, turns[i], pixels.AsSpan(i * size, size));
        return new ImageSet(pixels, turns, RotationLabels, set.Channels, set.Height, set.Width, set.Ids);
    }

    /// <summary>Rotates a C x S x S image clockwise by <paramref name="quarterTurns"/> x 90 degrees.</summary>
    public static void RotateQuarterTurns(ReadOnlySpan<byte> image, int channels, int side, int quarterTurns, Span<byte> target)
    {
        int plane = side * side, turns = ((quarterTurns % 4) + 4) % 4;
        for (int c = 0; c < channels; c++)
        {
            var src = image.Slice(c * plane, plane);
            var dst = target.Slice(c * plane, plane);
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    // Destination (y, x) reads the source pixel that a clockwise turn moves there.
                    int from = turns switch
                    {
                        0 => y * side + x,
                        1 => (side - 1 - x) * side + y,
                        2 => (side - 1 - y) * side + (side - 1 - x),
                        _ => x * side + (side - 1 - y),
                    };
                    dst[y * side + x] = src[from];
                }
        }
    }

    /// <summary>
    /// Glyph letters (another domain): images of <paramref name="letters"/> rendered with SkiaSharp under mild
    /// random transforms, one class per letter. With two or more fonts, about a third of them (every third in
    /// path order) are kept for the test split and never used in train, so the task tests generalisation to
    /// new typefaces; with one font both splits use it with different random transforms. A SIMULATED task.
    /// </summary>
    public static TransferTask GlyphLetters(int trainPerClass, int testPerClass, long seed,
                                            IReadOnlyList<string>? fontFiles = null, string letters = "ABCDEFGHIJ", int size = 28,
                                            Action<string>? warn = null)
    {
        if (trainPerClass < 1 || testPerClass < 1)
            throw new SelectBenchException($"glyph-letters transfer task: {trainPerClass} train and {testPerClass} test images per class; use at least 1 of each.");
        warn ??= m => Console.Error.WriteLine($"warning: {m}");
        var labels = new LabelSet(letters.Select(ch => ch.ToString()).ToArray());
        var fonts = FontCatalog.Load(fontFiles ?? FontCatalog.FindFontFiles(), letters, warn);
        try
        {
            if (fonts.Count == 0)
            {
                if (!GlyphRasterizer.HasGlyphs(SKTypeface.Default, letters))
                    throw new SelectBenchException($"glyph-letters transfer task: no font on this machine can draw '{letters}'; install one (e.g. the Debian package fonts-dejavu-core) or pass font files.");
                warn("no usable font files found; the glyph-letters task uses SkiaSharp's default typeface for both splits.");
                fonts.Add(new LoadedFont("(default)", "default typeface", SKTypeface.Default));
            }
            var testFonts = fonts.Count >= 2 ? fonts.Where((_, i) => i % 3 == 2).ToList() : fonts;
            var trainFonts = fonts.Count >= 2 ? fonts.Where((_, i) => i % 3 != 2).ToList() : fonts;
            return new TransferTask("glyph-letters",
                RenderLetters(labels, trainPerClass, trainFonts, SampleSeeds.Mix(seed, 1, 0), size, "train"),
                RenderLetters(labels, testPerClass, testFonts, SampleSeeds.Mix(seed, 2, 0), size, "test"));
        }
        finally
        {
            foreach (var f in fonts) if (f.Typeface != SKTypeface.Default) f.Typeface.Dispose();
        }
    }

    private static ImageSet RenderLetters(LabelSet labels, int perClass, List<LoadedFont> fonts, long seed, int size, string split)
    {
        // Milder than the distractors: upright-ish, centred letters a reader would still name.
        var style = new GlyphDistractorSettings(Size: size, MaxRotationDegrees: 15, MinScale: 0.55f, MaxScale: 0.9f,
            MaxShift: 2, OutlineProbability: 0.15, InvertProbability: 0);
        int n = labels.Count * perClass, area = size * size;
        var pixels = new byte[(long)n * area];
        var y = new int[n];
        var ids = new string[n];
        var provenance = new SampleProvenance[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % labels.Count;
            var rng = new Random(unchecked((int)SampleSeeds.Mix(seed, c, i)));
            var font = fonts[rng.Next(fonts.Count)];
            GlyphRasterizer.RenderText(font.Typeface, labels.Names[c], GlyphDistractors.RandomStyle(rng, style), size, pixels.AsSpan(i * area, area));
            y[i] = c;
            ids[i] = string.Create(CultureInfo.InvariantCulture, $"letter-{split}-{i:D6}");
            provenance[i] = new SampleProvenance("transfer:glyph-letters", ids[i], TrueLabel: c, Simulated: true,
                Note: $"rendered letter {labels.Names[c]} in {font.Name}");
        }
        return new ImageSet(pixels, y, labels, 1, size, size, ids, provenance);
    }
}
