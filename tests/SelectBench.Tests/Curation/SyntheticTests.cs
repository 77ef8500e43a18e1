using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Generators;
using SelectBench.Curation.Strategies;
using SelectBench.Data;

namespace SelectBench.Tests.Curation;

public class SyntheticTests
{
    /// <summary>A generator that paints each image with its class index (txt2img) or copies the prompt (img2img).</summary>
    private sealed class PaintGenerator : IImageGenerator
    {
        public string Name => "paint";
        public double? LastStrength { get; private set; }

        public ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed)
        {
            var list = perClassCounts.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
            var pixels = list.SelectMany(c => Enumerable.Repeat((byte)c, 4)).ToArray();
            var prov = list.Select((c, i) => new SampleProvenance("generator:paint", $"g{i}", GeneratorSeed: seed + i)).ToArray();
            return new ImageSet(pixels, list, labels, 1, 2, 2, list.Select((_, i) => $"g{i}").ToArray(), prov);
        }

        public ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed)
        {
            LastStrength = strength;
            return new ImageSet(prompts.Pixels, prompts.Labels, prompts.LabelSet, 1, 2, 2, prompts.Ids.Select(i => $"regen-{i}").ToArray());
        }
    }

    private static TinyWorld World()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 6), [0, 0, 0, 1, 1, 1], Enumerable.Repeat(TinyWorld.At(0), 6).ToArray());
        return world;
    }

    [Fact]
    public void Txt2ImgGeneratesNOverKPerClassAndChargesPerImage()
    {
        var generator = new PaintGenerator();
        var costs = new CostModel(GeneratedImageGpuSeconds: 2, GpuSecondDollars: 0.25);
        var shift = new Synthetic(new SyntheticSettings()).Build(World().Context(6, seed: 100, costs: costs,
            generators: new() { ["paint"] = generator }));
        Assert.Equal([3, 3], shift.Report.ClassCounts);
        Assert.Equal(6 * 0.5, shift.TotalCost, 12);
        Assert.Equal("A photo of b", shift.Provenance[3].QueryId);
        Assert.Equal(103, shift.Provenance[3].GeneratorSeed);
        Assert.Equal("generator:paint", shift.Provenance[0].Source);
    }

    [Fact]
    public void Img2ImgUsesClassBalancedPromptsKeepsLabelsAndRecordsStrength()
    {
        var generator = new PaintGenerator();
        var shift = new Synthetic(new SyntheticSettings(Mode: "img2img", Strength: 0.3)).Build(World().Context(4, seed: 9,
            generators: new() { ["paint"] = generator }));
        Assert.Equal(0.3, generator.LastStrength);
        Assert.Equal([2, 2], shift.Report.ClassCounts);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal($"regen-{shift.Provenance[i].QueryId}", shift.Images.Ids[i]));
        Assert.All(shift.Provenance, p => Assert.Equal(9, p.GeneratorSeed));
        Assert.All(shift.Provenance, p => Assert.Contains("strength 0.3", p.Note));
    }

    [Fact]
    public void MissingGeneratorIsNamed()
    {
        var e = Assert.Throws<BadInputException>(() => new Synthetic(new SyntheticSettings(Generator: "sd15")).Build(World().Context(4)));
        Assert.Equal("sd15", e.Item);
    }
}
