using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Tests.Search;

namespace SelectBench.Tests.Encoders;

public class OnnxImageEncoderTests
{
    [Fact]
    public void ResNet18_featurizer_gives_512_d_features_and_similar_images_are_closer()
    {
        using var encoder = OnnxImageEncoder.ResNet18Featurizer();
        Assert.Equal(512, encoder.Dimension);
        // Shapes cycles classes 0,1,2: images 0 and 3 are both horizontal bars, image 1 a vertical bar.
        var images = EncoderTestData.Shapes(4, 28, seed: 1).Select([0, 3, 1]);
        var z = encoder.Encode(images);
        Assert.Equal((3, 512), (z.Count, z.Dimension));
        Assert.All(z.Data, v => Assert.True(float.IsFinite(v)));
        double same = SearchTestData.Cosine(z.Row(0), z.Row(1));
        double different = SearchTestData.Cosine(z.Row(0), z.Row(2));
        Assert.True(same > different, $"cos(bar, bar) = {same:F3} should exceed cos(bar, vertical bar) = {different:F3}");

        // Grey is replicated to three channels: an RGB image with three equal channels gives the same features.
        var grey = EncoderTestData.Shapes(1, 28, seed: 1);
        var rgb = new SelectBench.Data.ImageSet([.. grey.Pixels, .. grey.Pixels, .. grey.Pixels], grey.Labels, grey.LabelSet, 3, 28, 28);
        Assert.Equal(encoder.Encode(grey).Data, encoder.Encode(rgb).Data);
    }

    [Fact]
    public void A_size_the_fixed_model_cannot_take_is_refused_before_any_call()
    {
        var path = OnnxImageEncoder.FindResNet18Model();
        var e = Assert.Throws<BadInputException>(() => new OnnxImageEncoder(new OnnxImageEncoderOptions(path, InputWidth: 28, InputHeight: 28)));
        Assert.Contains("fixed at 224x224", e.Message);
        Assert.Throws<BadInputException>(() => new OnnxImageEncoder(new OnnxImageEncoderOptions("/nonexistent/model.onnx")));
        Assert.Contains("has no output named",
            Assert.Throws<BadInputException>(() => new OnnxImageEncoder(new OnnxImageEncoderOptions(path, OutputName: "nope"))).Message);
        Assert.Contains("mean has 2 values",
            Assert.Throws<SelectBenchException>(() => new OnnxImageEncoder(new OnnxImageEncoderOptions(path, Mean: [1f, 2f]))).Message);
    }

    [Fact]
    public void Bilinear_resize_matches_hand_computed_values()
    {
        // 1x2 -> 1x4 with half-pixel centres: source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
        // clamped to 0, 0.25, 0.75, 1: values 0, 25, 75, 100.
        var up = new float[4];
        new BilinearResize(1, 2, 1, 4).Apply(new byte[] { 0, 100 }, up);
        Assert.Equal([0f, 25f, 75f, 100f], up);
        // Same size is the identity.
        var src = Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray();
        var same = new float[12];
        new BilinearResize(3, 4, 3, 4).Apply(src, same);
        Assert.Equal(src.Select(b => (float)b), same);
        // 2x2 -> 1x1 averages the four pixels.
        var down = new float[1];
        new BilinearResize(2, 2, 1, 1).Apply(new byte[] { 0, 40, 80, 120 }, down);
        Assert.Equal(60f, down[0]);
    }
}
