using System.Reflection;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Crowd;
using SelectBench.Curation.Generators;
using SelectBench.Curation.PostSteps;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Models;
using SelectBench.Tests.Curation;
using SelectBench.Tests.Data;
using static TorchSharp.torch;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// Checks every registered name of every registry in <see cref="RegistryCatalog"/>, in the spirit of
/// scikit-learn's <c>check_estimator</c>: settings round-trip through a config section, a bad setting is an error
/// naming it, a typo suggests the nearest name, and each strategy, post-step, model, encoder kind and reader works on
/// tiny data. A new library entry without a tiny-data fixture here fails with a message saying to add one.
/// </summary>
public class RegistryConformanceTests
{
    private static readonly Assembly Library = typeof(SelectBenchException).Assembly;

    /// <summary>The library's own entries; tests may register more (see <see cref="ExtensionInOneFileTests"/>).</summary>
    private static IEnumerable<(CatalogSection Section, RegistryEntry Entry)> LibraryEntries() =>
        RegistryCatalog.Sections.SelectMany(s => s.Registry.Entries.Where(e => e.Implementation.Assembly == Library).Select(e => (s, e)));

    public static TheoryData<string, string> AllNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var (section, entry) in LibraryEntries()) data.Add(section.Name, entry.Name);
        return data;
    }

    public static TheoryData<string, string> NamesWithSettings()
    {
        var data = new TheoryData<string, string>();
        foreach (var (section, entry) in LibraryEntries())
            if (entry.Settings != null) data.Add(section.Name, entry.Name);
        return data;
    }

    private static IEnumerable<string> LibraryNames(string section) =>
        RegistryCatalog.Get(section).Registry.Entries.Where(e => e.Implementation.Assembly == Library).Select(e => e.Name);

    public static TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (var name in LibraryNames(section)) data.Add(name);
        return data;
    }

    private static IRegistry Registry(string section) => RegistryCatalog.Get(section).Registry;

    [Fact]
    public void Every_registry_of_the_library_is_in_the_catalog()
    {
        const BindingFlags statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        static bool IsRegistry(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Registry<>);
        var registries = Library.GetTypes().Where(t => !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetProperties(statics).Where(p => IsRegistry(p.PropertyType)).Select(p => (Where: $"{t.Name}.{p.Name}", Value: p.GetValue(null)))
                .Concat(t.GetFields(statics).Where(f => IsRegistry(f.FieldType) && !f.Name.Contains('<')).Select(f => (Where: $"{t.Name}.{f.Name}", Value: f.GetValue(null)))))
            .Select(r => (r.Where, Registry: (IRegistry)r.Value!))
            .ToList();
        Assert.NotEmpty(registries);
        var missing = registries.Where(r => !RegistryCatalog.Sections.Any(s => ReferenceEquals(s.Registry, r.Registry))).Select(r => r.Where).ToList();
        Assert.True(missing.Count == 0, $"add these registries to RegistryCatalog.Sections so 'selectbench list' shows them: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(NamesWithSettings))]
    public void Default_settings_round_trip_through_a_config_section(string section, string name)
    {
        var entry = Registry(section).Get(name);
        var defaults = SettingsBinder.Defaults(entry.Settings!);
        var config = SettingsSchema.ToSection(defaults);
        var bound = SettingsBinder.Bind(entry.Settings!, config, $"{section}.{name}");
        Assert.Equal(CurationConfig.Canonical(config), CurationConfig.Canonical(SettingsSchema.ToSection(bound)));
        if (!entry.Settings!.GetProperties().Any(p => p.PropertyType.IsArray)) Assert.Equal(defaults, bound); // records compare arrays by reference
        Assert.Equal(SettingsSchema.Fields(entry.Settings!).Select(f => f.Key), SettingsSchema.Fields(entry.Settings!).Select(f => f.Key).Distinct());
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void An_unknown_setting_is_an_error_naming_the_key(string section, string name)
    {
        var e = Assert.Throws<SelectBenchException>(() =>
            Registry(section).BindSettings(name, new Dictionary<string, object?> { ["no_such_setting"] = "1" }, "cfg"));
        Assert.Contains("no_such_setting", e.Message);
        Assert.StartsWith("cfg", e.Message);
    }

    [Theory]
    [MemberData(nameof(NamesWithSettings))]
    public void A_value_of_the_wrong_shape_is_an_error_naming_the_field(string section, string name)
    {
        // A mapping where a number, text, flag or list belongs: every field must refuse it and name itself.
        var registry = Registry(section);
        foreach (var field in SettingsSchema.Fields(registry.Get(name).Settings!))
        {
            var bad = new Dictionary<string, object?> { [field.Key] = new Dictionary<string, object?> { ["x"] = "1" } };
            var e = Assert.Throws<SelectBenchException>(() => registry.BindSettings(name, bad, "cfg"));
            Assert.StartsWith($"cfg.{field.Key}", e.Message);
        }
    }

    [Theory]
    [InlineData("strategies", "embedding-search", "neighbours_per_query: -1", "cfg.neighbours_per_query: -1 is not allowed")]
    [InlineData("strategies", "class-query-search", "shots: 0", "cfg.shots: 0 is not allowed")]
    [InlineData("strategies", "crowd-schema", "max_iterations: -5", "cfg.max_iterations: -5 is not allowed")]
    [InlineData("strategies", "expert", "per_class: -2", "cfg.per_class: -2 is not allowed")]
    [InlineData("strategies", "import", "{ source: x, max_images: -1 }", "cfg.max_images: -1 is not allowed")]
    [InlineData("strategies", "synthetic", "strength: 1.5", "cfg.strength: 1.5 is not allowed")]
    [InlineData("post-steps", "near-duplicates", "duplicate_neighbours: -1", "cfg.duplicate_neighbours: -1 is not allowed")]
    [InlineData("post-steps", "leakage", "leakage_threshold: 0.9", "cfg.leakage_eval_sets: empty")]
    [InlineData("post-steps", "class-cap", "class_cap: -3", "cfg.class_cap: -3 is not allowed")]
    [InlineData("strategies", "web-labels", "web_label_noise: 1.5", "cfg.web_label_noise: 1.5 is not allowed")]
    [InlineData("strategies", "prototype-pruning", "keep: middle", "cfg.keep: 'middle' is not allowed")]
    [InlineData("strategies", "el2n-pruning", "prune_fraction: 1", "cfg.prune_fraction: 1 is not allowed")]
    [InlineData("post-steps", "semdedup", "semdedup_share: 2", "cfg.semdedup_share: 2 is not allowed")]
    public void A_bad_value_is_an_error_naming_the_field(string section, string name, string yaml, string expected)
    {
        var e = Assert.Throws<SelectBenchException>(() => Registry(section).BindSettings(name, SettingsBinder.ParseYaml(yaml, "cfg"), "cfg"));
        Assert.StartsWith(expected, e.Message);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void A_typo_suggests_the_nearest_name(string section, string name)
    {
        var typo = name[..1] + name; // one letter doubled: one edit from the name
        var e = Assert.Throws<SelectBenchException>(() => Registry(section).Get(typo, "cfg"));
        Assert.Contains($"did you mean '{name}'?", e.Message);
        Assert.Contains("selectbench list", e.Message);
    }

    [Fact]
    public void Typos_where_users_write_names_suggest_the_nearest()
    {
        var spec = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("shifts:\n  la: { strategy: embeding-search }"));
        Assert.Contains("did you mean 'embedding-search'?", spec.Message);
        Assert.Contains("did you mean 'resnet20'?", Assert.Throws<SelectBenchException>(() => ModelZoo.Create("resnet-20", 1, 10)).Message);
        Assert.Contains("Did you mean 'pca'?", Assert.Throws<SelectBenchException>(() => EncoderSpec.Resolve("pcaa:8", () => throw new InvalidOperationException())).Message);
        Assert.Contains("Did you mean 'fashion-mnist'?", Assert.Throws<SelectBenchException>(() => DataSources.Load("fashion-mnst:test")).Message);
        Assert.Contains("did you mean 'readers'?", Assert.Throws<SelectBenchException>(() => RegistryCatalog.Get("reader")).Message);
    }

    // ---- Strategies on tiny data -------------------------------------------------------------------------

    /// <summary>Paints each image with its class (txt2img) or copies its prompt (img2img).</summary>
    private sealed class PaintGenerator : IImageGenerator
    {
        public string Name => "paint";

        public ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed)
        {
            var list = perClassCounts.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
            var ids = list.Select((_, i) => $"g{i}").ToArray();
            var prov = list.Select((_, i) => new SampleProvenance("generator:paint", ids[i], GeneratorSeed: seed + i)).ToArray();
            return new ImageSet(list.SelectMany(c => Enumerable.Repeat((byte)c, 4)).ToArray(), list, labels, 1, 2, 2, ids, prov);
        }

        public ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed) =>
            new(prompts.Pixels, prompts.Labels, prompts.LabelSet, 1, 2, 2, prompts.Ids.Select(i => $"regen-{i}").ToArray());
    }

    /// <summary>Two classes: baseline queries at 0 and 90 degrees, a pool spread around them (as in EmbeddingSearchTests).</summary>
    private static TinyWorld TwoClassWorld()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("q", 6), [0, 0, 0, 1, 1, 1],
            [TinyWorld.At(0), TinyWorld.At(3), TinyWorld.At(6), TinyWorld.At(90), TinyWorld.At(87), TinyWorld.At(84)]);
        world.AddSet("pool", TinyWorld.Ids("p", 6), [0, 0, 0, 0, 0, 0],
            [TinyWorld.At(1), TinyWorld.At(2), TinyWorld.At(5), TinyWorld.At(88), TinyWorld.At(89), TinyWorld.At(45)]);
        return world;
    }

    /// <summary>Per strategy: its settings (YAML) and a tiny context to build in.</summary>
    private static (string Settings, CurationContext Context) StrategyFixture(string name, TempFolder tmp)
    {
        switch (name)
        {
            case "expert": return ("{}", TwoClassWorld().Context(targetSize: 4));
            case "embedding-search": return ("{}", TwoClassWorld().Context(targetSize: 4));
            case "class-query-search": return ("{ shots: 2 }", TwoClassWorld().Context(targetSize: 4));
            case "synthetic":
                return ("{}", TwoClassWorld().Context(4, generators: new() { ["paint"] = new PaintGenerator() }));
            case "crowd-schema":
                {
                    var sim = SimulatedCrowd.Simulate(SimulatedCrowdTests.FashionPool(20), CrowdTaxonomyDefinition.FashionMnist,
                        new CrowdSimulationSettings(Images: 100), seed: 5);
                    return ("{}", new TinyWorld(LabelSet.FashionMnist).Context(50, crowds: new() { ["crowd"] = sim.Annotations }));
                }
            case "import":
                {
                    var world = TwoClassWorld();
                    var folder = tmp.File("made-elsewhere");
                    ImageSetStore.Save(world.Sets["pool"].WithLabels([0, 1, 0, 1, 0, 1]), folder);
                    return ($"{{ source: '{folder}', channels: 1 }}", world.Context(4));
                }
            // The selection strategies read the pool's own labels as web labels (TwoClassWorld's pool has no hidden truth to simulate from).
            case "web-labels" or "label-cleaning" or "semdedup" or "prototype-pruning" or "kcenter-coreset" or "embedding-consensus":
                return ("{ web_labels: given }", TwoClassWorld().Context(targetSize: 4));
            case "el2n-pruning": return ("{ web_labels: given, cache_scores: false }", TwoClassWorld().Context(targetSize: 4));
            default:
                throw new Xunit.Sdk.XunitException($"strategy '{name}' has no tiny-data fixture; add one to RegistryConformanceTests.StrategyFixture.");
        }
    }

    [Theory]
    [MemberData(nameof(Names), "strategies")]
    public void Every_strategy_builds_a_shift_on_tiny_data(string name)
    {
        using var tmp = new TempFolder();
        var (settings, context) = StrategyFixture(name, tmp);
        var spec = new ShiftSpec("tiny", name, SettingsBinder.ParseYaml(settings, "settings"), new PostStepSettings());
        var shift = ShiftCurator.Build(spec, context);
        Assert.Equal("tiny", shift.Name);
        Assert.Equal(name, shift.Strategy); // IShiftStrategy.Name is the registered name
        Assert.True(shift.Images.Count > 0, $"{name} built an empty shift");
        Assert.Equal(shift.Images.Count, shift.Provenance.Length);
        Assert.Equal(shift.Images.Count, shift.Report.ClassCounts.Sum());
    }

    // ---- Post-steps on tiny data -------------------------------------------------------------------------

    public static TheoryData<string, string> PostStepsOn() => new()
    {
        { "leakage", "{ leakage_threshold: 0.99, leakage_eval_sets: [test] }" },
        { "near-duplicates", "{ near_duplicate_threshold: 0.99 }" },
        { "class-cap", "{ class_cap: 2 }" },
        { "balance", "{ balance: true }" },
        { "semdedup", "{ semdedup_share: 0.2 }" },
        { "label-cleaning", "{ label_cleaning: true, label_cleaning_neighbours: 2 }" },
    };

    [Fact]
    public void Every_post_step_has_a_tiny_data_case()
    {
        var covered = PostStepsOn().Cast<object[]>().Select(row => (string)row[0]).ToHashSet();
        var missing = LibraryNames("post-steps").Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"add a case to RegistryConformanceTests.PostStepsOn for: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(PostStepsOn))]
    public void Every_post_step_is_off_by_default_and_keeps_a_subset_when_on(string name, string settings)
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        // Class a: e0 = e1 (a near-duplicate pair), e2; class b: e3, and e4 equal to the test image (leaked).
        // N/K = 3 takes all of a and, with allow_shortfall, both of b: 5 images, every step has one to remove.
        world.AddSet("baseline", TinyWorld.Ids("e", 5), [0, 0, 0, 1, 1],
            [TinyWorld.At(0), TinyWorld.At(0), TinyWorld.At(60), TinyWorld.At(90), TinyWorld.At(180)]);
        world.AddSet("test", TinyWorld.Ids("t", 1), [1], [TinyWorld.At(180)]);
        var context = world.Context(targetSize: 6);
        var shift = ShiftCurator.Build(new ShiftSpec("s", "expert", new Dictionary<string, object?> { ["allow_shortfall"] = "true" }, new PostStepSettings()), context);

        Assert.Null(ShiftPostSteps.Registry.Create(name).Run(shift, context));
        var step = ShiftPostSteps.Registry.Create(name, SettingsBinder.ParseYaml(settings, "post_steps"), "post_steps");
        var outcome = step.Run(shift, context);
        Assert.NotNull(outcome);
        Assert.Equal(outcome.Keep.Order().Distinct(), outcome.Keep);
        Assert.All(outcome.Keep, i => Assert.InRange(i, 0, shift.Images.Count - 1));
        Assert.True(outcome.Keep.Length < shift.Images.Count, $"{name} removed nothing from a shift built to have something to remove");
    }

    // ---- Models, encoders and readers --------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Names), "models")]
    public void Every_model_gives_logits_for_any_channels_and_classes(string name)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(name, channels: 2, classes: 3, width: 0.25, generator: new Generator(1, CPU));
        model.eval();
        Assert.Equal(new long[] { 2, 3 }, model.forward(zeros(2, 2, 16, 16)).shape);
    }

    /// <summary>Per encoder kind: a spec and whether it opens here (else the error must name the spec).</summary>
    private static (string Spec, bool Opens) EncoderFixture(string kind, string folder) => kind switch
    {
        "pca" => ("pca:4", true),
        "pca-model" => ($"pca-model:{folder}", true),
        "resnet18" => ("resnet18", true),
        "ssl" => ("ssl:/no/such/folder", false),
        "checkpoint" => ("checkpoint:/no/such/model.pt", false),
        "onnx" => ("onnx:/no/such/model.onnx", false),
        _ => throw new Xunit.Sdk.XunitException($"encoder kind '{kind}' has no fixture; add one to RegistryConformanceTests.EncoderFixture."),
    };

    [Theory]
    [MemberData(nameof(Names), "encoders")]
    public void Every_encoder_kind_opens_or_names_the_missing_input(string kind)
    {
        using var tmp = new TempFolder();
        var fit = SelectBench.Tests.Encoders.EncoderTestData.Shapes(30, 8, seed: 1);
        using (var saved = PixelPcaEncoder.Fit(fit, components: 4)) saved.Save(tmp.Path);
        var (spec, opens) = EncoderFixture(kind, tmp.Path);
        if (!opens)
        {
            var e = Assert.Throws<SelectBenchException>(() => EncoderSpec.Resolve(spec, () => fit));
            Assert.Contains($"Encoder '{spec}'", e.Message);
            return;
        }
        using var encoder = EncoderSpec.Resolve(spec, () => fit);
        if (kind == "resnet18") return; // opening the ONNX session is the check; encoding at 224 x 224 is OnnxImageEncoderTests' job
        var embeddings = encoder.Encode(fit);
        Assert.Equal((fit.Count, encoder.Dimension), (embeddings.Count, embeddings.Dimension));
    }

    /// <summary>Per reader: a tiny source written into <paramref name="tmp"/>, its spec and its image count.</summary>
    private static async Task<(string Spec, int Count)> ReaderFixture(string reader, TempFolder tmp)
    {
        switch (reader)
        {
            case "fashion-mnist":
                Skip.IfNot(Directory.Exists(FashionMnist.SystemFolder), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
                return ("fashion-mnist:test", FashionMnist.TestCount);
            case "image-set":
                ImageSetStore.Save(DataSources.Load(Fixtures.WriteImageFolder(tmp.File("tree")), new DataLoadOptions(UseCache: false)).Images, tmp.File("set"));
                return (tmp.File("set"), 3);
            case "imagefolder": return (Fixtures.WriteImageFolder(tmp.File("tree")), 3);
            case "parquet": return (await Fixtures.WriteParquet(tmp.File("train.parquet")), 3);
            case "cifar": return (Fixtures.WriteCifar10Test(tmp.File("cifar")) + ":test", 2);
            case "idx":
                {
                    var (images, labels) = IdxReaderTests.TinyPair();
                    File.WriteAllBytes(tmp.File("tiny-images-idx3-ubyte"), images);
                    File.WriteAllBytes(tmp.File("tiny-labels-idx1-ubyte"), labels);
                    return (tmp.File("tiny-images-idx3-ubyte"), 3);
                }
            case "webdataset":
                {
                    var set = DataSources.Load(Fixtures.WriteImageFolder(tmp.File("tree")), new DataLoadOptions(UseCache: false)).Images;
                    WebDatasetWriter.Write(set, tmp.File("shards"), samplesPerShard: 2);
                    return (tmp.File("shards") + "/shard-{000000..000001}.tar", 3);
                }
            default:
                throw new Xunit.Sdk.XunitException($"reader '{reader}' has no tiny-file fixture; add one to RegistryConformanceTests.ReaderFixture.");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Names), "readers")]
    public async Task Every_reader_claims_and_reads_its_tiny_file(string reader)
    {
        using var tmp = new TempFolder();
        var (spec, count) = await ReaderFixture(reader, tmp);
        var resolved = DataSources.Resolve(SourceSpec.Parse(spec));
        Assert.Equal(reader, ImageSetReaders.Registry.Entries.Single(e => e.Implementation == resolved.GetType()).Name);
        var result = DataSources.Load(spec, new DataLoadOptions(UseCache: false));
        Assert.Equal(count, result.Images.Count);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void The_reader_order_lists_only_registered_readers_and_ends_with_the_fallback()
    {
        var names = ImageSetReaders.Registry.Names;
        Assert.All(ImageSetReaders.Order, n => Assert.Contains(n, names));
        Assert.Contains(ImageSetReaders.Fallback, names);
        var asked = ImageSetReaders.InOrder().Select(r => ImageSetReaders.Registry.Entries.Single(e => e.Implementation == r.GetType()).Name).ToList();
        Assert.Equal(ImageSetReaders.Order, asked.Take(ImageSetReaders.Order.Count));
        Assert.Equal(ImageSetReaders.Fallback, asked[^1]);
    }
}
