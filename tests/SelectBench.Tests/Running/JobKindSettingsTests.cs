using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

/// <summary>
/// Every job kind reads a typed settings record; the plan writes plain JSON (so its bytes, and the keys, stay what
/// earlier runs have). These tests hold the two together.
/// </summary>
public class JobKindSettingsTests
{
    public static TheoryData<string> Profiles => new() { "tiny", "quick", "standard" };

    [Fact]
    public void EveryJobKindIsRegisteredWithASettingsRecord()
    {
        Assert.Equal(
            ["analyse", "corrupt", "curate", "evaluate", "linear-probe", "report", "score", "selftest-fault", "selftest-sum", "ssl-encoder", "train", "world"],
            JobKinds.Registry.Names);
        foreach (var entry in JobKinds.Registry.Entries)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.Description), entry.Name);
            Assert.NotNull(entry.Settings);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void EveryKeyThePlanWritesIsAFieldOfTheKindsRecord(string profile)
    {
        var plan = BenchmarkPlan.Build(RunProfiles.Load(profile));
        foreach (var job in plan.Jobs)
        {
            var settings = JobKinds.Settings(job); // binds and validates
            Assert.NotNull(settings);
            var fields = JsonNames(settings!.GetType());
            foreach (var (key, _) in job.Settings)
                Assert.True(fields.Contains(key), $"job '{job.Id}' ({job.Kind}) writes '{key}', which {settings.GetType().Name} does not read.");
        }
    }

    [Fact]
    public void TheRecordsCarryWhatThePlanWrote()
    {
        var config = RunProfiles.Load("quick");
        var plan = BenchmarkPlan.Build(config);
        var train = (TrainJobSettings)JobKinds.Settings(plan[BenchmarkPlan.TrainJob("expert-f0.125", 1)])!;
        Assert.Equal(("expert", 0.125, config.Curation.Seed, 1), (train.Shift, train.Fraction, train.FractionSeed, train.Recipe.Seed));
        var report = (ReportJobSettings)JobKinds.Settings(plan[BenchmarkPlan.ReportJob])!;
        Assert.Equal(config.Seeds, report.Seeds);
        Assert.Equal("quick", report.Profile);
        Assert.Equal(config.Curation.Shifts.Select(s => s.Name), report.Shifts);
        Assert.Equal(config.Training.Model, report.RunSettings["model"]!.ToString());
    }

    [Fact]
    public void TheProgressWeightsReadTheTypedSettings()
    {
        var plan = BenchmarkPlan.Build(RunProfiles.Load("tiny"));
        Assert.Equal(10, BenchmarkPlan.EstimatedSeconds(plan[BenchmarkPlan.WorldJob]));
        var train = plan.Jobs.First(j => j.Kind == TrainJobKind.KindName);
        var t = (TrainJobSettings)JobKinds.Settings(train)!;
        Assert.Equal(1 + t.ExpectedImages * t.Recipe.Epochs * t.Recipe.Width * t.Recipe.Width / 150.0, BenchmarkPlan.EstimatedSeconds(train));
        Assert.Equal(15, BenchmarkPlan.EstimatedSeconds(plan.Jobs.First(j => j.Kind == AnalyseJobKind.KindName)));
        Assert.Equal(5, BenchmarkPlan.EstimatedSeconds(plan[BenchmarkPlan.ReportJob]));
    }

    [Fact]
    public void ABadSettingFailsTheJobWithAnErrorNamingTheJobAndTheField()
    {
        var plan = BenchmarkPlan.Build(RunProfiles.Load("tiny"));
        var job = plan.Jobs.First(j => j.Kind == TrainJobKind.KindName);
        var settings = (JsonObject)job.Settings.DeepClone();
        settings["fraction"] = 2.5;
        var e = Assert.Throws<SelectBenchException>(() => JobKinds.Create(job with { Settings = settings }));
        Assert.Contains($"job '{job.Id}'.fraction: 2.5 is not allowed", e.Message);

        settings["fraction"] = 1;
        settings.Remove("recipe");
        e = Assert.Throws<SelectBenchException>(() => JobKinds.Settings(job with { Settings = settings }));
        Assert.Contains("recipe", e.Message);

        var wrongType = new JsonObject { ["shift"] = new JsonArray() };
        e = Assert.Throws<SelectBenchException>(() => JobKinds.Settings(job with { Settings = wrongType }));
        Assert.Contains($"job '{job.Id}': settings do not fit {nameof(TrainJobSettings)}", e.Message);
    }

    private static HashSet<string> JsonNames(Type record) =>
        record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? SettingsBinder.SnakeCase(p.Name))
            .ToHashSet(StringComparer.Ordinal);
}
