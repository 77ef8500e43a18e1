using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Worlds;

public class EdgeMapRenditionTests
{
    private static ImageSet Rows(int height, byte[] row, int count = 1)
    {
        var pixels = new byte[count * height * row.Length];
        for (int i = 0; i < count * height; i++) row.CopyTo(pixels, i * row.Length);
        return new ImageSet(pixels, new int[count], LabelSet.Numbered(2), 1, height, row.Length);
    }

    [Fact]
    public void StepEdgeBecomesADarkLineOnTheTwoColumnsBesideIt()
    {
        // Columns 0-1 black, 2-4 white. Sobel gx = 255 + 2*255 + 255 = 1020 at columns 1 and 2 (the
        // neighbours differ), 0 elsewhere; gy = 0. Normalised: 1 there, 0 elsewhere.
        var set = Rows(5, [0, 0, 255, 255, 255]);
        var sketch = EdgeMapRendition.Apply(set);
        for (int y = 0; y < 5; y++)
            Assert.Equal(new byte[] { 255, 0, 0, 255, 255 }, sketch.Image(0).Slice(y * 5, 5).ToArray());
        var light = EdgeMapRendition.Apply(set, new EdgeMapSettings(DarkOnLight: false));
        Assert.Equal(new byte[] { 0, 255, 255, 0, 0 }, light.Image(0)[..5].ToArray());
    }

    [Fact]
    public void WeakEdgesUnderTheThresholdAreDropped()
    {
        // Strong step 0 -> 200 (gx = 800 at columns 1, 2) and weak step 200 -> 210 (gx = 40 at columns 3, 4):
        // 40 / 800 = 0.05 is under the 0.15 threshold.
        var sketch = EdgeMapRendition.Apply(Rows(3, [0, 0, 200, 200, 210, 210, 210]));
        Assert.Equal(new byte[] { 255, 0, 0, 255, 255, 255, 255 }, sketch.Image(0)[..7].ToArray());
        var keepAll = EdgeMapRendition.Apply(Rows(3, [0, 0, 200, 200, 210, 210, 210]), new EdgeMapSettings(Threshold: 0));
        // 255 - round(255 * 0.05) = 242.
        Assert.Equal(new byte[] { 255, 0, 0, 242, 242, 255, 255 }, keepAll.Image(0)[..7].ToArray());
    }

    [Fact]
    public void FlatImageIsBlankPaper()
    {
        var sketch = EdgeMapRendition.Apply(Rows(4, [90, 90, 90, 90]));
        Assert.All(sketch.Pixels, p => Assert.Equal(255, p));
    }

    [Fact]
    public void KeepsShapeLabelsAndIdsAndIsDeterministic()
    {
        var rng = new Random(4);
        var pixels = new byte[3 * 3 * 8 * 8];
        rng.NextBytes(pixels);
        var set = new ImageSet(pixels, [0, 1, 1], LabelSet.Numbered(2), 3, 8, 8, ["a", "b", "c"]);
        var first = EdgeMapRendition.Apply(set);
        var second = EdgeMapRendition.Apply(set);
        Assert.Equal((3, 8, 8, 3), (first.Channels, first.Height, first.Width, first.Count));
        Assert.Equal(set.Labels, first.Labels);
        Assert.Equal(set.Ids, first.Ids);
        Assert.Equal(first.Pixels, second.Pixels);
        Assert.All(first.Provenance!, p => Assert.True(p.Simulated));
        // Every channel carries the same sketch.
        var img = first.Image(1);
        Assert.Equal(img[..64].ToArray(), img.Slice(64, 64).ToArray());
        Assert.Equal(img[..64].ToArray(), img.Slice(128, 64).ToArray());
    }
}
