using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;
using SelectBench.Tests.Encoders;

namespace SelectBench.Tests.Evaluation.Metrics;

public class ClipMetricsTests
{
    [Fact]
    public void ClipScoreIsOneHundredTimesThePositivePartOfTheCosineWithEachImagesCaption()
    {
        // Captions: c0 = (1, 0), c1 = (1, 1). Cosines by hand:
        // (2, 0) with c1: 1/sqrt 2 -> 70.7107; (0, 5) with c0: 0 -> 0; (3, 4) with c1: 7 / (5 sqrt 2) = 0.989949 -> 98.9949;
        // (-1, 0) with c0: -1 -> clamped to 0.
        var images = TestEmbeddings.Rows([2f, 0f], [0f, 5f], [3f, 4f], [-1f, 0f]);
        var captions = TestEmbeddings.Rows([1f, 0f], [1f, 1f]);
        var scores = ClipMetrics.ClipScorePerImage(images, captions, [1, 0, 1, 0]);
        Assert.Equal(100 / Math.Sqrt(2), scores[0], 10);
        Assert.Equal(0, scores[1], 10);
        Assert.Equal(700 / (5 * Math.Sqrt(2)), scores[2], 10);
        Assert.Equal(0, scores[3]);

        var result = ClipMetrics.ClipScore(images, captions, [1, 0, 1, 0]);
        Assert.Equal((100 / Math.Sqrt(2) + 700 / (5 * Math.Sqrt(2))) / 4, result.Mean.Estimate, 10);
        Assert.Equal(scores, result.PerImage);
        // Hessel et al.'s w = 2.5 scales every score.
        Assert.Equal(2.5 / Math.Sqrt(2), ClipMetrics.ClipScorePerImage(images, captions, [1, 0, 1, 0], weight: 2.5)[0], 10);
    }

    [Fact]
    public void ClipIqaIsTheSoftmaxProbabilityOfThePositivePrompt()
    {
        // cos(image, good) = 0.8, cos(image, bad) = 0.79: logits 80 and 79, p(good) = 1 / (1 + e^-1) = 0.7310586.
        var image = TestEmbeddings.Rows([1f, 0f]);
        var antonyms = TestEmbeddings.Rows([0.8f, 0.6f], [0.79f, (float)Math.Sqrt(1 - 0.79 * 0.79)]);
        double p = ClipMetrics.ClipIqaPerImage(image, antonyms)[0];
        Assert.Equal(1 / (1 + Math.Exp(-1)), p, 5);
        Assert.Equal(0.7310586, p, 5);
        // Swapping the pair gives the complement; at logit scale 1 the same cosines give 1 / (1 + e^-0.01).
        var swapped = TestEmbeddings.Rows([0.79f, (float)Math.Sqrt(1 - 0.79 * 0.79)], [0.8f, 0.6f]);
        Assert.Equal(1 - p, ClipMetrics.ClipIqaPerImage(image, swapped)[0], 10);
        Assert.Equal(1 / (1 + Math.Exp(-0.01)), ClipMetrics.ClipIqaPerImage(image, antonyms, logitScale: 1)[0], 5);
        // Far apart prompts saturate without overflow: logits 100 and -100.
        var extreme = ClipMetrics.ClipIqaPerImage(TestEmbeddings.Rows([1f, 0f], [-1f, 0f]), TestEmbeddings.Rows([1f, 0f], [-1f, 0f]));
        Assert.Equal(1, extreme[0], 12);
        Assert.Equal(0, extreme[1], 12);
    }

