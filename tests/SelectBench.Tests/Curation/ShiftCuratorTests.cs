using SelectBench.Curation;
using SelectBench.Curation.Crowd;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SelectBench.Common;

namespace SelectBench.Tests.Curation;

public class ShiftCuratorTests
{
    private sealed class CopyGenerator : IImageGenerator
    {
        public string Name => "copy";
        public ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed)
        {
            var list = perClassCounts.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
            return new ImageSet(new byte[list.Length * 4], list, labels, 1, 2, 2, list.Select((_, i) => $"g{i}").ToArray());
        }
        public ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed) =>
            new(prompts.Pixels, prompts.Labels, prompts.LabelSet, 1, 2, 2, prompts.Ids.Select(i => $"r{i}").ToArray());
    }

    [Fact]
    public void EveryStrategyBuildsFromOneYamlConfigWithProvenanceAndCost()
    {
        var labels = LabelSet.FashionMnist;
        var world = new TinyWorld(labels);
        // Class c sits at angle 36c degrees; the baseline has 6 per class, the pool 4 per class near the class angle.
        var baseLabels = Enumerable.Range(0, 60).Select(i => i % 10).ToArray();
        world.AddSet("baseline", TinyWorld.Ids("e", 60), baseLabels, baseLabels.Select((c, i) => TinyWorld.At(36 * c + (i % 3 - 1))).ToArray());
        var poolTruth = Enumerable.Range(0, 40).Select(i => i % 10).ToArray();
        world.AddSet("pool", TinyWorld.Ids("p", 40), new int[40], poolTruth.Select((c, i) => TinyWorld.At(36 * c + 0.5 * (i / 10 + 1))).ToArray(), truth: poolTruth);
        var sim = SimulatedCrowd.Simulate(world.Sets["baseline"], CrowdTaxonomyDefinition.FashionMnist, new CrowdSimulationSettings(Images: 60), seed: 2);
        var context = world.Context(targetSize: 20,
            crowds: new() { ["crowd"] = sim.Annotations },
            generators: new() { ["copy"] = new CopyGenerator() });

        var config = SettingsBinder.ParseYaml("""
            expert: { strategy: expert }
            la-img2img: { strategy: embedding-search, post_steps: { near_duplicate_threshold: 0.99999 } }
            la-txt2img: { strategy: class-query-search, settings: { shots: 3, threshold: 0.9, margin: 0.05 } }
            oi: { strategy: crowd-schema, settings: { aggregation: majority } }
            sd-txt2img: { strategy: synthetic }
            sd-img2img: { strategy: synthetic, settings: { mode: img2img, strength: 0.5 } }
            """, "shifts");
        foreach (var (name, section) in config)
        {
            var spec = ShiftSpec.FromSection(name, (IReadOnlyDictionary<string, object?>)section!, $"shifts.{name}");
            var shift = ShiftCurator.Build(spec, context);
            Assert.Equal(name, shift.Name);
            Assert.Equal(spec.Strategy, shift.Strategy);
            Assert.True(shift.Images.Count is > 0 and <= 20, $"{name}: {shift.Images.Count} images");
            Assert.Equal(shift.Images.Count, shift.Provenance.Length);
            Assert.True(shift.TotalCost > 0, name);
            Assert.Equal(shift.Images.ClassCounts(), shift.Report.ClassCounts);
        }
    }
}
