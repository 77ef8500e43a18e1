using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Data.Sharded;
using SkiaSharp;

namespace SelectBench.Tests.Data;

public class ShardedImageStoreTests
{
    private static readonly LabelSet Labels = new(["a", "b", "c"], ["id_a", "id_b", "id_c"]);

    /// <summary>A JPEG of <paramref name="h"/> x <paramref name="w"/> with a gradient that differs per image.</summary>
    private static byte[] Jpeg(int seed, int h = 12, int w = 16)
    {
        var px = new byte[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    px[(c * h + y) * w + x] = (byte)((seed * 41 + c * 70 + x * 9 + y * 13) % 256);
        return ImageCodec.Encode(px, 3, h, w, SKEncodedImageFormat.Jpeg, 90);
    }

    private static (ShardedImageStore Store, byte[][] Jpegs) Write(string folder, int n = 30, long shardBytes = 2000)
    {
        var jpegs = Enumerable.Range(0, n).Select(i => Jpeg(i)).ToArray();
        using var writer = new ShardedImageStoreWriter(folder, shardBytes: shardBytes);
        for (int i = 0; i < n; i++)
            writer.Add(ShardedImageStoreWriter.Prepare(jpegs[i], $"img{i}", writer.MaxShortSide), i % 3, $"img{i:D3}");
        return (writer.Complete(Labels), jpegs);
    }

    [Fact]
    public void RoundTripKeepsBytesLabelsIdsAcrossShards()
    {
        using var temp = new TempFolder();
        var (written, jpegs) = Write(temp.Path);
        var store = ShardedImageStore.Open(temp.Path);
        Assert.Equal(30, store.Count);
        Assert.True(store.Info.Shards.Length > 1, "2000-byte shards must split 30 JPEGs over several shards");
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(jpegs[i], store.Encoded(i).ToArray());
            Assert.Equal(i % 3, store.Labels[i]);
            Assert.Equal($"img{i:D3}", store.Ids[i]);
        }
        Assert.True(Labels.SameAs(store.LabelSet));
        Assert.Equal(written.Fingerprint, store.Fingerprint);
        store.Verify();
    }

