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
