using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class DataSourcesTests
{
    [Fact]
    public void IdxFolderLoadsBySplitAndIsCached()
    {
        using var tmp = new TempFolder();
        var data = Directory.CreateDirectory(tmp.File("mnistish")).FullName;
        var (images, labels) = IdxReaderTests.TinyPair();
        File.WriteAllBytes(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), IdxReaderTests.Gzip(images));
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), IdxReaderTests.Gzip(labels));
        var options = new DataLoadOptions(CacheRoot: tmp.File("cache"));
        var first = DataSources.Load(data + ":test", options);
        Assert.False(first.FromCache);
        Assert.Equal(3, first.Images.Count);
        Assert.Equal("test/00001", first.Images.Ids[1]);
        var second = DataSources.Load(data + ":test", options);
        Assert.True(second.FromCache);
        Assert.Equal(first.Images.Pixels, second.Images.Pixels);
        Assert.Equal(first.Images.Labels, second.Images.Labels);
        Assert.Equal(first.CacheFolder, second.CacheFolder);
        // The cache folder is itself a source.
        var stored = DataSources.Load(first.CacheFolder!, options);
        Assert.Equal(first.Images.Ids, stored.Images.Ids);

        var e = Assert.Throws<SelectBenchException>(() => DataSources.Load(data + ":train", options));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void AnUnwritableCacheWarnsButStillLoads()
    {
        using var tmp = new TempFolder();
        var data = Directory.CreateDirectory(tmp.File("idx")).FullName;
        var (images, labels) = IdxReaderTests.TinyPair();
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), labels);
        var notAFolder = tmp.File("cache-is-a-file");
        File.WriteAllText(notAFolder, "x");
        var warnings = new List<string>();
        var result = DataSources.Load(data, new DataLoadOptions(CacheRoot: notAFolder, OnWarning: warnings.Add));
        Assert.Equal(3, result.Images.Count);
        Assert.Null(result.CacheFolder);
        Assert.Contains("could not cache", Assert.Single(warnings));
    }

    [Fact]
    public void SpecSplitsOnlyOnKnownSplitNames()
    {
        Assert.Equal(("fashion-mnist", "test"), DataSources.SplitSpec("fashion-mnist:test"));
        Assert.Equal(("/data/a:b", null), DataSources.SplitSpec("/data/a:b"));
        Assert.Equal(("/data/x", "train"), DataSources.SplitSpec("/data/x:TRAIN"));
    }

    [Fact]
    public void UnknownSourceIsAOneLineError()
    {
        var e = Assert.Throws<SelectBenchException>(() => DataSources.Load("no-such-dataset-xyz"));
        Assert.Contains("neither a known name", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void FashionMnistTestByNameIsCached()
    {
        if (!File.Exists(Path.Combine(FashionMnist.SystemFolder, FashionMnist.TestImages.Name + ".gz")))
        {
            Console.WriteLine("SKIPPED: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
            return;
        }
        using var tmp = new TempFolder();
        var options = new DataLoadOptions(CacheRoot: tmp.Path, AllowDownload: false);
        var first = DataSources.Load("fashion-mnist:test", options);
        var second = DataSources.Load("fashion-mnist:test", options);
        Assert.Equal(10_000, first.Images.Count);
        Assert.True(second.FromCache);
        Assert.Equal(first.Images.Pixels, second.Images.Pixels);
        Assert.Equal("test/09999", second.Images.Ids[^1]);
    }

    [Fact]
    public void ASetFromTheCachePrintsItsSkippedInputsAsTheDecodeDid()
    {
        using var tmp = new TempFolder();
        var root = tmp.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "cat"));
        Directory.CreateDirectory(Path.Combine(root, "dog"));
        File.WriteAllBytes(Path.Combine(root, "cat", "a.png"), Fixtures.Png(8, 8, 255, 0, 0));
        File.WriteAllBytes(Path.Combine(root, "cat", "bad: truncated.png"), Fixtures.Png(8, 8, 0, 0, 0)[..20]); // ": " in the item
        File.WriteAllBytes(Path.Combine(root, "dog", "c.png"), Fixtures.Png(8, 8, 0, 0, 255));
        var warnings = new List<string>();
        var options = new DataLoadOptions(BadInputPolicy.Skip, CacheRoot: tmp.File("cache"), OnWarning: warnings.Add);

        var fresh = DataSources.Load(root, options);
        Assert.False(fresh.FromCache);
        var printed = warnings.ToList();
        Assert.Contains("bad: truncated.png", Assert.Single(printed));
        warnings.Clear();

        var cached = DataSources.Load(root, options);
        Assert.True(cached.FromCache);
        Assert.Equal(printed, warnings); // the same lines, although nothing was decoded
        Assert.Equal(fresh.Skipped, cached.Skipped); // item and reason exactly, ": " in the file name included
        Assert.True(File.Exists(Path.Combine(cached.CacheFolder!, DataCache.SkippedFile)));
    }
}
