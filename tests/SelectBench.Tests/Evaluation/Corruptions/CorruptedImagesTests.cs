using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Corruptions;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Tests.Evaluation.Corruptions;

/// <summary>On-the-fly corruptions (docs/corruptions.md, "On the fly"): an image depends only on (seed, corruption, severity, index).</summary>
public sealed class CorruptedImagesTests
{
    private static ImageSet TinySet(int count, int channels = 3, int height = 12, int width = 14)
    {
        int size = channels * height * width;
        var pixels = new byte[count * size];
        for (int i = 0; i < count; i++) TestImages.Scene(channels, height, width, i).CopyTo(pixels, i * size);
        return new ImageSet(pixels, Enumerable.Range(0, count).Select(i => i % 2).ToArray(), LabelSet.Numbered(2), channels, height, width);
    }

    [Theory]
    [InlineData("gaussian_noise")]
    [InlineData("glass_blur")]
    [InlineData("snow")]
    [InlineData("contrast")]
    public void An_image_is_the_same_alone_in_batches_of_1_and_7_in_any_order_and_as_the_materialised_copy(string name)
    {
        var set = TinySet(10);
        var corruption = SelectBench.Evaluation.Corruptions.Corruptions.Get(name);
        var view = new CorruptedImages(set, corruption, severity: 3, seed: 5);
        // Today's materialised pixels: every stored copy and every earlier run used these.
        byte[] materialised = CorruptionSuite.CorruptPixels(set.Pixels, set.Count, 3, 12, 14, corruption, 3, seed: 5);
        int size = set.ImageSize;
        for (int i = 0; i < set.Count; i++)
        {
            var expected = materialised.AsSpan(i * size, size).ToArray();
            Assert.Equal(expected, view.Image(i));
            Assert.Equal(expected, view.Batch(i, 1).Pixels);
        }
        // Batches of 7 (the last one short), and one batch in reverse order on one thread.
        var sevens = view.Batches(7).ToList();
        Assert.Equal([7, 3], sevens.Select(b => b.Count));
        Assert.Equal(materialised, sevens.SelectMany(b => b.Pixels).ToArray());
        var reversed = Enumerable.Range(0, set.Count).Reverse().ToArray();
        var backwards = view.Batch(reversed);
        var serial = new CorruptedImages(set, corruption, 3, 5) { Threads = 1 }.Batch(reversed);
        for (int k = 0; k < reversed.Length; k++)
        {
            Assert.Equal(materialised.AsSpan(reversed[k] * size, size).ToArray(), backwards.Image(k).ToArray());
            Assert.Equal(backwards.Image(k).ToArray(), serial.Image(k).ToArray());
            Assert.Equal(set.Labels[reversed[k]], backwards.Labels[k]);
            Assert.Equal(set.Ids[reversed[k]], backwards.Ids[k]);
        }
        Assert.Equal(materialised, CorruptionSuite.Corrupt(set, corruption, 3, 5).Pixels);
    }

    [Fact]
    public void Severity_seed_and_corruption_change_the_image()
    {
        var set = TinySet(3);
        var noise = SelectBench.Evaluation.Corruptions.Corruptions.Get("gaussian_noise");
        var image = new CorruptedImages(set, noise, 2, 0).Image(1);
        Assert.NotEqual(image, new CorruptedImages(set, noise, 3, 0).Image(1));
        Assert.NotEqual(image, new CorruptedImages(set, noise, 2, 1).Image(1));
        Assert.NotEqual(image, new CorruptedImages(set, SelectBench.Evaluation.Corruptions.Corruptions.Get("shot_noise"), 2, 0).Image(1));
        // The image index enters the seed: the same clean pixels at another index get other noise.
        var twin = new ImageSet([.. set.Image(1), .. set.Image(1)], [0, 0], set.LabelSet, 3, 12, 14);
        var twins = new CorruptedImages(twin, noise, 2, 0);
        Assert.NotEqual(twins.Image(0), twins.Image(1));
        Assert.Equal(new CorruptedImages(set, noise, 2, 0).Image(0), new CorruptedImages(set, noise, 2, 0).Image(0));
    }

    [Fact]
    public void Top1_on_the_fly_sees_only_batches_and_equals_the_materialised_top1()
    {
        // 2,500 images: two full batches of 1,024 and one of 452; the classifier never sees more than one batch.
        var set = TinySet(2_500, channels: 1, height: 6, width: 6);
        var corruption = SelectBench.Evaluation.Corruptions.Corruptions.Get("gaussian_noise");
        using var classifier = new BrightnessClassifier(set.LabelSet);
        double streamed = CorruptionMetric.Top1(classifier, new CorruptedImages(set, corruption, 5, 0), 2);
        Assert.Equal([1024, 1024, 452], classifier.BatchSizes);

        var materialised = CorruptionSuite.Corrupt(set, corruption, 5, 0);
        var probabilities = classifier.PredictProbabilities(materialised);
        Assert.Equal(SelectBench.Statistics.ClassificationMetrics.TopK(probabilities, materialised.Labels, 2, 1), streamed);
        Assert.InRange(streamed, 0.01, 0.99); // the planted rule gets some right and some wrong, so the count matters
    }

    [Fact]
    public void The_cache_is_kept_only_for_sets_whose_corrupted_copies_fit_in_1_GiB()
    {
        // 10,000 Fashion-MNIST test images: 10,000 x 784 x 75 = 588 MB, cached. ImageNet val (50,000 x 3x224x224): 564 GB, on the fly.
        Assert.True(CorruptedSetCache.Pays(new ImageSet(new byte[10_000 * 784], new int[10_000], LabelSet.Numbered(1), 1, 28, 28), 15));
        Assert.False(CorruptedSetCache.Pays(new ImageSet(new byte[2_000 * 3 * 224 * 224], new int[2_000], LabelSet.Numbered(1), 3, 224, 224), 15));
        // 1,000 images at 3x224x224, one corruption x 5 severities: 753 MB, cached.
        Assert.True(CorruptedSetCache.Pays(new ImageSet(new byte[1_000 * 3 * 224 * 224], new int[1_000], LabelSet.Numbered(1), 3, 224, 224), 1));
    }

    /// <summary>Class 1 when the image's mean pixel is above 128; records the size of every set it is given.</summary>
    private sealed class BrightnessClassifier(LabelSet labels) : IImageClassifier
    {
        public List<int> BatchSizes { get; } = [];
        public string Name => "brightness";
        public LabelSet LabelSet => labels;

        public float[] PredictProbabilities(ImageSet images)
        {
            BatchSizes.Add(images.Count);
            var p = new float[images.Count * 2];
            for (int i = 0; i < images.Count; i++)
            {
                double mean = 0;
                foreach (var b in images.Image(i)) mean += b;
                mean /= images.ImageSize;
                p[i * 2 + (mean > 128 ? 1 : 0)] = 1f;
            }
            return p;
        }

        public void Dispose() { }
    }
}
