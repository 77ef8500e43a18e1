using SelectBench.Data;
using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

public sealed class CorruptionSuiteTests
{
    private static ImageSet TinySet(int count)
    {
        var pixels = new byte[count * 3 * 12 * 14];
        for (int i = 0; i < count; i++) TestImages.Scene(3, 12, 14, i).CopyTo(pixels, i * 3 * 12 * 14);
        return new ImageSet(pixels, Enumerable.Range(0, count).Select(i => i % 2).ToArray(), LabelSet.Numbered(2), 3, 12, 14);
    }

    [Theory]
    [InlineData("snow")]
    [InlineData("gaussian_noise")]
    [InlineData("frost")]
    public void Batch_is_independent_of_parallelism_and_equals_per_image_seeding(string name)
    {
        var set = TinySet(9);
        var corruption = SelectBench.Evaluation.Corruptions.Corruptions.Get(name);
        byte[] serial = CorruptionSuite.CorruptPixels(set.Pixels, set.Count, 3, 12, 14, corruption, 4, seed: 11, maxDegreeOfParallelism: 1);
        byte[] parallel = CorruptionSuite.CorruptPixels(set.Pixels, set.Count, 3, 12, 14, corruption, 4, seed: 11, maxDegreeOfParallelism: 4);
        Assert.Equal(serial, parallel);

        int index = SelectBench.Evaluation.Corruptions.Corruptions.IndexOf(name);
        byte[] fifth = corruption.Apply(set.Image(5), 3, 12, 14, 4, CorruptionRandom.ForImage(11, index, 4, 5));
        Assert.Equal(fifth, serial.AsSpan(5 * set.ImageSize, set.ImageSize).ToArray());

        byte[] otherSeed = CorruptionSuite.CorruptPixels(set.Pixels, set.Count, 3, 12, 14, corruption, 4, seed: 12);
        Assert.NotEqual(serial, otherSeed);
    }

    [Fact]
    public void Corrupted_set_keeps_labels_ids_and_shape()
    {
        var set = TinySet(4);
        var corrupted = CorruptionSuite.Corrupt(set, "pixelate", 5, seed: 0);
        Assert.Equal(set.Labels, corrupted.Labels);
        Assert.Equal(set.Ids, corrupted.Ids);
        Assert.Equal((3, 12, 14), (corrupted.Channels, corrupted.Height, corrupted.Width));
        Assert.NotEqual(set.Pixels, corrupted.Pixels);
    }
}

public sealed class CorruptedSetCacheTests
{
    [Fact]
    public void Second_request_is_served_from_disk_with_identical_pixels()
    {
        string root = Path.Combine(Path.GetTempPath(), "selectbench-corruption-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var pixels = new byte[3 * 1 * 10 * 11];
            for (int i = 0; i < 3; i++) TestImages.Scene(1, 10, 11, i).CopyTo(pixels, i * 110);
            var clean = new ImageSet(pixels, [0, 1, 0], LabelSet.Numbered(2), 1, 10, 11);
            var cache = new CorruptedSetCache(root);
            var fog = SelectBench.Evaluation.Corruptions.Corruptions.Get("fog");

            var first = cache.GetOrCreate(clean, fog, 2, seed: 5);
            string folder = cache.FolderFor(clean, fog, 2, 5);
            Assert.True(ImageSetStore.Exists(folder));
            var second = cache.GetOrCreate(clean, fog, 2, seed: 5);
            Assert.Equal(first.Pixels, second.Pixels);
            Assert.Equal(CorruptionSuite.Corrupt(clean, fog, 2, 5).Pixels, second.Pixels);
            Assert.NotEqual(folder, cache.FolderFor(clean, fog, 2, 6));

            var otherClean = new ImageSet((byte[])pixels.Clone(), [1, 1, 0], LabelSet.Numbered(2), 1, 10, 11);
            Assert.NotEqual(CorruptedSetCache.Fingerprint(clean), CorruptedSetCache.Fingerprint(otherClean));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