    [Fact]
    public void ScoresDependOnDirectionsOnlyAndAverageWithABootstrapInterval()
    {
        var images = TestEmbeddings.Gaussian(50, 8, seed: 3);
        var captions = TestEmbeddings.Gaussian(3, 8, seed: 4);
        var labels = Enumerable.Range(0, 50).Select(i => i % 3).ToArray();
        // Times 8, exact in float, so only the formula could make a difference.
        var scaled = images with { Data = images.Data.Select(v => v * 8f).ToArray() };
        Assert.Equal(ClipMetrics.ClipScorePerImage(images, captions, labels), ClipMetrics.ClipScorePerImage(scaled, captions, labels), (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(ClipMetrics.ClipIqaPerImage(images, captions.Rows([0, 1])), ClipMetrics.ClipIqaPerImage(scaled, captions.Rows([0, 1])), (a, b) => Math.Abs(a - b) < 1e-9);

        var result = ClipMetrics.ClipIqa(images, captions.Rows([0, 1]), new BootstrapSettings(Resamples: 200, Seed: 1));
        Assert.Equal(result.PerImage.Average(), result.Mean.Estimate, 12);
        Assert.True(result.Mean.Low < result.Mean.Estimate && result.Mean.Estimate < result.Mean.High, $"{result.Mean}");
        Assert.Equal(200, result.Mean.N);
        Assert.All(result.PerImage, v => Assert.InRange(v, 0, 1));
        // Equal scores leave no spread.
        var flat = ClipMetrics.MeanInterval([0.5, 0.5, 0.5]);
        Assert.Equal((0.5, 0.5, 0.5), (flat.Estimate, flat.Low, flat.High));
    }

    [Fact]
    public void BadInputsAreErrorsThatSayWhatToGive()
    {
        var images = TestEmbeddings.Rows([1f, 0f], [0f, 1f]);
        var captions = TestEmbeddings.Rows([1f, 0f]);
        Assert.Contains("caption 1", Assert.Throws<BadInputException>(() => ClipMetrics.ClipScorePerImage(images, captions, [0, 1])).Message);
        Assert.Contains("one per image", Assert.Throws<BadInputException>(() => ClipMetrics.ClipScorePerImage(images, captions, [0])).Message);
        Assert.Contains("exactly two", Assert.Throws<BadInputException>(() => ClipMetrics.ClipIqaPerImage(images, captions)).Message);
        Assert.Contains("all zeros", Assert.Throws<BadInputException>(() => ClipMetrics.ClipScorePerImage(TestEmbeddings.Rows([0f, 0f]), captions, [0])).Message);
        Assert.Throws<BadInputException>(() => ClipMetrics.ClipScorePerImage(TestEmbeddings.Rows([1f, 0f, 0f]), captions, [0]));
        Assert.Contains("{class}", Assert.Throws<SelectBenchException>(() => ClipMetrics.Caption("Bag", "a photo")).Message);
        Assert.Equal("a photo of a Ankle boot.", ClipMetrics.Caption("Ankle boot"));
    }

    [Fact]
    public void OnTheFixtureClipTheMetricsReproducePyTorchsValues()
    {
        // End to end: ONNX towers, tokenizer and preprocessing, then the formulas, against the values the fixture
        // script computed in PyTorch and numpy (CLIPScore 0 and 6.35: one image on each side of max(cos, 0)).
        var expected = ClipFixture.Expected;
        using var clip = new ClipPair(ClipFixture.Settings());
        var images = expected.Images.Select(i => clip.EncodeImages(i.Set)).ToArray();
        var both = new SelectBench.Embedding.Embeddings([.. images[0].Data, .. images[1].Data], 2, clip.Dimension);

        var caption = clip.EncodeTexts([expected.ClipScoreCaption]);
        var score = ClipMetrics.ClipScore(both, caption, [0, 0]);
        Assert.Equal(0, expected.ClipScorePerImage[0]);
        Assert.True(expected.ClipScorePerImage[1] > 1);
        for (int i = 0; i < 2; i++) Assert.Equal(expected.ClipScorePerImage[i], score.PerImage[i], 3);
        Assert.Equal(expected.ClipScorePerImage.Average(), score.Mean.Estimate, 3);

        Assert.Equal(ClipMetrics.QualityPrompts, expected.ClipIqaPrompts);
        var iqa = ClipMetrics.ClipIqa(both, clip.EncodeTexts(ClipMetrics.QualityPrompts));
        for (int i = 0; i < 2; i++) Assert.Equal(expected.ClipIqaPerImage[i], iqa.PerImage[i], 4);
        Assert.InRange(iqa.Mean.Low, 0, iqa.Mean.Estimate);
        Assert.InRange(iqa.Mean.High, iqa.Mean.Estimate, 1);
    }
}
