using System.Buffers.Binary;
using System.IO.Compression;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class IdxReaderTests
{
    internal static byte[] Idx(byte[] data, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Three 2x2 images with pixel values i*10 + k and labels 0, 2, 1.</summary>
    internal static (byte[] Images, byte[] Labels) TinyPair()
    {
        var pixels = Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(0, 4).Select(k => (byte)(i * 10 + k))).ToArray();
        return (Idx(pixels, 3, 2, 2), Idx([0, 2, 1], 3));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsPlainAndGzipPairs(bool gzip)
    {
        using var tmp = new TempFolder();
        var (images, labels) = TinyPair();
        var ip = tmp.File("x-images-idx3-ubyte" + (gzip ? ".gz" : ""));
        var lp = tmp.File("x-labels-idx1-ubyte" + (gzip ? ".gz" : ""));
        File.WriteAllBytes(ip, gzip ? Gzip(images) : images);
        File.WriteAllBytes(lp, gzip ? Gzip(labels) : labels);
        var set = IdxReader.ReadPair(ip, lp, null, "train");
        Assert.Equal(3, set.Count);
        Assert.Equal((1, 2, 2), (set.Channels, set.Height, set.Width));
        Assert.Equal([0, 2, 1], set.Labels);
        Assert.Equal([10, 11, 12, 13], set.Image(1).ToArray());
        Assert.Equal("train/00002", set.Ids[2]);
        Assert.Equal(["0", "1", "2"], set.LabelSet.Names);
    }

    [Fact]
    public void TruncatedPlainFileIsNamed()
    {
        using var tmp = new TempFolder();
        var (images, _) = TinyPair();
        var path = tmp.File("t-images-idx3-ubyte");
        File.WriteAllBytes(path, images[..^3]);
        var e = Assert.Throws<BadInputException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.Item);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsNamed()
    {
        using var tmp = new TempFolder();
        var big = Idx(Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray(), 5, 1000);
        var gz = Gzip(big);
        var path = tmp.File("t-images-idx3-ubyte.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<BadInputException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.Item);
    }

    [Fact]
    public void CorruptGzipIsNamed()
    {
        using var tmp = new TempFolder();
        var gz = Gzip(TinyPair().Images);
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        var path = tmp.File("c.gz");
        File.WriteAllBytes(path, gz);
        var e = Assert.Throws<BadInputException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.Item);
    }

    [Fact]
    public void WrongMagicTypeAndExtraDataAreRejected()
    {
        using var tmp = new TempFolder();
        var (images, _) = TinyPair();
        var badMagic = (byte[])images.Clone();
        badMagic[0] = 0x50;
        File.WriteAllBytes(tmp.File("a"), badMagic);
        Assert.Contains("not an IDX file", Assert.Throws<BadInputException>(() => IdxReader.Read(tmp.File("a"))).Message);
        var badType = (byte[])images.Clone();
        badType[2] = 0x0D; // float
        File.WriteAllBytes(tmp.File("b"), badType);
        Assert.Contains("data type 0x0D", Assert.Throws<BadInputException>(() => IdxReader.Read(tmp.File("b"))).Message);
        File.WriteAllBytes(tmp.File("c"), [.. images, 1, 2]);
        Assert.Contains("beyond", Assert.Throws<BadInputException>(() => IdxReader.Read(tmp.File("c"))).Message);
    }

    [Fact]
    public void MismatchedCountsAndOutOfSetLabels()
    {
        using var tmp = new TempFolder();
        var (images, _) = TinyPair();
        File.WriteAllBytes(tmp.File("i"), images);
        File.WriteAllBytes(tmp.File("l2"), Idx([0, 1], 2));
        Assert.Contains("do not belong together", Assert.Throws<BadInputException>(() => IdxReader.ReadPair(tmp.File("i"), tmp.File("l2"), null, "x")).Message);

        File.WriteAllBytes(tmp.File("l"), Idx([0, 7, 1], 3));
        var twoClasses = LabelSet.Numbered(2);
        var e = Assert.Throws<BadInputException>(() => IdxReader.ReadPair(tmp.File("i"), tmp.File("l"), twoClasses, "x"));
        Assert.Equal(tmp.File("l") + "[1]", e.Item);

        var warnings = new List<string>();
        var log = new BadInputLog(new DataLoadOptions(OnBadInput: BadInputPolicy.Skip, OnWarning: warnings.Add));
        var set = IdxReader.ReadPair(tmp.File("i"), tmp.File("l"), twoClasses, "x", log);
        Assert.Equal(["x/00000", "x/00002"], set.Ids);
        Assert.Equal([20, 21, 22, 23], set.Image(1).ToArray());
        Assert.Single(log.Skipped);
        Assert.Single(warnings);
    }
}
