using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Data.Sharded;
using SelectBench.Encoders;
using SkiaSharp;

namespace SelectBench.Tests.Encoders;

public class PixelPcaEncoderTests
{
    [Fact]
    public void Matches_a_hand_computed_two_pixel_example()
    {
        // Three 1x1x2 images (0,0), (255,255), (0,0): x/255 has mean (1/3,1/3), covariance [[1/3,1/3],[1/3,1/3]]
        // (n - 1 = 2), eigenvalues 2/3 and 0, first component (1,1)/sqrt(2).
        var images = new ImageSet([0, 0, 255, 255, 0, 0], [0, 1, 0], LabelSet.FashionMnist, 1, 1, 2);
        var pca = PixelPcaEncoder.Fit(images, components: 1, epsilon: 1e-5);
        Assert.Equal(2.0 / 3, pca.State.Eigenvalues[0], 10);
        var z = pca.Encode(images);
        // image 2: (x - mean) . c = (2/3, 2/3) . (1,1)/sqrt2 = 2 sqrt2 / 3, whitened by sqrt(2/3 + eps)
        double expected = 2 * Math.Sqrt(2) / 3 / Math.Sqrt(2.0 / 3 + 1e-5);
        Assert.Equal(expected, z.Data[1], 5);
        Assert.Equal(-expected / 2, z.Data[0], 5);
        Assert.Equal(-expected / 2, z.Data[2], 5);
    }

    [Fact]
    public void An_out_of_core_set_is_fitted_on_a_class_balanced_sample_of_bounded_size()
    {
        var folder = EncoderTestData.TempFolder();
        int n = PixelPcaEncoder.MaxOutOfCoreFitImages + 6;
        var labels = new LabelSet(["a", "b"], ["a", "b"]);
        using (var writer = new ShardedImageStoreWriter(folder))
        {
            for (int i = 0; i < n; i++)
            {
                var px = new byte[3 * 4 * 4];
                for (int j = 0; j < px.Length; j++) px[j] = (byte)((i * 37 + j * (11 + i % 5)) % 256);
                writer.Add(ImageCodec.Encode(px, 3, 4, 4, SKEncodedImageFormat.Jpeg, 90), i % 2, $"img{i}");
            }
            writer.Complete(labels);
        }
        var set = ImageSet.FromStore(ShardedImageStore.Open(folder), ImageTransform.Resize(4));
        Assert.False(set.IsInMemory);
        var pca = PixelPcaEncoder.Fit(set, components: 3);
        Assert.Equal(PixelPcaEncoder.MaxOutOfCoreFitImages, pca.State.FittedOn);
        // The sample is StratifiedSplitter's (seed 0): half of each class, so the fit equals the fit of that sample in memory.
        var sample = StratifiedSplitter.Split(set.Labels, [SplitPart.OfSize("fit", PixelPcaEncoder.MaxOutOfCoreFitImages)], 0)["fit"];
        Assert.Equal(PixelPcaEncoder.MaxOutOfCoreFitImages / 2, sample.Count(i => set.Labels[i] == 0));
        var expected = PixelPcaEncoder.Fit(set.Select(sample).InMemory(), components: 3);
        Assert.Equal(expected.State.StateHash, pca.State.StateHash);
    }

    [Fact]
    public void Embeddings_of_the_fitting_set_are_white()
    {
        var images = EncoderTestData.Shapes(200, 8, seed: 1);
        var pca = PixelPcaEncoder.Fit(images, components: 5);
        var z = pca.Encode(images);
        Assert.Equal(5, z.Dimension);
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++)
            {
                double mean_a = 0, mean_b = 0, cov = 0;
                for (int i = 0; i < z.Count; i++) { mean_a += z.Row(i)[a]; mean_b += z.Row(i)[b]; }
                mean_a /= z.Count; mean_b /= z.Count;
                for (int i = 0; i < z.Count; i++) cov += (z.Row(i)[a] - mean_a) * (z.Row(i)[b] - mean_b);
                cov /= z.Count - 1;
                Assert.True(Math.Abs(mean_a) < 1e-3);
                Assert.True(Math.Abs(cov - (a == b ? 1 : 0)) < 1e-3, $"cov[{a},{b}] = {cov}");
            }
        var eig = pca.State.Eigenvalues;
        for (int i = 1; i < eig.Length; i++) Assert.True(eig[i - 1] >= eig[i]);
    }

    [Fact]
    public void Randomized_svd_finds_the_same_leading_components_as_eigh()
    {
        var images = EncoderTestData.Shapes(150, 8, seed: 2);
        var exact = PixelPcaEncoder.Fit(images, components: 3, randomized: false);
        var approx = PixelPcaEncoder.Fit(images, components: 3, randomized: true);
        Assert.Equal("randomized-svd", approx.State.Method);
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(exact.State.Eigenvalues[i] - approx.State.Eigenvalues[i]) < 1e-6 * (1 + exact.State.Eigenvalues[i]));
        var a = exact.Encode(images);
        var b = approx.Encode(images);
        for (int i = 0; i < a.Data.Length; i++) Assert.Equal(a.Data[i], b.Data[i], 2);
    }

    [Fact]
    public void Save_and_load_round_trip_and_name_follows_the_state()
    {
        var images = EncoderTestData.Shapes(60, 8, seed: 3);
        var pca = PixelPcaEncoder.Fit(images, components: 4);
        Assert.StartsWith("pixel-pca-k4-", pca.Name);
        var folder = EncoderTestData.TempFolder();
        try
        {
            pca.Save(folder);
            var loaded = PixelPcaEncoder.Load(folder);
            Assert.Equal(pca.Name, loaded.Name);
            Assert.Equal(pca.Encode(images).Data, loaded.Encode(images).Data);
            Assert.NotEqual(pca.Name, PixelPcaEncoder.Fit(EncoderTestData.Shapes(60, 8, seed: 4), components: 4).Name);

            // A components file from another fit is caught by the state hash.
            var other = EncoderTestData.TempFolder();
            PixelPcaEncoder.Fit(EncoderTestData.Shapes(60, 8, seed: 5), components: 4).Save(other);
            File.Copy(Path.Combine(other, "pca_components.npy"), Path.Combine(folder, "pca_components.npy"), overwrite: true);
            Directory.Delete(other, true);
            Assert.Throws<BadInputException>(() => PixelPcaEncoder.Load(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Bad_k_and_wrong_image_shape_are_clear_errors()
    {
        var images = EncoderTestData.Shapes(10, 4, seed: 6);
        Assert.Contains("1..9", Assert.Throws<SelectBenchException>(() => PixelPcaEncoder.Fit(images, components: 10)).Message);
        var pca = PixelPcaEncoder.Fit(images, components: 2);
        Assert.Contains("fitted on 1x4x4", Assert.Throws<SelectBenchException>(() => pca.Encode(EncoderTestData.Shapes(3, 5, seed: 7))).Message);
    }
}
