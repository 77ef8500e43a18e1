using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Worlds;

public class GlyphDistractorsTests
{
    /// <summary>Pixels that differ from the image's corner (its ground) by more than 64 grey levels.</summary>
    internal static int InkPixels(ReadOnlySpan<byte> image)
    {
        int ground = image[0], ink = 0;
        foreach (var p in image) if (Math.Abs(p - ground) > 64) ink++;
        return ink;
    }

    private static void AssertNonEmptyAndVaried(ImageSet set)
    {
        Assert.Equal((1, 28, 28), (set.Channels, set.Height, set.Width));
        for (int i = 0; i < set.Count; i++) Assert.True(InkPixels(set.Image(i)) >= 5, $"image {i} is (nearly) blank");
        var distinct = Enumerable.Range(0, set.Count).Select(i => Convert.ToBase64String(set.Image(i))).Distinct().Count();
        Assert.Equal(set.Count, distinct);
        // Ink amounts vary (sizes, strokes, snippets), not only positions.
        var inks = Enumerable.Range(0, set.Count).Select(i => InkPixels(set.Image(i))).ToArray();
        Assert.True(inks.Max() > 2 * inks.Min(), $"ink pixels range only {inks.Min()}..{inks.Max()}");
    }

    [Fact]
    public void SystemFontGlyphsAreNonEmptyVariedAndDeterministic()
    {
        var warnings = new List<string>();
        using var glyphs = new GlyphDistractors(warn: warnings.Add);
        bool machineHasFonts = FontCatalog.FindFontFiles().Count > 0;
        if (machineHasFonts) Assert.Equal(GlyphSource.Fonts, glyphs.Source);
        var a = glyphs.Render(40, LabelSet.FashionMnist, seed: 1, placeholderLabel: 3);
        AssertNonEmptyAndVaried(a);
        Assert.All(a.Labels, l => Assert.Equal(3, l));
        Assert.All(a.Provenance!, p =>
        {
            Assert.Equal(SampleProvenance.NotAClass, p.TrueLabel);
            Assert.True(p.Simulated);
            Assert.Equal(GlyphDistractors.SourceName, p.Source);
        });
        // Some images are inverted (light ground), most are light on dark like Fashion-MNIST.
        int inverted = Enumerable.Range(0, a.Count).Count(i => a.Image(i)[0] == 255);
        Assert.InRange(inverted, 1, a.Count / 2);

        var b = glyphs.Render(40, LabelSet.FashionMnist, seed: 1, placeholderLabel: 3);
        var c = glyphs.Render(40, LabelSet.FashionMnist, seed: 2, placeholderLabel: 3);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(a.Ids, b.Ids);
        Assert.NotEqual(a.Pixels, c.Pixels);
        // Image i depends only on (seed, i): a shorter run is a prefix.
        Assert.Equal(a.Pixels.AsSpan(0, 5 * 784).ToArray(), glyphs.Render(5, LabelSet.FashionMnist, 1, 3).Pixels);
    }

    [Fact]
    public void WithoutFontsFallsBackToShapesWithAWarning()
    {
        var warnings = new List<string>();
        using var glyphs = new GlyphDistractors(fontFiles: [], allowDefaultTypeface: false, warn: warnings.Add);
        Assert.Equal(GlyphSource.Shapes, glyphs.Source);
        Assert.Contains(warnings, w => w.Contains("shapes", StringComparison.Ordinal));
        var set = glyphs.Render(30, LabelSet.FashionMnist, seed: 5);
        AssertNonEmptyAndVaried(set);
        Assert.Equal(set.Pixels, glyphs.Render(30, LabelSet.FashionMnist, seed: 5).Pixels);
        Assert.All(set.Provenance!, p => Assert.StartsWith("simulated web-crawl distractor: shape", p.Note));
    }

    [Fact]
    public void WithoutFontFilesTriesTheDefaultTypefaceFirst()
    {
        var warnings = new List<string>();
        using var glyphs = new GlyphDistractors(fontFiles: [], warn: warnings.Add);
        Assert.NotEqual(GlyphSource.Fonts, glyphs.Source);
        Assert.Single(warnings);
        var set = glyphs.Render(10, LabelSet.FashionMnist, seed: 5);
        for (int i = 0; i < set.Count; i++) Assert.True(InkPixels(set.Image(i)) >= 5);
    }

    [Fact]
    public void FontCatalogFindsFontFilesSortedAndSkipsUnreadableOnes()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"fonts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        try
        {
            File.WriteAllText(Path.Combine(folder, "sub", "b.ttf"), "not a font");
            File.WriteAllText(Path.Combine(folder, "a.OTF"), "not a font either");
            File.WriteAllText(Path.Combine(folder, "readme.txt"), "");
            var found = FontCatalog.FindFontFiles([folder, Path.Combine(folder, "missing")]);
            Assert.Equal([Path.Combine(folder, "a.OTF"), Path.Combine(folder, "sub", "b.ttf")], found);
            var warnings = new List<string>();
            using var glyphs = new GlyphDistractors(found, allowDefaultTypeface: false, warn: warnings.Add);
            Assert.Equal(GlyphSource.Shapes, glyphs.Source);
            Assert.Contains(warnings, w => w.Contains("b.ttf", StringComparison.Ordinal));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
