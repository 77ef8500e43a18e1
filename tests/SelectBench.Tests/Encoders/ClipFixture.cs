using System.Text.Json;
using SelectBench.Data;
using SelectBench.Encoders;

namespace SelectBench.Tests.Encoders;

/// <summary>
/// The tiny random-weight CLIP of scripts/clip-fixture (copied to the test output's Fixtures/clip) and the
/// values PyTorch computed for it (expected.json).
/// </summary>
internal static class ClipFixture
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "clip");
    public static string File(string name) => Path.Combine(Folder, name);

    public static ClipPairSettings Settings(int batchSize = 32) =>
        new(File("image.onnx"), File("text.onnx"), File("vocab.json"), File("merges.txt"), ImageSize: 32, BatchSize: batchSize);

    public sealed record Prompt(string Text, long[] TokenIds, float[] Embedding);

    public sealed record Image(string Name, ImageSet Set, float[] Embedding);

    public sealed record Values(
        Prompt[] Prompts, Image[] Images, string ClipScoreCaption, double[] ClipScorePerImage,
        string[] ClipIqaPrompts, double[] ClipIqaPerImage);

    public static Values Expected { get; } = Load();

    private static Values Load()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File("expected.json")));
        var root = doc.RootElement;
        static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var prompts = root.GetProperty("prompts").EnumerateArray().Select(p => new Prompt(
            p.GetProperty("text").GetString()!,
            p.GetProperty("token_ids").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
            Floats(p.GetProperty("text_embeds")))).ToArray();
        var images = root.GetProperty("images").EnumerateArray().Select(i =>
        {
            var pixels = i.GetProperty("pixels").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();
            var set = new ImageSet(pixels, [0], LabelSet.FashionMnist, i.GetProperty("channels").GetInt32(),
                i.GetProperty("height").GetInt32(), i.GetProperty("width").GetInt32());
            return new Image(i.GetProperty("name").GetString()!, set, Floats(i.GetProperty("image_embeds")));
        }).ToArray();
        return new Values(prompts, images,
            root.GetProperty("clip_score_caption").GetString()!, Doubles(root.GetProperty("clip_score_per_image")),
            root.GetProperty("clip_iqa_prompts").EnumerateArray().Select(v => v.GetString()!).ToArray(),
            Doubles(root.GetProperty("clip_iqa_per_image")));
    }
}
