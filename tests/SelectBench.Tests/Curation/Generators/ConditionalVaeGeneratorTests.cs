using SelectBench.Common;
using SelectBench.Curation.Generators;
using SelectBench.Data;

namespace SelectBench.Tests.Curation.Generators;

/// <summary>
/// Trains one tiny generator (100 images of 16x16, four class-distinct patterns whose position varies inside
/// the class) for a few hundred steps and shares it between the tests.
/// </summary>
public sealed class TinyGeneratorFixture : IDisposable
{
    public ImageSet Data { get; }
    public ConditionalVaeGenerator Generator { get; }

    public TinyGeneratorFixture()
    {
        ProgressBar.Enabled = false;
        Data = PatternSet(perClass: 25, seed: 3);
        Generator = ConditionalVaeGenerator.Train(Data,
            new CvaeTrainingSettings(Epochs: 60, BatchSize: 20, LearningRate: 3e-3, Seed: 1),
            new CvaeArchitecture(LatentDimension: 4, Width: 8, Hidden: 64, ClassEmbedding: 4), name: "tiny");
    }

    public static readonly LabelSet Classes = new(["hbar", "vbar", "box", "dot"]);

    /// <summary>Class 0: a horizontal bar at a random row; 1: a vertical bar; 2: a hollow square; 3: a filled 4x4 block.</summary>
    public static ImageSet PatternSet(int perClass, int seed)
    {
        const int s = 16;
        var rng = new Random(seed);
        int n = 4 * perClass;
        var pixels = new byte[n * s * s];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 4;
            labels[i] = c;
            var img = pixels.AsSpan(i * s * s, s * s);
            int p = rng.Next(2, 11);
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                {
                    bool on = c switch
                    {
                        0 => y >= p && y < p + 3 && x >= 2 && x < 14,
                        1 => x >= p && x < p + 3 && y >= 2 && y < 14,
                        2 => (x >= 3 && x <= 12 && y >= 3 && y <= 12) && (x == 3 || x == 12 || y == 3 || y == 12),
                        _ => x >= p && x < p + 4 && y >= 6 && y < 10,
                    };
                    img[y * s + x] = on ? (byte)255 : (byte)0;
                }
        }
        return new ImageSet(pixels, labels, Classes, 1, s, s);
    }

    public void Dispose() => Generator.Dispose();
}

public class ConditionalVaeGeneratorTests(TinyGeneratorFixture fixture) : IClassFixture<TinyGeneratorFixture>
{
    private static double MeanAbsoluteError(ImageSet a, ImageSet b)
    {
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return sum / a.Pixels.Length;
    }

    [Fact]
    public void StrengthZeroReconstructsThePromptAndStrengthOneDoesNot()
    {
        var prompts = fixture.Data;
        var atZero = fixture.Generator.FromImagePrompts(prompts, 0, seed: 5);
        var atOne = fixture.Generator.FromImagePrompts(prompts, 1, seed: 5);
        double errZero = MeanAbsoluteError(atZero, prompts), errOne = MeanAbsoluteError(atOne, prompts);
        // Pixels are 0 or 255 and about 15% are on: a blank guess errs by about 38 per pixel.
        Assert.True(errZero < 0.5 * errOne, $"reconstruction error {errZero:F1} at s=0 vs {errOne:F1} at s=1");
        Assert.True(errZero < 20, $"reconstruction error {errZero:F1} per pixel (0..255) after training");
        Assert.Equal(prompts.Labels, atZero.Labels);
    }

    [Fact]
    public void StrengthOneIgnoresThePromptImage()
    {
        // Two different class-0 images (bars at different rows) as one-image prompt sets, same seed.
        var first = fixture.Data.Select([0]);
        int other = Enumerable.Range(1, fixture.Data.Count - 1)
            .First(i => fixture.Data.Labels[i] == 0 && !fixture.Data.Image(i).SequenceEqual(first.Image(0)));
        var second = fixture.Data.Select([other]);
        var a = fixture.Generator.FromImagePrompts(first, 1, seed: 11);
        var b = fixture.Generator.FromImagePrompts(second, 1, seed: 11);
        Assert.Equal(a.Pixels, b.Pixels);
        // At a middle strength the prompt still matters.
        var c = fixture.Generator.FromImagePrompts(first, 0.5, seed: 11);
        var d = fixture.Generator.FromImagePrompts(second, 0.5, seed: 11);
        Assert.NotEqual(c.Pixels, d.Pixels);
    }

