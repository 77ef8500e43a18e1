using SelectBench.Common;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Tests.Curation.Generators;

public sealed class ExternalGeneratorTests : IDisposable
{
    private static readonly LabelSet Animals = new(["cat", "dog"], ["n01", "n02"]);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"external-{Guid.NewGuid():N}");

    public ExternalGeneratorTests()
    {
        ProgressBar.Enabled = false;
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 40x40 PNG of one solid colour.</summary>
    private void WritePng(string name, SKColor colour)
    {
        using var bitmap = new SKBitmap(40, 40);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(_folder, name), data.ToArray());
    }

    private void WriteStandardFolder()
    {
        WritePng("cat0.png", new SKColor(255, 0, 0));
        WritePng("cat1.png", new SKColor(0, 255, 0));
        WritePng("cat2.png", new SKColor(0, 0, 255));
        WritePng("dog0.png", new SKColor(255, 255, 255));
        WritePng("p7_a.png", new SKColor(10, 10, 10));
        WritePng("p7_b.png", new SKColor(200, 200, 200));
        File.WriteAllLines(Path.Combine(_folder, "metadata.csv"),
        [
            "file,class,prompt,seed,prompt_image_id,strength",
            "cat0.png,cat,\"A photo of a cat, red\",1,,",
            "cat1.png,n01,A photo of a cat,2,,",
            "cat2.png,0,A photo of a cat,3,,",
            "dog0.png,dog,A photo of a dog,4,,",
            "p7_a.png,dog,A photo of a dog,5,img7,0.25",
            "p7_b.png,dog,A photo of a dog,6,img7,0.75",
        ]);
    }

    [Fact]
    public void DecodesToTheTargetShapeWithBt601Grey()
    {
        WriteStandardFolder();
        var grey = ExternalGenerator.Open(_folder, Animals, 1, 8, 8);
        Assert.Equal(6, grey.Rows.Count);
        Assert.Equal([0, 0, 0, 1, 1, 1], grey.Rows.Select(r => r.Class));
        Assert.Equal("A photo of a cat, red", grey.Rows[0].Prompt);
        var cats = grey.FromClassPrompts(Animals, [3, 0], seed: 0);
        // Solid red, green, blue: 0.299, 0.587, 0.114 of 255 = 76.2, 149.7, 29.1 (ITU-R BT.601).
        var greyLevels = Enumerable.Range(0, 3).Select(i => (int)cats.Image(i)[27]).OrderBy(v => v).ToArray();
        Assert.Equal(new[] { 29, 76, 150 }, greyLevels);
        Assert.Equal((1, 8, 8), (cats.Channels, cats.Height, cats.Width));

        var rgb = ExternalGenerator.Open(_folder, Animals, 3, 4, 6);
        var dog = rgb.FromClassPrompts(Animals, [0, 1], seed: 0);
        Assert.Equal(3 * 4 * 6, dog.ImageSize);
        Assert.All(dog.Pixels, p => Assert.Equal(255, p));
    }

    [Fact]
    public void ClassPromptsPickRequestedCountsWithProvenance()
    {
        WriteStandardFolder();
        var generator = ExternalGenerator.Open(_folder, Animals, 1, 8, 8, name: "sd15");
        var set = generator.FromClassPrompts(Animals, [2, 1], seed: 42);
        Assert.Equal([0, 0, 1], set.Labels);
        Assert.All(set.Provenance!, p => Assert.Equal("generator:sd15", p.Source));
        Assert.All(set.Provenance!, p => Assert.False(p.Simulated));
        var dog = set.Provenance![2];
        Assert.Equal("dog0.png", dog.SourceId);
        Assert.Equal(4L, dog.GeneratorSeed);
        Assert.Equal("txt2img prompt: A photo of a dog", dog.Note);
        // img2img rows are not offered as class-prompt images, and choices repeat with the seed.
        Assert.DoesNotContain(set.Provenance, p => p.SourceId.StartsWith("p7", StringComparison.Ordinal));
        Assert.Equal(set.Ids, generator.FromClassPrompts(Animals, [2, 1], seed: 42).Ids);

        var e = Assert.Throws<SelectBenchException>(() => generator.FromClassPrompts(Animals, [1, 2], seed: 0));
        Assert.Contains("'dog'", e.Message);
        Assert.Contains("1 ingested", e.Message);
    }

    [Fact]
    public void ImagePromptsMatchByPromptIdAndStrength()
    {
        WriteStandardFolder();
        var generator = ExternalGenerator.Open(_folder, Animals, 1, 8, 8);
        var prompts = new ImageSet(new byte[64], [1], Animals, 1, 8, 8, ["img7"]);
        var low = generator.FromImagePrompts(prompts, 0.25, seed: 0);
        var high = generator.FromImagePrompts(prompts, 0.75, seed: 0);
        Assert.Equal(10, low.Pixels[0]);
        Assert.Equal(200, high.Pixels[0]);
        Assert.Equal([1], high.Labels);
        Assert.Equal("img7", high.Provenance![0].QueryId);
        Assert.StartsWith("img2img prompt image img7 strength 0.75", high.Provenance[0].Note);
        var e = Assert.Throws<SelectBenchException>(() => generator.FromImagePrompts(prompts, 0.5, seed: 0));
        Assert.Contains("'img7'", e.Message);
        var wrongClass = new ImageSet(new byte[64], [0], Animals, 1, 8, 8, ["img7"]);
        var e2 = Assert.Throws<BadInputException>(() => generator.FromImagePrompts(wrongClass, 0.25, seed: 0));
        Assert.Contains("p7_a.png", e2.Message);
    }

    [Fact]
    public void JsonLinesAcceptClassIndexAndName()
    {
        WritePng("a.png", new SKColor(0, 0, 0));
        WritePng("b.png", new SKColor(255, 255, 255));
        File.WriteAllLines(Path.Combine(_folder, "metadata.jsonl"),
        [
            """{"file": "a.png", "class": 1, "prompt": "a dog", "seed": 9}""",
            "",
            """{"file": "b.png", "class": "cat", "prompt": "a cat", "seed": 10, "prompt_image_id": "q1", "strength": 0.5}""",
        ]);
        var generator = ExternalGenerator.Open(_folder, Animals, 1, 4, 4);
        Assert.Equal(new ExternalImageRow(1, "a.png", 1, "a dog", 9, null, null), generator.Rows[0]);
        Assert.Equal(new ExternalImageRow(3, "b.png", 0, "a cat", 10, "q1", 0.5), generator.Rows[1]);
    }

    [Fact]
    public void BadRowsNameTheRowAndFile()
    {
        WritePng("ok.png", new SKColor(1, 2, 3));
        File.WriteAllBytes(Path.Combine(_folder, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5]);
        void Metadata(string row) => File.WriteAllLines(Path.Combine(_folder, "metadata.csv"), ["file,class,prompt,seed", "ok.png,cat,x,1", row]);

        Metadata("ok.png,horse,x,2");
        var unknown = Assert.Throws<BadInputException>(() => ExternalGenerator.Open(_folder, Animals, 1, 8, 8));
        Assert.Contains("row 2", unknown.Message);
        Assert.Contains("'horse'", unknown.Message);

        Metadata("missing.png,dog,x,2");
        var missing = Assert.Throws<BadInputException>(() => ExternalGenerator.Open(_folder, Animals, 1, 8, 8));
        Assert.Contains("row 2", missing.Message);
        Assert.Contains("missing.png", missing.Message);

        Metadata("broken.png,dog,x,2");
        var corrupt = Assert.Throws<BadInputException>(() => ExternalGenerator.Open(_folder, Animals, 1, 8, 8));
        Assert.Contains("broken.png", corrupt.Message);
        Assert.Contains("row 2", corrupt.Message);

        Metadata("ok.png,dog,x,seven");
        var seed = Assert.Throws<BadInputException>(() => ExternalGenerator.Open(_folder, Animals, 1, 8, 8));
        Assert.Contains("'seed'", seed.Message);
    }

    [Fact]
    public void AFolderWithoutMetadataSaysWhatIsNeeded()
    {
        var e = Assert.Throws<SelectBenchException>(() => ExternalGenerator.Open(_folder, Animals, 1, 8, 8));
        Assert.Contains("metadata.csv", e.Message);
    }
}
