using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class FashionMnistTests
{
    private static bool FilesPresent =>
        FashionMnist.Files.All(f => File.Exists(Path.Combine(FashionMnist.SystemFolder, f.Name + ".gz")));

    [Fact]
    public void RealFilesLoadWithOfficialCounts()
    {
        if (!FilesPresent)
        {
            // Not a failure on machines without the Debian package; .ci/run installs it.
            Console.WriteLine($"SKIPPED: Fashion-MNIST is not installed in {FashionMnist.SystemFolder} (apt-get install dataset-fashion-mnist).");
            return;
        }
        var (train, test) = FashionMnist.Load(FashionMnist.SystemFolder);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal((1, 28, 28), (train.Channels, train.Height, train.Width));
        Assert.All(train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.Equal("train/00042", train.Ids[42]);
        Assert.True(train.LabelSet.SameAs(LabelSet.FashionMnist));
        // The first training image is an ankle boot (label 9), as in the dataset's README sprite.
        Assert.Equal(9, train.Labels[0]);
    }

    [Fact]
    public void MissingFilesGiveAnErrorThatSaysHowToGetThem()
    {
        using var tmp = new TempFolder();
        var options = new DataLoadOptions(CacheRoot: tmp.Path, AllowDownload: true, DownloadTimeout: TimeSpan.FromSeconds(2));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Port 9 on localhost refuses at once: the download path is tried and fails fast.
        var e = Assert.Throws<SelectBenchException>(() =>
            FashionMnist.Locate(null, options, new Uri("http://127.0.0.1:9/"), [tmp.File("nowhere")], env: null));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(FashionMnist.EnvironmentVariable, e.Message);
        Assert.Contains("download", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void EnvironmentFolderIsUsedAloneAndChecked()
    {
        using var tmp = new TempFolder();
        var e = Assert.Throws<SelectBenchException>(() =>
            FashionMnist.Locate(null, DataLoadOptions.Default, FashionMnist.OfficialBaseUrl, [FashionMnist.SystemFolder], env: tmp.File("typo")));
        Assert.Contains("$" + FashionMnist.EnvironmentVariable, e.Message);
    }

    [Fact]
    public void ExplicitFolderMustHoldAllFiles()
    {
        using var tmp = new TempFolder();
        File.WriteAllBytes(tmp.File("train-images-idx3-ubyte.gz"), [1]);
        var e = Assert.Throws<SelectBenchException>(() => FashionMnist.Locate(tmp.Path, DataLoadOptions.Default));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void AFileWithOtherContentIsRejectedByItsChecksum()
    {
        using var tmp = new TempFolder();
        var (images, labels) = IdxReaderTests.TinyPair();
        foreach (var f in FashionMnist.Files)
            File.WriteAllBytes(tmp.File(f.Name), f.Name.Contains("images") ? images : labels);
        var e = Assert.Throws<BadInputException>(() => FashionMnist.Load(tmp.Path));
        Assert.Contains("does not match the official Fashion-MNIST", e.Message);
    }
}