    [Fact]
    public void RandomAccessFromSeveralThreadsReadsTheRightImages()
    {
        using var temp = new TempFolder();
        var (store, jpegs) = Write(temp.Path);
        int wrong = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var rng = new Random(t);
            for (int k = 0; k < 200; k++)
            {
                int i = rng.Next(30);
                if (!store.Encoded(i).Span.SequenceEqual(jpegs[i])) Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void TruncatedShardIsAnErrorNamingTheFile()
    {
        using var temp = new TempFolder();
        Write(temp.Path);
        var shard = Path.Combine(temp.Path, "shard-000001.bin");
        using (var f = new FileStream(shard, FileMode.Open)) f.SetLength(f.Length - 10);
        var e = Assert.Throws<BadInputException>(() => ShardedImageStore.Open(temp.Path));
        Assert.Contains(shard, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("import the source again", e.Message);
    }

    [Fact]
    public void MissingManifestIsAnErrorSayingTheWriteWasIncomplete()
    {
        using var temp = new TempFolder();
        Write(temp.Path);
        File.Delete(Path.Combine(temp.Path, ShardedImageStore.ManifestFile));
        var e = Assert.Throws<BadInputException>(() => ShardedImageStore.Open(temp.Path));
        Assert.Contains(Path.Combine(temp.Path, ShardedImageStore.ManifestFile), e.Message);
        Assert.Contains("not completely written", e.Message);
    }

    [Fact]
    public void DamagedShardFailsVerify()
    {
        using var temp = new TempFolder();
        var (store, _) = Write(temp.Path);
        var shard = Path.Combine(temp.Path, "shard-000000.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[5] ^= 0xFF;
        File.WriteAllBytes(shard, bytes);
        var e = Assert.Throws<BadInputException>(() => ShardedImageStore.Open(temp.Path).Verify());
        Assert.Contains(shard, e.Message);
    }

    [Fact]
    public void ImagesAboveTheMaximumShortSideAreShrunkOthersKeptAsTheyAre()
    {
        var small = Jpeg(1, 12, 16);
        Assert.Same(small, ShardedImageStoreWriter.Prepare(small, "small", 12));
        var large = Jpeg(2, 40, 64);
        var shrunk = ShardedImageStoreWriter.Prepare(large, "large", 20);
        using var codec = SKCodec.Create(SKData.CreateCopy(shrunk));
        Assert.Equal(20, codec.Info.Height);
        Assert.Equal(32, codec.Info.Width);
        Assert.Equal(SKEncodedImageFormat.Jpeg, codec.EncodedFormat);
    }

    [Fact]
    public void OutOfCoreSetDecodesTheSamePixelsAsDecodingTheJpegsInMemory()
    {
        using var temp = new TempFolder();
        var (store, jpegs) = Write(temp.Path);
        var transform = StoreSelection.EvalTransform(8); // timm: resize the short side to floor(8 / 0.875) = 9, crop 8
        Assert.Equal(new ImageTransform(ResizeMode.ShorterSideThenCenterCrop, 8, 8, 9, 3), transform);
        var set = ImageSet.FromStore(store, transform);
        Assert.False(set.IsInMemory);
        Assert.Same(set.Stored, set.Encoded);
        var all = new byte[30 * set.ImageSize];
        set.CopyImages(Enumerable.Range(0, 30).ToArray(), all);
        for (int i = 0; i < 30; i++)
        {
            var expected = ImageCodec.Decode(jpegs[i], $"img{i}", transform, DataLoadOptions.DefaultMaxImagePixels).Pixels;
            Assert.Equal(expected, set.Image(i).ToArray());
            Assert.Equal(expected, all.AsSpan(i * set.ImageSize, set.ImageSize).ToArray());
        }
        Assert.Equal(set.Image(7).ToArray(), set.InMemory().Image(7).ToArray());
        var e = Assert.Throws<SelectBenchException>(() => set.Pixels);
        Assert.Contains("out-of-core", e.Message);
        Assert.Contains(store.Folder, e.Message);
    }

    [Fact]
    public void ViewsSelectConcatRelabelAndSaveWithoutPixels()
    {
        using var temp = new TempFolder();
        var (store, _) = Write(Path.Combine(temp.Path, "store"));
        var set = ImageSet.FromStore(store, ImageTransform.Resize(6));
        var picked = set.Select([5, 2]);
        Assert.False(picked.IsInMemory);
        Assert.Equal([5, 2], picked.Stored!.Indices);
        Assert.Equal(set.Image(5).ToArray(), picked.Image(0).ToArray());
        Assert.Equal(["img005", "img002"], picked.Ids);
        Assert.Equal([2, 2], picked.Labels);

        var joined = ImageSet.Concat([picked, set.Select([9])]);
        Assert.Equal([5, 2, 9], joined.Stored!.Indices);
        Assert.Equal(set.Image(9).ToArray(), joined.Image(2).ToArray());
        Assert.Throws<SelectBenchException>(() => ImageSet.Concat([picked, picked.InMemory()]));

        var relabelled = picked.WithLabels([0, 1]);
        Assert.False(relabelled.IsInMemory);
        Assert.Equal([0, 1], relabelled.Labels);
        var mapped = picked.MapLabelsInto(new LabelSet(["c", "b", "a"], ["id_c", "id_b", "id_a"]), "test");
        Assert.Equal([0, 0], mapped.Labels);
        Assert.False(mapped.IsInMemory);
        Assert.False(picked.WithProvenance([new SampleProvenance("s", "x"), new SampleProvenance("s", "y")]).IsInMemory);

        // Saved as a selection of the store: no pixels file, and loading gives the same images and fingerprint.
        var saved = Path.Combine(temp.Path, "saved");
        ImageSetStore.Save(joined, saved);
        Assert.False(File.Exists(Path.Combine(saved, "pixels.u8")));
        var loaded = ImageSetStore.Load(saved);
        Assert.Equal([5, 2, 9], loaded.Stored!.Indices);
        Assert.Equal(joined.Image(1).ToArray(), loaded.Image(1).ToArray());
        Assert.Equal(ContentFingerprint.Of(joined), ContentFingerprint.Of(loaded));
        Assert.NotEqual(ContentFingerprint.Of(joined), ContentFingerprint.Of(set.Select([5, 2, 8])));
    }

    [Fact]
    public void SaveWithStoreHoldsTheStoreSoTheSetOutlivesTheCacheAndMoves()
    {
        using var temp = new TempFolder();
        var (store, _) = Write(Path.Combine(temp.Path, "cache", "store"));
        var picked = ImageSet.FromStore(store, ImageTransform.Resize(6)).Select([7, 3]);
        var expected = picked.InMemory();
        var saved = ImageSetStore.SaveWithStore(picked, Path.Combine(temp.Path, "world", "E"), "E");
        Assert.Equal(Path.GetFullPath(Path.Combine(temp.Path, "world", "E", "store")), Path.GetFullPath(saved.Stored!.Store.Folder));
        Assert.Equal(ContentFingerprint.Of(picked), ContentFingerprint.Of(saved)); // the same store content: same fingerprint
        Directory.Delete(Path.Combine(temp.Path, "cache"), recursive: true); // a cleaned data cache
        Directory.Move(Path.Combine(temp.Path, "world"), Path.Combine(temp.Path, "moved")); // an archive unpacked elsewhere
        var loaded = ImageSetStore.Load(Path.Combine(temp.Path, "moved", "E"));
        Assert.Equal([7, 3], loaded.Stored!.Indices);
        Assert.Equal(expected.Pixels, loaded.InMemory().Pixels);
        Assert.Equal(["img007", "img003"], loaded.Ids);
        Assert.Equal(ContentFingerprint.Of(picked), ContentFingerprint.Of(loaded));
    }

    /// <summary>WebDataset shards of <paramref name="n"/> 8x8 JPEGs with .cls labels 0..2, 100 samples a shard.</summary>
    private static string[] Shards(string folder, int n)
    {
        var paths = new List<string>();
        for (int start = 0; start < n; start += 100)
        {
            var path = Path.Combine(folder, $"s-{start / 100:D3}.tar");
            var members = Enumerable.Range(start, Math.Min(100, n - start)).SelectMany(i => new[]
            {
                ($"{i:D6}.jpg", Jpeg(i, 8, 8)),
                ($"{i:D6}.cls", System.Text.Encoding.ASCII.GetBytes((i % 3).ToString(CultureInfo.InvariantCulture))),
            });
            WebDatasetWriter.WriteShard(path, members);
            paths.Add(path);
        }
        return paths.ToArray();
    }

    [Fact]
    public void WebDatasetImportAboveTheLimitStreamsIntoAStoreWithTheSamePixels()
    {
        using var temp = new TempFolder();
        var shards = Shards(temp.Path, 600);
        var transform = ImageTransform.Resize(4);
        int size = 3 * 4 * 4;
        var inMemory = WebDatasetReader.Read(shards, new DataLoadOptions(Transform: transform, UseCache: false)).Set;
        Assert.True(inMemory.IsInMemory); // 600 x 48 bytes is far below the default limit

        long limit = 100 * size;
        var options = new DataLoadOptions(Transform: transform, UseCache: false, InMemoryLimit: limit) { StoreFolder = Path.Combine(temp.Path, "store") };
        var streamed = WebDatasetReader.Read(shards, options).Set;
        Assert.False(streamed.IsInMemory);
        Assert.Equal(600, streamed.Count);
        // Streaming: it let go of its pixels after the first batch (256 images) that passed the limit.
        Assert.True(WebDatasetReader.LastPeakHeldBytes <= limit + 256 * size, $"held {WebDatasetReader.LastPeakHeldBytes} bytes at once");
        Assert.True(WebDatasetReader.LastPeakHeldBytes < 600L * size);
        Assert.Equal(inMemory.Labels, streamed.Labels);
        Assert.Equal(inMemory.Ids, streamed.Ids);
        Assert.True(inMemory.LabelSet.SameAs(streamed.LabelSet));
        for (int i = 0; i < 600; i += 37) Assert.Equal(inMemory.Image(i).ToArray(), streamed.Image(i).ToArray());
        Assert.True(ShardedImageStore.Exists(Path.Combine(temp.Path, "store")));
    }

    [Fact]
    public void DataSourcesCacheKeepsAnOutOfCoreImportAndReloadsIt()
    {
        using var temp = new TempFolder();
        var shards = Shards(temp.Path, 120);
        var options = new DataLoadOptions(Transform: ImageTransform.Resize(4), CacheRoot: Path.Combine(temp.Path, "cache"), InMemoryLimit: 10 * 48);
        var first = DataSources.Load(shards[0].Replace("s-000", "s-{000..001}"), options);
        Assert.False(first.Images.IsInMemory);
        var again = DataSources.Load(shards[0].Replace("s-000", "s-{000..001}"), options);
        Assert.True(again.FromCache);
        Assert.False(again.Images.IsInMemory);
        Assert.Equal(first.Images.Image(100).ToArray(), again.Images.Image(100).ToArray());
        Assert.Equal(ContentFingerprint.Of(first.Images), ContentFingerprint.Of(again.Images));
    }
}
