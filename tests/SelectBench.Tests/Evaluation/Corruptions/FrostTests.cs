using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

public sealed class FrostTests
{
    // The reference's mean |corrupted - clean| in grey levels per severity on the FashionMnistSets, with its
    // photograph stratified (each of the five draws weighted 1/5) and random crop offsets, printed by
    // scripts/corruption-reference/frost_targets.py from bethgelab/imagecorruptions c959e65 and its photographs.
    // Grey sets use the reference's 2-D branch (as we do for one channel); fm32x3 is a grey image as corrupt()
    // sends it, through the RGB branch, one channel per row. Ours must be within 5% of each value.
    [Theory]
    [InlineData("fm28", 0, 59.79, 80.04, 89.49, 88.48, 93.75)]
    [InlineData("fm32", 0, 61.33, 84.89, 96.27, 95.02, 101.34)]
    [InlineData("fm224", 0, 60.64, 82.11, 92.60, 91.01, 96.41)]
    [InlineData("fm32x3", 0, 53.48, 73.05, 82.88, 82.26, 88.35)] // R
    [InlineData("fm32x3", 1, 61.05, 84.44, 95.70, 94.47, 100.81)] // G
    [InlineData("fm32x3", 2, 65.03, 90.49, 102.79, 101.64, 108.38)] // B
    public void Frost_changes_images_as_much_as_the_reference(string set, int channel, double s1, double s2, double s3, double s4, double s5)
    {
        var (pixels, count, shape) = FashionMnistSets.Get(set);
        double[] reference = [s1, s2, s3, s4, s5];
        int side = FrostTextures.SideFor(shape.Height, shape.Width);
        var rng = new CorruptionRandom(7);
        var output = new byte[shape.Size];
        for (int severity = 1; severity <= 5; severity++)
        {
            // Stratified as the targets: every texture for every image, at 3 random crop offsets each.
            long sum = 0, n = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> image = pixels.AsSpan(i * shape.Size, shape.Size);
                for (int k = 0; k < FrostTextures.Count; k++)
                    for (int crop = 0; crop < 3; crop++)
                    {
                        int top = rng.NextInt(0, side - shape.Height), left = rng.NextInt(0, side - shape.Width);
                        Frost.Blend(image, output, shape, severity, FrostTextures.Get(k, side), top, left);
                        int offset = channel * shape.PlaneSize;
                        for (int p = offset; p < offset + shape.PlaneSize; p++) sum += Math.Abs(output[p] - image[p]);
                        n += shape.PlaneSize;
                    }
            }
            double ours = (double)sum / n, target = reference[severity - 1];
            Assert.True(Math.Abs(ours / target - 1) <= 0.05,
                $"frost severity {severity} on {set} channel {channel}: mean change {ours:F2}, reference {target:F2} ({ours / target - 1:P1})");
        }
    }

    [Fact]
    public void Textures_have_the_photographs_colour_statistics()
    {
        // Texture k takes photograph k+1's channel means and standard deviations; clipping to [0, 255] can
        // only pull them in a little.
        for (int k = 0; k < FrostTextures.Count; k++)
        {
            var texture = FrostTextures.Generate(k, 48);
            var p = FrostTextures.PhotoStatistics[k];
            (double Mean, double Std)[] expected = [(p.RMean, p.RStd), (p.GMean, p.GStd), (p.BMean, p.BStd)];
            for (int c = 0; c < 3; c++)
            {
                var values = texture.Rgb.AsSpan(c * 48 * 48, 48 * 48).ToArray().Select(v => v / 255.0).ToArray();
                double mean = values.Average(), std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
                Assert.InRange(mean, expected[c].Mean - 0.01, expected[c].Mean + 0.01);
                Assert.InRange(std, expected[c].Std * 0.9, expected[c].Std * 1.02);
            }
        }
        Assert.Equal(FrostTextures.Generate(2, 42).Rgb, FrostTextures.Generate(2, 42).Rgb);
        Assert.NotEqual(FrostTextures.Generate(3, 42).Rgb, FrostTextures.Generate(2, 42).Rgb);
    }
}
