using SelectBench.Data;
using SelectBench.Encoders;

namespace SelectBench.Tests.Encoders;

/// <summary>
/// The pixel PCA that curation embeds with gives the same bits at any thread count and matches plain scalar
/// reference code bit for bit, so no reduction whose order follows the CPU's vector width is involved.
/// </summary>
public class PixelPcaDeterminismTests
{
    /// <summary>
    /// Six 1x1x3 images c +- 60 (1,1,0), c +- 30 (1,-1,0), c +- 20 (0,0,1) around c = (128,128,128). With x = p / 255 and
    /// the n - 1 = 5 denominator the covariance is, by hand, [[1800, 1080, 0], [1080, 1800, 0], [0, 0, 160]] / 65025,
    /// with eigenvalues 2880, 720 and 160 (/ 65025) along (1,1,0)/sqrt2, (1,-1,0)/sqrt2 and (0,0,1).
    /// </summary>
    private static ImageSet ThreeAxes() => new(
        [188, 188, 128, 68, 68, 128, 158, 98, 128, 98, 158, 128, 128, 128, 148, 128, 128, 108],
        [0, 0, 0, 0, 0, 0], LabelSet.FashionMnist, 1, 1, 3);

    [Fact]
    public void A_three_axis_example_gives_the_hand_computed_covariance_components_and_whitening()
    {
        var images = ThreeAxes();
        var (mean, covariance) = PixelCovariance.Compute(images, threads: 1);
        Assert.All(mean, m => Assert.Equal(128 / 255.0, m, 15));
        double[] expected = [1800 / 65025.0, 1080 / 65025.0, 0, 1080 / 65025.0, 1800 / 65025.0, 0, 0, 0, 160 / 65025.0];
        Assert.Equal(expected, covariance); // exact: integer moments, one rounding per entry

        var pca = PixelPcaEncoder.Fit(images, components: 3, epsilon: 1e-5);
        Assert.Equal(PixelPcaEncoder.ExactMethod, pca.State.Method);
        Assert.Equal(2880 / 65025.0, pca.State.Eigenvalues[0], 15);
        Assert.Equal(720 / 65025.0, pca.State.Eigenvalues[1], 15);
        Assert.Equal(160 / 65025.0, pca.State.Eigenvalues[2], 15);
        double r = Math.Sqrt(0.5);
        var c = pca.Components.ToArray();
        // The first and third are fixed by the sign convention (largest entry positive). The second's two entries tie
        // in magnitude: check it up to sign, and that whichever is larger is the positive one.
        Assert.Equal([r, r, 0], c[0..3], new Near(1e-12));
        Assert.Equal([0, 0, 1], c[6..9], new Near(1e-12));
        Assert.Equal(r, Math.Abs(c[3]), 12);
        Assert.Equal(-c[3], c[4], 12);
        Assert.Equal(0, c[5], 12);
        Assert.True((Math.Abs(c[3]) >= Math.Abs(c[4]) ? c[3] : c[4]) > 0);

        // Image 0 lies 60 sqrt2 / 255 along the first axis: whitened by sqrt(2880/65025 + 1e-5).
        var z = pca.Encode(images);
        Assert.Equal(60 * Math.Sqrt(2) / 255 / Math.Sqrt(2880 / 65025.0 + 1e-5), z.Data[0], 5);
        Assert.Equal(-z.Data[0], z.Data[3], 6);
        Assert.Equal(0, z.Data[1], 5);
    }

    [Fact]
    public void One_and_two_threads_give_the_same_bits()
    {
        var images = EncoderTestData.Shapes(300, 12, seed: 11);
        var one = PixelPcaEncoder.Fit(images, components: 8, threads: 1);
        var two = PixelPcaEncoder.Fit(images, components: 8, threads: 2);
        Assert.Equal(one.State.StateHash, two.State.StateHash);
        Assert.Equal(Bits(one.Mean), Bits(two.Mean));
        Assert.Equal(Bits(one.Components), Bits(two.Components));
        Assert.Equal(Bits(one.State.Eigenvalues), Bits(two.State.Eigenvalues));
        Assert.Equal(one.WithThreads(1).Encode(images).Data, two.WithThreads(2).Encode(images).Data);
    }

    [Fact]
    public void The_covariance_equals_a_plain_scalar_reference_bit_for_bit()
    {
        // 70,000 images exceed one 65,536-image chunk, and all-255 pixels make a Gram entry above 2^32: the 32-bit lanes
        // must be flushed into 64-bit sums in time. 1x2x2 keeps it small; odd counts exercise the padding.
        var rng = new Random(3);
        foreach (var (count, saturated) in new[] { (70_001, true), (333, false) })
        {
            var pixels = new byte[count * 4];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = saturated && i % 3 != 0 ? (byte)255 : (byte)rng.Next(256);
            var images = new ImageSet(pixels, new int[count], LabelSet.FashionMnist, 1, 2, 2);
            var (mean, covariance) = PixelCovariance.Compute(images, threads: 2);
            var (refMean, refCovariance) = ScalarCovariance(images);
            Assert.Equal(Bits(refMean), Bits(mean));
            Assert.Equal(Bits(refCovariance), Bits(covariance));
        }
        var shapes = EncoderTestData.Shapes(250, 10, seed: 12);
        Assert.Equal(Bits(ScalarCovariance(shapes).Covariance), Bits(PixelCovariance.Compute(shapes, threads: 2).Covariance));
    }

    [Fact]
    public void Embeddings_equal_a_plain_scalar_reference_bit_for_bit()
    {
        var images = EncoderTestData.Shapes(120, 9, seed: 13); // 81 pixels, k = 7: the vector code has a tail
        var pca = PixelPcaEncoder.Fit(images, components: 7);
        var z = pca.Encode(images);
        int d = images.ImageSize, k = 7;
        var mean = pca.Mean.ToArray();
        var components = pca.Components.ToArray();
        for (int i = 0; i < images.Count; i++)
            for (int c = 0; c < k; c++)
            {
                double scale = Math.Sqrt(Math.Max(pca.State.Eigenvalues[c], 0) + pca.State.Epsilon);
                double sum = 0;
                for (int j = 0; j < d; j++) sum += (images.Image(i)[j] / 255.0 - mean[j]) * (components[c * d + j] / scale);
                Assert.Equal(BitConverter.SingleToInt32Bits((float)sum), BitConverter.SingleToInt32Bits(z.Data[i * k + c]));
            }
        var vector = new double[k];
        var scalar = new double[k];
        pca.Project(images.Image(5), vector, simd: true);
        pca.Project(images.Image(5), scalar, simd: false);
        Assert.Equal(Bits(scalar), Bits(vector));
    }

    /// <summary>The textbook loops: 64-bit sums over images, then the one formula.</summary>
    private static (double[] Mean, double[] Covariance) ScalarCovariance(ImageSet images)
    {
        int n = images.Count, d = images.ImageSize;
        var sums = new long[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) sums[j] += images.Pixels[i * d + j];
        var mean = sums.Select(s => s / (255.0 * n)).ToArray();
        var covariance = new double[d * d];
        for (int j = 0; j < d; j++)
            for (int k = 0; k < d; k++)
            {
                long gram = 0;
                for (int i = 0; i < n; i++) gram += images.Pixels[i * d + j] * images.Pixels[i * d + k];
                covariance[j * d + k] = PixelCovariance.Entry(n, gram, sums[j], sums[k]);
            }
        return (mean, covariance);
    }

    private static long[] Bits(ReadOnlySpan<double> values) => values.ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private sealed class Near(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
