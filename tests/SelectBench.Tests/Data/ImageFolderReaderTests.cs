using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ImageFolderReaderTests
{
    private static string Tree(TempFolder tmp)
    {
        var root = tmp.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "cat"));
        Directory.CreateDirectory(Path.Combine(root, "dog", "sub"));
        File.WriteAllBytes(Path.Combine(root, "cat", "a.png"), Fixtures.Png(8, 8, 255, 0, 0));
        File.WriteAllBytes(Path.Combine(root, "cat", "b.JPG"), Fixtures.Jpeg(8, 8, 0, 255, 0));
        File.WriteAllBytes(Path.Combine(root, "cat", "notes.txt"), "ignored"u8.ToArray());
        File.WriteAllBytes(Path.Combine(root, "dog", "sub", "c.png"), Fixtures.Png(8, 8, 0, 0, 255));
        return root;
    }

    [Fact]
    public void ReadsClassesInOrdinalOrderWithRelativeIds()
    {
        using var tmp = new TempFolder();
        var (set, skipped) = ImageFolderReader.Read(Tree(tmp), DataLoadOptions.Default);
        Assert.Equal(["cat", "dog"], set.LabelSet.Names);
        Assert.Equal(["cat/a.png", "cat/b.JPG", "dog/sub/c.png"], set.Ids);
        Assert.Equal([0, 0, 1], set.Labels);
        Assert.Equal((3, 8, 8), (set.Channels, set.Height, set.Width));
        Assert.Equal(255, set.Image(0)[0]);
        Assert.Equal(255, set.Image(2)[128]); // blue plane of the dog
        Assert.Empty(skipped);
    }

    [Fact]
    public void EmptyClassFolderFailsOrIsSkippedAndCounted()
    {
        using var tmp = new TempFolder();
        var root = Tree(tmp);
        Directory.CreateDirectory(Path.Combine(root, "emu"));
        var e = Assert.Throws<BadInputException>(() => ImageFolderReader.Read(root, DataLoadOptions.Default));
        Assert.EndsWith("emu", e.Item);
        var warnings = new List<string>();
        var (set, skipped) = ImageFolderReader.Read(root, new DataLoadOptions(BadInputPolicy.Skip, OnWarning: warnings.Add));
        Assert.Equal(["cat", "dog", "emu"], set.LabelSet.Names);
        Assert.Equal([2, 1, 0], set.ClassCounts());
        Assert.Single(skipped);
        Assert.Contains("emu", warnings.Single());
    }

    [Fact]
    public void CorruptAndTruncatedImagesAreSkippedByName()
    {
        using var tmp = new TempFolder();
        var root = Tree(tmp);
        var png = Fixtures.Png(8, 8, 9, 9, 9);
        File.WriteAllBytes(Path.Combine(root, "dog", "cut.png"), png[..(png.Length - 20)]);
        File.WriteAllBytes(Path.Combine(root, "dog", "junk.jpg"), "garbage"u8.ToArray());
        Assert.Throws<BadInputException>(() => ImageFolderReader.Read(root, DataLoadOptions.Default));
        var (set, skipped) = ImageFolderReader.Read(root, new DataLoadOptions(BadInputPolicy.Skip, OnWarning: _ => { }));
        Assert.Equal(3, set.Count);
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.Item.EndsWith("cut.png"));
        Assert.Contains(skipped, s => s.Item.EndsWith("junk.jpg"));
    }

    [Fact]
    public void MixedSizesNeedAResize()
    {
        using var tmp = new TempFolder();
        var root = Tree(tmp);
        File.WriteAllBytes(Path.Combine(root, "dog", "big.png"), Fixtures.Png(12, 20, 0, 0, 0));
        var e = Assert.Throws<BadInputException>(() => ImageFolderReader.Read(root, DataLoadOptions.Default));
        Assert.Contains("choose a resize", e.Message);
        var (set, _) = ImageFolderReader.Read(root, new DataLoadOptions(Transform: ImageTransform.Resize(6, channels: 1)));
        Assert.Equal((1, 6, 6), (set.Channels, set.Height, set.Width));
        Assert.Equal(4, set.Count);
    }

    [Fact]
    public void FolderOutsideAGivenLabelSetIsABadInput()
    {
        using var tmp = new TempFolder();
        var labels = new LabelSet(["dog", "cat", "cow"]);
        var e = Assert.Throws<BadInputException>(() => ImageFolderReader.Read(Tree(tmp), new DataLoadOptions(LabelSet: new LabelSet(["dog"]))));
        Assert.Contains("not in the label set", e.Message);
        var (set, _) = ImageFolderReader.Read(tmp.File("tree"), new DataLoadOptions(LabelSet: labels));
        Assert.Equal([1, 1, 0], set.Labels);
        Assert.Equal(3, set.LabelSet.Count);
    }

    [Fact]
    public void DataSourcesResolvesImageFolderAndSplitSubfolder()
    {
        using var tmp = new TempFolder();
        var root = Tree(tmp);
        var parent = tmp.File("ds");
        Directory.Move(root, Path.Combine(Directory.CreateDirectory(parent).FullName, "train"));
        var result = DataSources.Load(parent + ":train", new DataLoadOptions(CacheRoot: tmp.File("cache")));
        Assert.Equal(3, result.Images.Count);
        Assert.StartsWith("ImageFolder", result.Description);
    }
}
