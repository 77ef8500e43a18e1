using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;
using Xunit;

namespace SelectBench.Tests.Worlds;

/// <summary>One tiny FashionMNIST++ world per test run, shared by the world and curation-run tests.</summary>
public sealed class TinyWorldFixture : IDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"selectbench-tiny-world-{Guid.NewGuid():N}");
    public FashionMnistPlusSettings Settings { get; } = FashionMnistPlusSettings.ForProfile("tiny", seed: 0);
    public FashionMnistPlusWorld World { get; }
    public List<string> BuildLog { get; } = [];

    public TinyWorldFixture()
    {
        ProgressBar.Enabled = false;
        World = FashionMnistPlusWorld.Build(Settings, Folder, BuildLog.Add);
    }

    public void Dispose()
    {
        World.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class TinyWorldCollection : ICollectionFixture<TinyWorldFixture>
{
    public const string Name = "tiny FashionMNIST++ world";
}

[Collection(TinyWorldCollection.Name)]
public sealed class FashionMnistPlusWorldTests(TinyWorldFixture fixture)
{
    private FashionMnistPlusWorld World => fixture.World;

    [Fact]
    public void Partition_has_the_design_proportions_at_tiny_size_and_is_disjoint_and_stratified()
    {
        // 1,200 train images split 20:10:25:5 -> 400 / 200 / 500 / 100; 10 classes of 120 -> 40 / 20 / 50 / 10 each.
        Assert.Equal(400, World.Expert.Count);
        Assert.Equal(200, World.GeneratorTraining.Count);
        Assert.Equal(100, World.HeldOut.Count);
        Assert.All(World.Expert.ClassCounts(), c => Assert.Equal(40, c));
        Assert.All(World.GeneratorTraining.ClassCounts(), c => Assert.Equal(20, c));
        Assert.All(World.HeldOut.ClassCounts(), c => Assert.Equal(10, c));
        var real = Enumerable.Range(0, World.Pool.Count).Where(i => World.Pool.Provenance![i].TrueLabel >= 0).ToList();
        Assert.Equal(500, real.Count);
        var webTruth = new int[10];
        foreach (var i in real) webTruth[World.Pool.Provenance![i].TrueLabel]++;
        Assert.All(webTruth, c => Assert.Equal(50, c));

        var ids = new[] { World.Expert.Ids, World.GeneratorTraining.Ids, World.HeldOut.Ids, real.Select(i => World.Pool.Ids[i]).ToArray() };
        var all = ids.SelectMany(x => x).ToList();
        Assert.Equal(1200, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Pool_hides_labels_and_holds_simulated_glyph_distractors()
    {
        var prov = World.Pool.Provenance!;
        // distractor_fraction 0.2 of W's 500 real images.
        var distractors = Enumerable.Range(0, World.Pool.Count).Where(i => prov[i].TrueLabel == SampleProvenance.NotAClass).ToList();
        Assert.Equal(100, distractors.Count);
        Assert.All(distractors, i => Assert.True(prov[i].Simulated));
        Assert.All(World.Pool.Labels, l => Assert.Equal(WorldPartition.HiddenLabel, l));
        Assert.Equal(World.Pool.Count, World.Manifest.Parts["partition"].Counts["pool"]);
        Assert.Equal(100, World.Manifest.Parts["partition"].Counts["distractors"]);
    }

    [Fact]
    public void Eval_sets_crowd_generator_and_transfer_tasks_are_present()
    {
        Assert.Equal(500, World.Test.Count);
        Assert.All(World.Test.ClassCounts(), c => Assert.Equal(50, c));
        Assert.Equal(World.Test.Count, World.Rendition.Count);
        Assert.Equal(World.Test.Labels, World.Rendition.Labels);
        Assert.True(World.Rendition.Provenance!.All(p => p.Simulated));
        // Hard set: a subset of test, every class at least min_per_class (2 in tiny).
        var testIds = new HashSet<string>(World.Test.Ids);
        Assert.NotEmpty(World.Hard.Ids);
        Assert.All(World.Hard.Ids, id => Assert.Contains(id, testIds));
        Assert.All(World.Hard.ClassCounts(), c => Assert.True(c >= 2));
        Assert.Equal(new[] { "test", "h", "hard", "rendition" }, World.EvalSets.Keys.ToArray());

        Assert.True(World.Crowd.Simulated);
        Assert.Equal(3 * World.Crowd.Images.Count, World.Crowd.Votes.Count);
        Assert.Contains("footwear", World.Crowd.SourceTaxonomy);
        Assert.All(World.Crowd.Images.Labels, l => Assert.Equal(WorldPartition.HiddenLabel, l));
        Assert.All(World.Crowd.Images.Provenance!, p => Assert.InRange(p.TrueLabel, 0, 9));

        Assert.Equal("cvae", World.Generator.Name);
        var generated = World.Generator.FromClassPrompts(LabelSet.FashionMnist, Enumerable.Repeat(1, 10).ToArray(), seed: 0);
        Assert.Equal(10, generated.Count);

        Assert.Equal(FashionMnistPlusWorld.TransferTaskNames, World.TransferTasks.Select(t => t.Name).ToArray());
        Assert.Equal(new[] { 5, 4, 10 }, World.TransferTasks.Select(t => t.LabelSet.Count).ToArray());
        Assert.All(World.TransferTasks, t => Assert.True(t.Train.Count > 0 && t.Test.Count > 0));
    }

    [Fact]
    public void Rerun_skips_every_part_and_keeps_the_fingerprint()
    {
        var log = new List<string>();
        using var again = FashionMnistPlusWorld.Build(fixture.Settings, fixture.Folder, log.Add);
        Assert.Equal(FashionMnistPlusWorld.PartNames.Select(p => $"{p}: present, skipped"), log);
        Assert.Equal(World.Fingerprint, again.Fingerprint);
        Assert.All(fixture.BuildLog.Where(l => !l.StartsWith("warning")), l => Assert.Contains("built in", l));
    }

    [Fact]
    public void A_part_left_incomplete_by_a_killed_build_is_rebuilt_alone()
    {
        // A killed save leaves a set folder without its manifest (ImageSetStore writes it last).
        File.Delete(Path.Combine(fixture.Folder, "transfer", "rotation", "test", "manifest.json"));
        var log = new List<string>();
        using var resumed = FashionMnistPlusWorld.Build(fixture.Settings, fixture.Folder, log.Add);
        Assert.Equal(FashionMnistPlusWorld.PartNames.Length - 1, log.Count(l => l.EndsWith("present, skipped")));
        Assert.StartsWith("transfer: built in", log.Single(l => !l.EndsWith("present, skipped") && !l.StartsWith("warning")));
        Assert.Equal(World.Fingerprint, resumed.Fingerprint); // deterministic: the same content again
    }

    [Fact]
    public void A_folder_built_with_other_settings_is_refused()
    {
        var e = Assert.Throws<SelectBenchException>(() => FashionMnistPlusWorld.Build(fixture.Settings with { Seed = 5 }, fixture.Folder));
        Assert.Contains("other settings", e.Message);
        Assert.Contains(fixture.Folder, e.Message);
    }

    [Fact]
    public void Loading_a_missing_world_names_the_folder()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-world-{Guid.NewGuid():N}");
        var e = Assert.Throws<BadInputException>(() => FashionMnistPlusWorld.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("world fashion-mnist", e.Message);
    }

    [Fact]
    public void Hard_set_rule_keeps_images_most_models_get_wrong_and_tops_up_thin_classes()
    {
        // 2 classes, 4 images: labels 0, 0, 1, 1. Three models' softmax rows.
        int[] labels = [0, 0, 1, 1];
        float[] m1 = [0.2f, 0.8f, 0.9f, 0.1f, 0.3f, 0.7f, 0.4f, 0.6f]; // predicts 1, 0, 1, 1
        float[] m2 = [0.4f, 0.6f, 0.6f, 0.4f, 0.2f, 0.8f, 0.1f, 0.9f]; // predicts 1, 0, 1, 1
        float[] m3 = [0.7f, 0.3f, 0.8f, 0.2f, 0.45f, 0.55f, 0.3f, 0.7f]; // predicts 0, 0, 1, 1
        var selection = HardSetBuilder.Select([m1, m2, m3], labels, classes: 2, minWrong: 2, minPerClass: 1);
        // Image 0 is wrong for 2 of 3 models; class 1 has none, so it gets its lowest mean true-class
        // probability image: image 2 (mean (0.7 + 0.8 + 0.55) / 3 = 0.683) vs image 3 (0.733).
        Assert.Equal(new[] { 0, 2 }, selection.Indices);
        Assert.Equal(1, selection.Misclassified);
        Assert.Equal(new[] { 2 }, selection.ToppedUp);
        Assert.Equal(new[] { 0.75, 0.75, 1.0 }, selection.ModelAccuracies);
    }

    [Fact]
    public void An_unknown_profile_is_an_error_naming_it()
    {
        var e = Assert.Throws<BadInputException>(() => FashionMnistPlusSettings.ForProfile("huge"));
        Assert.Contains("huge", e.Message);
        Assert.Contains("tiny, quick, standard", e.Message);
    }
}
