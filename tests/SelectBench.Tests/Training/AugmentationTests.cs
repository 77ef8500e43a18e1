using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Training;

public sealed class AugmentationTests
{
    private static Tensor Images() => arange(2 * 3 * 6 * 5, dtype: ScalarType.Float32).view(2, 3, 6, 5).div(200);

    [Fact]
    public void Random_crop_keeps_shape_and_shifts_content_with_zero_padding()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        var y = BatchAugmenter.RandomCrop(x, 2, new Generator(1, CPU));
        Assert.Equal(x.shape, y.shape);
        // Every output is a shifted window of its padded input: each value is either 0 (padding) or a value of the same image.
        for (int i = 0; i < 2; i++)
        {
            var source = x[i].flatten().data<float>().ToHashSet();
            Assert.All(y[i].flatten().data<float>().ToArray(), v => Assert.True(v == 0 || source.Contains(v)));
        }
    }

    [Fact]
    public void Crop_with_zero_padding_range_is_identity_and_known_offset_matches_slicing()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        // Any draw of a 1-pixel crop equals the padded image sliced at the drawn offset; check via brute force.
        var y = BatchAugmenter.RandomCrop(x, 1, new Generator(5, CPU));
        var padded = nn.functional.pad(x, [1, 1, 1, 1]);
        for (int i = 0; i < 2; i++)
        {
            bool found = false;
            for (int dy = 0; dy <= 2 && !found; dy++)
                for (int dx = 0; dx <= 2 && !found; dx++)
                    found = padded[i, .., dy..(dy + 6), dx..(dx + 5)].Same(y[i]);
            Assert.True(found);
        }
    }

    [Fact]
    public void Flip_mirrors_some_images_and_keeps_others()
    {
        using var scope = NewDisposeScope();
        var x = arange(64 * 2 * 3, dtype: ScalarType.Float32).view(64, 1, 2, 3);
        var y = BatchAugmenter.HorizontalFlip(x, new Generator(3, CPU));
        int flipped = 0;
        for (int i = 0; i < 64; i++)
        {
            if (y[i].Same(x[i].flip(2))) flipped++;
            else Assert.True(y[i].Same(x[i]));
        }
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void Same_seed_same_output_and_different_seed_different_output()
    {
        using var scope = NewDisposeScope();
        var x = rand(8, 3, 16, 16, generator: new Generator(0, CPU));
        Tensor Pipeline(ulong seed)
        {
            var g = new Generator(seed, CPU);
            var a = BatchAugmenter.RandomResizedCrop(x, 0.25, g);
            a = BatchAugmenter.RandomCrop(a, 2, g);
            a = BatchAugmenter.HorizontalFlip(a, g);
            var labels = arange(8, dtype: ScalarType.Int64);
            return BatchAugmenter.MixupCutmix(a, labels, 8, 0.2, 1.0, 0.1, g).Images;
        }
        var first = Pipeline(11);
        Assert.Equal(x.shape, first.shape);
        Assert.True(first.Same(Pipeline(11)));
        Assert.False(first.Same(Pipeline(12)));
    }

    [Fact]
    public void Mixup_targets_are_convex_mixes_of_smoothed_one_hots()
    {
        using var scope = NewDisposeScope();
        var x = rand(4, 1, 8, 8);
        var labels = tensor(new long[] { 0, 1, 2, 3 });
        var (images, targets) = BatchAugmenter.MixupCutmix(x, labels, 5, 0.4, 0, 0.1, new Generator(9, CPU));
        Assert.Equal(x.shape, images.shape);
        Assert.Equal(new long[] { 4, 5 }, targets.shape);
        // Rows sum to 1; class 4 (in no sample) keeps only the smoothing mass eps / K = 0.02.
        Assert.True(targets.sum(1).allclose(ones(4)));
        Assert.True(targets[.., 4].allclose(full(4, 0.02f)));
        // Sample 0 mixes with sample 3 (batch mirrored): lambda on class 0, 1 - lambda on class 3.
        double lam = (targets[0, 0].item<float>() - 0.02) / 0.9;
        Assert.Equal(1 - lam, (targets[0, 3].item<float>() - 0.02) / 0.9, 4);
        Assert.True(images[0].allclose(x[0] * lam + x[3] * (1 - lam), atol: 1e-5));
    }

    [Fact]
    public void Cutmix_pastes_a_box_and_reports_its_area_in_the_targets()
    {
        using var scope = NewDisposeScope();
        var x = cat([zeros(1, 1, 10, 10), ones(1, 1, 10, 10)]);
        var (images, targets) = BatchAugmenter.MixupCutmix(x, tensor(new long[] { 0, 1 }), 2, 0, 1.0, 0, new Generator(4, CPU));
        // Image 0 (zeros) receives a box of ones from image 1: its pasted share equals its class-1 target.
        double pasted = images[0].mean().item<float>();
        Assert.Equal(pasted, targets[0, 1].item<float>(), 5);
        Assert.Equal(1 - pasted, targets[0, 0].item<float>(), 5);
    }
}
