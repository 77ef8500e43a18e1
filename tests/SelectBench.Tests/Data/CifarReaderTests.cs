using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class CifarReaderTests
{
    /// <summary>A record: header bytes, then 3072 pixels whose red plane is <paramref name="fill"/>, green fill+1, blue fill+2.</summary>
    private static byte[] Record(byte[] header, byte fill) =>
        [.. header, .. Enumerable.Repeat(fill, 1024), .. Enumerable.Repeat((byte)(fill + 1), 1024), .. Enumerable.Repeat((byte)(fill + 2), 1024)];

    private static string Cifar10(TempFolder tmp)
    {
        var dir = Directory.CreateDirectory(tmp.File("cifar-10-batches-bin")).FullName;
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), [.. Record([(byte)b], (byte)(10 * b)), .. Record([0], 7)]);
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Record([9], 99));
        File.WriteAllLines(Path.Combine(dir, "batches.meta.txt"), ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", ""]);
        return dir;
    }

    [Fact]
    public void Cifar10TrainAndTestWithClassNames()
    {
        using var tmp = new TempFolder();
        Cifar10(tmp);
        var options = new DataLoadOptions(UseCache: false);
        var train = DataSources.Load(tmp.Path, options).Images; // found one level down; default split train
        Assert.Equal(10, train.Count);
        Assert.Equal((3, 32, 32), (train.Channels, train.Height, train.Width));
        Assert.Equal("automobile", train.LabelSet.Names[1]);
        Assert.Equal([1, 0, 2, 0, 3, 0, 4, 0, 5, 0], train.Labels);
        Assert.Equal("data_batch_2/00000", train.Ids[2]);
        Assert.Equal(20, train.Image(2)[0]);
        Assert.Equal(21, train.Image(2)[1024]);
        var test = DataSources.Load(tmp.Path + ":test", options).Images;
        Assert.Equal([9], test.Labels);
    }

    [Fact]
    public void Cifar100FineOrCoarse()
    {
        using var tmp = new TempFolder();
        var dir = Directory.CreateDirectory(tmp.File("cifar-100-binary")).FullName;
        File.WriteAllBytes(Path.Combine(dir, "train.bin"), [.. Record([3, 42], 1), .. Record([19, 99], 2)]);
        File.WriteAllBytes(Path.Combine(dir, "test.bin"), Record([0, 5], 3));
        var fine = DataSources.Load(dir, new DataLoadOptions(UseCache: false)).Images;
        Assert.Equal([42, 99], fine.Labels);
        Assert.Equal(100, fine.LabelSet.Count);
        var coarse = DataSources.Load(dir, new DataLoadOptions(CifarLabels: CifarLabelKind.Coarse, UseCache: false)).Images;
        Assert.Equal([3, 19], coarse.Labels);
        Assert.Equal(20, coarse.LabelSet.Count);
    }

    [Fact]
    public void TruncatedBatchFailsOrKeepsWholeRecords()
    {
        using var tmp = new TempFolder();
        var dir = Cifar10(tmp);
        var test = Path.Combine(dir, "test_batch.bin");
        File.WriteAllBytes(test, [.. Record([4], 1), .. Record([5], 2).AsSpan(0, 1000)]);
        var e = Assert.Throws<BadInputException>(() => CifarReader.Read(CifarReader.Variant.Cifar10, dir, "test", DataLoadOptions.Default));
        Assert.Equal(test, e.Item);
        var (set, skipped) = CifarReader.Read(CifarReader.Variant.Cifar10, dir, "test", new DataLoadOptions(BadInputPolicy.Skip, OnWarning: _ => { }));
        Assert.Equal([4], set.Labels);
        Assert.Single(skipped);
    }

    [Fact]
    public void LabelOutsideTheSetIsABadInput()
    {
        using var tmp = new TempFolder();
        var dir = Cifar10(tmp);
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), [.. Record([12], 1), .. Record([3], 2)]);
        var e = Assert.Throws<BadInputException>(() => CifarReader.Read(CifarReader.Variant.Cifar10, dir, "test", DataLoadOptions.Default));
        Assert.EndsWith("test_batch.bin[0]", e.Item);
        var (set, skipped) = CifarReader.Read(CifarReader.Variant.Cifar10, dir, "test", new DataLoadOptions(BadInputPolicy.Skip, OnWarning: _ => { }));
        Assert.Equal([3], set.Labels);
        Assert.Single(skipped);
    }
}
