using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Tests.Evaluation.Suite;
using SelectBench.Tests.Training;
using SelectBench.Training;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// Tiny inputs on which every registered metric can produce every key it declares: a model and its checkpoint, a
/// base set, a natural set, a transfer task, a shift with hidden true labels, a reference set and model, an encoder,
/// a leakage set, a reference model's corruption errors.
/// </summary>
public sealed class MetricConformanceFixture : IDisposable
{
    private static readonly LabelSet Ten = LabelSet.Numbered(10);

    public MetricConformanceFixture()
    {
        TestConfidenceMetric.Register();
        Folder = TinyData.TempFolder("conformance");
        var baseSet = TinyData.Blocks(40, 1, size: 8);
        var shift = TinyData.Blocks(60, 2, size: 8);
        var provenance = Enumerable.Range(0, shift.Count)
            .Select(i => new SampleProvenance("test", $"s{i}", TrueLabel: i % 7 == 0 ? (shift.Labels[i] + 1) % 10 : shift.Labels[i])).ToArray();
        var shiftWithTruth = new ImageSet(shift.Pixels, shift.Labels, Ten, 1, 8, 8, shift.Ids, provenance);
        var recipe = new TrainingRecipe(Model: "resnet20", Width: 0.25, Epochs: 1, BatchSize: 20, LearningRate: 0.05, WarmupEpochs: 0,
            Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 1, Threads: 1);
        var trained = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(TinyData.Blocks(40, 3, size: 8), null, null,
            Path.Combine(Folder, "model"));
        var reference = Path.Combine(Folder, "reference_errors.json");
        AtomicFile.WriteJson(reference, new CorruptionReference("ref", 0.5,
            SelectBench.Evaluation.Corruptions.Corruptions.Names.ToDictionary(n => n, _ => new[] { 0.6, 0.6, 0.6, 0.6, 0.6 })));
        var model = new TableClassifier(Ten, id => SuiteData.OneHot(int.Parse(id) % 10, 10));
        Inputs = new EvalInputs
        {
            LabelSet = Ten,
            Classifier = model,
            CheckpointPath = trained.CheckpointPath,
            BaseSet = baseSet,
            NaturalSets = [new NaturalEvalSet("blocks", TinyData.Blocks(20, 4, size: 8))],
            TransferTasks = [new TransferTask("blocks", TinyData.Blocks(20, 5, size: 8), TinyData.Blocks(20, 6, size: 8))],
            CorruptionReferencePath = reference,
            Shift = shiftWithTruth,
            ShiftTargetSize = 60,
            ReferenceSet = TinyData.Blocks(60, 7, size: 8),
            ReferenceClassifier = model,
            Encoder = new PixelEncoder(),
            LeakageSets = [new NaturalEvalSet("copy", shift.Select([0, 1, 2]))],
            ExpertPerClassAccuracy = Enumerable.Repeat(0.5, 10).ToArray(),
            ExpertClassCounts = Enumerable.Repeat(6, 10).ToArray(),
        };
        // Tiny settings where a default would be slow (1000 fine-tuning steps); every metric reads its keys from this one section.
        Section = EvalMetrics.With(null, new TransferMetricSettings(new TransferSettings(Steps: 3, BatchSize: 10, InputSize: 0)));
        // The CLIP metric needs a pair: the random-weight fixture of scripts/clip-fixture.
        Section = EvalMetrics.With(Section, new ClipMetricSettings(SelectBench.Tests.Encoders.ClipFixture.Settings()));
    }

    public string Folder { get; }
    public EvalInputs Inputs { get; }
    public JsonObject Section { get; }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Every registered metric, built-in or added from another assembly, keeps the contract of docs/metrics.md#adding-a-metric
/// (scikit-learn's check_estimator idea): its settings bind from a snake_case section and write back the same, a bad
/// key or value is an error naming it, it declares a scope and a family, and on tiny data it produces every key it declares.
/// </summary>
public sealed class MetricConformanceTests(MetricConformanceFixture fixture) : IClassFixture<MetricConformanceFixture>
{
    private const string Where = "my.yaml: evaluation";

    public static TheoryData<string> Metrics()
    {
        TestConfidenceMetric.Register();
        return new TheoryData<string>(EvalMetrics.Names);
    }

