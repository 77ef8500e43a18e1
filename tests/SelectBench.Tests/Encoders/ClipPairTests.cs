using System.Text.Json;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Encoders.Text;

namespace SelectBench.Tests.Encoders;

/// <summary>
/// The whole CLIP path on the fixture of scripts/clip-fixture: SelectBench's tokenizer, ONNX Runtime and the
/// image preprocessing reproduce the token ids and embeddings PyTorch computed for the same model.
/// </summary>
public class ClipPairTests
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void TheTokenizerGivesTheIdsOfClipsReferenceTokenizer()
    {
        var tokenizer = new ClipTokenizer(ClipFixture.File("vocab.json"), ClipFixture.File("merges.txt"));
        foreach (var prompt in ClipFixture.Expected.Prompts)
        {
            var (ids, end) = tokenizer.Tokenize(prompt.Text);
            Assert.Equal(prompt.TokenIds, ids.Take(end + 1));
            Assert.All(ids.Skip(end + 1), id => Assert.Equal(0, id));
        }
    }

    [Fact]
    public void TheFixtureVocabularyCoversEveryClassPromptWithoutDroppingCharacters()
    {
        // Decoding the ids (strip "</w>", join) must give back the lower-cased prompt without spaces: a
        // character missing from the vocabulary would be dropped silently.
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(ClipFixture.File("vocab.json")))!;
        var byId = vocab.ToDictionary(kv => (long)kv.Value, kv => kv.Key);
        var tokenizer = new ClipTokenizer(ClipFixture.File("vocab.json"), ClipFixture.File("merges.txt"));
        var names = LabelSet.FashionMnist.Names.Concat(LabelSet.Numbered(10).Names);
        foreach (var text in names.Select(n => $"a photo of a {n}.").Concat(["Good photo.", "Bad photo."]))
        {
            var (ids, end) = tokenizer.Tokenize(text);
            var decoded = string.Concat(ids.Skip(1).Take(end - 1).Select(id => byId[id].Replace("</w>", "")));
            Assert.Equal(text.ToLowerInvariant().Replace(" ", ""), decoded);
        }
    }

    [Fact]
    public void TextAndImageEmbeddingsMatchPyTorch()
    {
        // Batch size 2 splits the three prompts into calls of 2 and 1: the towers' batch dimension is dynamic.
        using var clip = new ClipPair(ClipFixture.Settings(batchSize: 2));
        Assert.Equal(32, clip.Dimension);
        var prompts = ClipFixture.Expected.Prompts;
        var text = clip.EncodeTexts(prompts.Select(p => p.Text).ToArray());
        Assert.Equal((3, 32), (text.Count, text.Dimension));
        for (int i = 0; i < prompts.Length; i++)
            AssertClose(prompts[i].Embedding, text.Row(i), prompts[i].Text);

        // RGB at the tower's 32 px, and a grey 28 px image replicated to three channels and resized bilinearly.
        foreach (var image in ClipFixture.Expected.Images)
        {
            var z = clip.EncodeImages(image.Set);
            Assert.Equal((1, 32), (z.Count, z.Dimension));
            AssertClose(image.Embedding, z.Row(0), image.Name);
        }
    }

    [Fact]
    public void TheImageTowerHasItsOwnCacheNameAndClipsNormalisation()
    {
        using var clip = new ClipPair(ClipFixture.Settings());
        Assert.StartsWith("clip-image-image-", clip.Image.Name);
        Assert.EndsWith("-32px", clip.Image.Name);
        // With ImageNet's statistics (what "onnx:FILE" would use) the same image embeds differently.
        using var imageNet = new OnnxImageEncoder(new OnnxImageEncoderOptions(ClipFixture.File("image.onnx"), 32, 32,
            Mean: ImageNetStatistics.Mean, Std: ImageNetStatistics.Std));
        var image = ClipFixture.Expected.Images[0];
        Assert.NotEqual(imageNet.Name, clip.Image.Name);
        Assert.True(MaxDifference(image.Embedding, imageNet.Encode(image.Set).Row(0)) > 1e-2);
    }

    [Fact]
    public void SettingsErrorsNameTheFieldAndTheFile()
    {
        var good = ClipFixture.Settings();
        good.Validate("encoders.clip");
        var missing = Assert.Throws<SelectBenchException>(() => new ClipPair(good with { Vocab = "/nonexistent/vocab.json" }));
        Assert.Contains("encoders.clip.vocab", missing.Message);
        Assert.Contains("/nonexistent/vocab.json", missing.Message);
        Assert.Contains("encoders.clip.image", Assert.Throws<SelectBenchException>(() => (good with { Image = "" }).Validate("encoders.clip")).Message);
        Assert.Contains("encoders.clip.context_length", Assert.Throws<SelectBenchException>(() => (good with { ContextLength = 2 }).Validate("encoders.clip")).Message);
        Assert.Contains("encoders.clip.image_size", Assert.Throws<SelectBenchException>(() => (good with { ImageSize = 0 }).Validate("encoders.clip")).Message);
        // A size the tower does not take is refused when the pair is built, naming the model file.
        var size = Assert.Throws<BadInputException>(() => new ClipPair(good with { ImageSize = 224 }));
        Assert.Equal(good.Image, size.Item);
        // The text tower is checked too: an output name it does not have.
        var output = Assert.Throws<BadInputException>(() => new ClipPair(good with { TextOutputName = "pooler_output" }));
        Assert.Equal(good.Text, output.Item);
        Assert.Contains("text_output_name", output.Message);
    }

    [Fact]
    public void TheSettingsBindFromSnakeCaseConfigKeys()
    {
        var section = SettingsBinder.ParseYaml("""
            image: a.onnx
            text: b.onnx
            vocab: vocab.json
            merges: merges.txt
            image_size: 32
            """, "encoders.clip");
        var settings = SettingsBinder.Bind<ClipPairSettings>(section, "encoders.clip");
        Assert.Equal(new ClipPairSettings("a.onnx", "b.onnx", "vocab.json", "merges.txt", ImageSize: 32), settings);
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = MaxDifference(expected, actual);
        Assert.True(worst <= Tolerance, $"{what}: largest difference from PyTorch {worst:E2} exceeds {Tolerance:E0}");
    }

    private static double MaxDifference(float[] a, ReadOnlySpan<float> b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }
}
