using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ImageSetStoreTests
{
    [Fact]
    public void HundredThousandSmallImagesRoundTripWithSkippedList()
    {
        // The size the issue names: 100k decoded 28x28 images (78 MB). Timing is measured in docs/data.md, not asserted here.
        const int n = 100_000;
        var pixels = new byte[n * 28 * 28];
        new Random(1).NextBytes(pixels);
        var labels = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        var set = new ImageSet(pixels, labels, LabelSet.FashionMnist, 1, 28, 28, Enumerable.Range(0, n).Select(i => $"x/{i:D6}").ToArray());
        using var tmp = new TempFolder();
        ImageSetStore.Save(set, tmp.Path, "test", ["a.png: corrupt"]);
        var back = ImageSetStore.Load(tmp.Path);
        Assert.Equal(set.Pixels, back.Pixels);
        Assert.Equal(set.Labels, back.Labels);
        Assert.Equal(set.Ids, back.Ids);
        Assert.True(back.LabelSet.SameAs(LabelSet.FashionMnist));
        Assert.Equal(["a.png: corrupt"], ImageSetStore.ReadManifest(tmp.Path).Skipped);
    }

    [Fact]
    public void SkippedItemsSurviveTheCacheThroughDataSources()
    {
        using var tmp = new TempFolder();
        var root = tmp.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(Path.Combine(root, "b"));
        File.WriteAllBytes(Path.Combine(root, "a", "1.png"), Fixtures.Png(4, 4, 1, 1, 1));
        File.WriteAllBytes(Path.Combine(root, "b", "2.png"), "broken"u8.ToArray());
        File.WriteAllBytes(Path.Combine(root, "b", "3.png"), Fixtures.Png(4, 4, 3, 3, 3));
        var options = new DataLoadOptions(BadInputPolicy.Skip, CacheRoot: tmp.File("cache"), OnWarning: _ => { });
        var first = DataSources.Load(root, options);
        var second = DataSources.Load(root, options);
        Assert.True(second.FromCache);
        Assert.Equal(2, second.Images.Count);
        var skipped = Assert.Single(second.Skipped);
        Assert.EndsWith("2.png", skipped.Item);
        Assert.Equal(first.Skipped.Single(), skipped);
        // The Fail policy is a different cache entry: it does not reuse the skipped set.
        Assert.Throws<SelectBench.Common.BadInputException>(() => DataSources.Load(root, options with { OnBadInput = BadInputPolicy.Fail }));
    }
}