    [Fact]
    public void TheBuiltInMetricsAndTheTestAssemblysMetricAreRegistered()
    {
        TestConfidenceMetric.Register();
        Assert.Equal(["analytics", "base", "clip", "corruptions", "image-quality", "knn", "label-quality", "natural", "test-confidence", "transfer"],
            EvalMetrics.Names);
        Assert.Equal(["base", "natural", "corruptions", "transfer", "knn", "analytics", "label-quality", "image-quality"], EvalMetrics.DefaultSuite);
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void SettingsRoundTripThroughASnakeCaseSection(string name)
    {
        var defaults = EvalMetrics.Registry.DefaultSettings(name);
        Assert.NotNull(defaults); // every metric takes a settings record, even an empty one, so configs can grow
        var section = EvalMetrics.With(null, defaults!);
        Assert.All(section, p => Assert.Contains(p.Key, EvalMetrics.SettingsKeys(name)));
        Assert.Equal(section.ToJsonString(), EvalMetrics.With(null, EvalMetrics.BindSettings(name, section, Where)!).ToJsonString());

        // Every field away from its default: integers + 1, numbers halved, an absent (null) field set to 3 where 3 is allowed.
        // What binds is what was written.
        var edited = Perturb(section)!.AsObject();
        foreach (var key in EvalMetrics.SettingsKeys(name).Where(k => !section.ContainsKey(k)))
        {
            var attempt = EvalMetrics.With(null, defaults!);
            attempt[key] = 3;
            try
            {
                EvalMetrics.BindSettings(name, attempt, Where);
                edited[key] = 3;
            }
            catch (SelectBenchException)
            {
                // 3 is not a value of this field (a list of names, say); the defaults above still cover it.
            }
        }
        var bound = EvalMetrics.Registry.BindSettings(name, SettingsBinder.ParseJson(edited.ToJsonString(), Where), Where)!;
        Assert.Equal(edited.ToJsonString(), EvalMetrics.With(null, bound).ToJsonString());
        Assert.NotEqual(section.ToJsonString(), edited.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void AnUnknownKeyIsAnErrorNamingIt(string name)
    {
        var e = Assert.Throws<SelectBenchException>(() =>
            EvalMetrics.Registry.BindSettings(name, new Dictionary<string, object?> { ["no_such_setting"] = "1" }, Where));
        Assert.Contains($"{Where}.no_such_setting", e.Message);
        e = Assert.Throws<SelectBenchException>(() => EvalMetrics.BindSection(new Dictionary<string, object?> { ["no_such_setting"] = "1" }, Where));
        Assert.Contains($"{Where}.no_such_setting", e.Message);
        Assert.All(EvalMetrics.SettingsKeys(name), key => Assert.Contains(key, e.Message)); // the allowed keys are listed
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void ABadValueIsAnErrorNamingTheField(string name)
    {
        foreach (var key in EvalMetrics.SettingsKeys(name))
        {
            var e = Assert.Throws<SelectBenchException>(() =>
                EvalMetrics.Registry.BindSettings(name, new Dictionary<string, object?> { [key] = "not-a-value" }, Where));
            Assert.Contains($"{Where}.{key}", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void ItDeclaresAScopeAFamilyAndKeysItsPanelsAndColumnsUse(string name)
    {
        var d = EvalMetrics.Declaration(name);
        Assert.True(Enum.IsDefined(d.Scope));
        Assert.False(string.IsNullOrWhiteSpace(d.Family));
        Assert.NotEmpty(d.Panels);
        Assert.NotEmpty(d.Keys);
        Assert.Equal(d.Keys.Count, d.Keys.Distinct().Count());
        bool Declared(string key) => d.Keys.Contains(key) || d.Panels.Any(p => p.Resolve([key]).Count > 0);
        Assert.All(d.Panels.SelectMany(p => p.Metrics), key => Assert.Contains(key, d.Keys));
        Assert.All(d.Console.Select(c => c.Key).Concat(d.Headline).Concat(d.RankAgreement).Concat(d.LowerIsBetter),
            key => Assert.True(Declared(key), $"{name}: '{key}' is shown or ranked but not among its declared keys"));
        Assert.Equal(MetricInputs.None, d.Requires & d.Uses);
        foreach (var (other, od) in EvalMetrics.All.Where(m => m.Name != name))
            Assert.Empty(d.Keys.Intersect(od.Keys)); // two metrics writing one key would overwrite each other
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void AKeyTwoMetricsReadHasOneTypeAndDefault(string name)
    {
        var mine = EvalMetrics.With(null, EvalMetrics.Registry.DefaultSettings(name)!);
        foreach (var other in EvalMetrics.Names.Where(n => n != name))
        {
            var theirs = EvalMetrics.With(null, EvalMetrics.Registry.DefaultSettings(other)!);
            foreach (var key in EvalMetrics.SettingsKeys(name).Intersect(EvalMetrics.SettingsKeys(other)))
                Assert.Equal(mine[key]?.ToJsonString(), theirs[key]?.ToJsonString());
        }
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void OnTinyDataItProducesEveryKeyItDeclares(string name)
    {
        var metric = EvalMetrics.Create(name, fixture.Section, Where);
        var result = EvalSuite.Run([metric], fixture.Inputs, Path.Combine(fixture.Folder, "run-" + name), force: true);
        Assert.All(metric.Declaration.Keys, key => Assert.True(result.Values.ContainsKey(key), $"{name} did not produce '{key}'"));
        Assert.All(result.Values, v => Assert.True(double.IsFinite(v.Value.Estimate), $"{name}: {v.Key} = {v.Value.Estimate}"));
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void AMissingRequiredInputIsRefusedBeforeAnyMetricRuns(string name)
    {
        var d = EvalMetrics.Declaration(name);
        var bare = new EvalInputs { LabelSet = fixture.Inputs.LabelSet };
        if (d.Requires == MetricInputs.None) return;
        var e = Assert.Throws<SelectBenchException>(() => EvalSuite.Run([name], bare, Path.Combine(fixture.Folder, "bare-" + name)));
        Assert.Contains($"'{name}'", e.Message);
        Assert.False(File.Exists(Path.Combine(fixture.Folder, "bare-" + name, name, "result.json")));
    }

    private static JsonNode? Perturb(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Perturb(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Perturb).ToArray()),
        JsonValue v when v.TryGetValue<int>(out var i) => JsonValue.Create(i + 1),
        JsonValue v when v.TryGetValue<double>(out var d) => JsonValue.Create(d / 2),
        _ => node?.DeepClone(),
    };
}