    [Fact]
    public void ClassPromptsGiveRequestedCountsLabelsShapeAndProvenance()
    {
        var set = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [3, 0, 2, 1], seed: 7);
        Assert.Equal(6, set.Count);
        Assert.Equal([0, 0, 0, 2, 2, 3], set.Labels);
        Assert.Equal([3, 0, 2, 1], set.ClassCounts());
        Assert.Equal((1, 16, 16), (set.Channels, set.Height, set.Width));
        Assert.Equal(6, set.Ids.Distinct().Count());
        Assert.All(set.Provenance!, p =>
        {
            Assert.Equal("generator:tiny", p.Source);
            Assert.True(p.Simulated);
            Assert.NotNull(p.GeneratorSeed);
        });
        Assert.Equal("txt2img class prompt: box", set.Provenance![3].Note);
        // Different images of one class get different seeds and (after training on varied positions) differ.
        Assert.NotEqual(set.Provenance[0].GeneratorSeed, set.Provenance[1].GeneratorSeed);
    }

    [Fact]
    public void ClassSamplesLookLikeTheirClass()
    {
        // A generated "hbar" should have more energy in rows than columns, a "vbar" the opposite.
        var set = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [10, 10, 0, 0], seed: 3);
        // Most samples (a prior draw may land between modes after so little training) follow their class.
        int agree = 0;
        for (int i = 0; i < set.Count; i++)
        {
            var img = set.Image(i);
            bool rowsDominate = Spread(img, byRow: true) > Spread(img, byRow: false);
            if (rowsDominate == (set.Labels[i] == 0)) agree++;
        }
        Assert.True(agree >= 16, $"{agree} of 20 samples look like their class");

        // Variance of the row (or column) sums: a horizontal bar concentrates ink in a few rows.
        static double Spread(ReadOnlySpan<byte> img, bool byRow)
        {
            var sums = new double[16];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++) sums[byRow ? y : x] += img[y * 16 + x];
            double mean = sums.Average();
            return sums.Sum(v => (v - mean) * (v - mean)) / 16;
        }
    }

    [Fact]
    public void SameSeedSameImagesOtherSeedOtherImages()
    {
        var a = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [2, 2, 2, 2], seed: 9);
        var b = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [2, 2, 2, 2], seed: 9);
        var c = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [2, 2, 2, 2], seed: 10);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        var p = fixture.Generator.FromImagePrompts(fixture.Data, 0.6, seed: 9);
        var q = fixture.Generator.FromImagePrompts(fixture.Data, 0.6, seed: 9);
        Assert.Equal(p.Pixels, q.Pixels);
    }

    [Fact]
    public void SaveThenLoadGivesIdenticalSamples()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"cvae-{Guid.NewGuid():N}");
        try
        {
            fixture.Generator.Save(folder);
            Assert.True(ConditionalVaeGenerator.Exists(folder));
            using var loaded = ConditionalVaeGenerator.Load(folder);
            Assert.Equal("tiny", loaded.Name);
            Assert.True(loaded.LabelSet.SameAs(TinyGeneratorFixture.Classes));
            Assert.Equal(fixture.Generator.Architecture, loaded.Architecture);
            Assert.Equal(fixture.Generator.Training, loaded.Training);
            var before = fixture.Generator.FromClassPrompts(TinyGeneratorFixture.Classes, [2, 1, 1, 2], seed: 4);
            var after = loaded.FromClassPrompts(TinyGeneratorFixture.Classes, [2, 1, 1, 2], seed: 4);
            Assert.Equal(before.Pixels, after.Pixels);
            var before2 = fixture.Generator.FromImagePrompts(fixture.Data, 0.3, seed: 4);
            var after2 = loaded.FromImagePrompts(fixture.Data, 0.3, seed: 4);
            Assert.Equal(before2.Pixels, after2.Pixels);
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void LoadingAFolderWithoutManifestSaysWhatToDo()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"cvae-{Guid.NewGuid():N}");
        var e = Assert.Throws<SelectBenchException>(() => ConditionalVaeGenerator.Load(folder));
        Assert.Contains("manifest.json", e.Message);
    }

    [Fact]
    public void BadStrengthAndUnknownClassAreUserErrors()
    {
        var e = Assert.Throws<SelectBenchException>(() => fixture.Generator.FromImagePrompts(fixture.Data, 1.5, 0));
        Assert.Contains("1.5", e.Message);
        var other = new LabelSet(["hbar", "star"]);
        var e2 = Assert.Throws<SelectBenchException>(() => fixture.Generator.FromClassPrompts(other, [1, 1], 0));
        Assert.Contains("'star'", e2.Message);
        // An unknown class with count 0 is not used, so it is no error; labels follow the requested set.
        var ok = fixture.Generator.FromClassPrompts(other, [2, 0], 0);
        Assert.Equal([0, 0], ok.Labels);
        Assert.Same(other, ok.LabelSet);
    }
}
