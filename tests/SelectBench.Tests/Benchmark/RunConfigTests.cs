using SelectBench.Benchmark;
using SelectBench.Common;

namespace SelectBench.Tests.Benchmark;

public class RunConfigTests
{
    private const string Minimal = """
        name: t
        world: { profile: tiny }
        curation: { config: curation-quick.yaml, target_size: 50 }
        training: { width: 0.25, epochs: 2 }
        seeds: [3, 4]
        expert_fractions: [0.5, 0.25]
        """;

    [Theory]
    [InlineData("tiny")]
    [InlineData("quick")]
    [InlineData("standard")]
    public void EveryBuiltInProfileLoadsWithSixShiftsAndTwoOrMoreSeeds(string profile)
    {
        var config = RunProfiles.Load(profile);
        Assert.Equal(profile, config.Profile);
        Assert.Equal(["expert", "embedding-search", "class-query-search", "crowd-schema", "synthetic-txt2img", "synthetic-img2img"],
            config.Curation.Shifts.Select(s => s.Name));
        Assert.True(config.Seeds.Count >= 2);
        Assert.Equal(8, config.Evaluation.Suite.Count);
    }

    [Fact]
    public void ProfilesHaveTheIssuesShiftSizesAndSeeds()
    {
        Assert.Equal(2000, RunProfiles.Load("quick").Curation.TargetSize);
        var standard = RunProfiles.Load("standard");
        Assert.Equal(6000, standard.Curation.TargetSize);
        Assert.Equal(3, standard.Seeds.Count);
        Assert.Equal("ssl", standard.Evaluation.Encoder);
    }

    [Fact]
    public void IncludedCurationConfigTakesOverridesAndListsAreParsed()
    {
        var config = RunConfig.Parse(Minimal, "test");
        Assert.Equal(50, config.Curation.TargetSize);
        Assert.Equal(0.25, config.Training.Width);
        Assert.Equal(2, config.Training.Epochs);
        Assert.Equal(0.1, config.Training.LearningRate); // an unset field keeps the default recipe's value
        Assert.Equal([3, 4], config.Seeds);
        Assert.Equal([0.25, 0.5], config.ExpertFractions);
        Assert.Equal("expert", config.ReferenceShift);
        Assert.Matches("^[0-9a-f]{12}$", config.Hash);
    }

    [Theory]
    [InlineData(null, "local")] // each job in a child process, unless the config says otherwise
    [InlineData("local-threads", "local-threads")]
    [InlineData("slurm", "slurm")]
    [InlineData("in-process", "local")] // the old name, in configs written before jobs had processes of their own
    public void TheExecutorIsLocalUnlessTheConfigNamesAnother(string? written, string read)
    {
        var yaml = written is null ? Minimal : Minimal + $"\nexecutor: {{ kind: {written} }}";
        Assert.Equal(read, RunConfig.Parse(yaml, "t").Executor.Kind);
    }

    [Theory]
    [InlineData("colour: red", "'colour' is not a run config key")]
    [InlineData("training: { epocs: 3 }", "training.epocs: unknown setting")]
    [InlineData("training: { epochs: 0 }", "training: Recipe field 'epochs' = 0 is invalid")]
    [InlineData("seeds: [1, 1]", "seeds repeats a seed")]
    [InlineData("seeds: [one]", "seeds[0]: 'one' is not allowed")]
    [InlineData("expert_fractions: [1.5]", "expert_fractions: 1.5 is not allowed")]
    [InlineData("evaluation: { suite: [base, speed] }", "evaluation.suite: 'speed' is not a metric")]
    [InlineData("evaluation: { speed: 3 }", "evaluation.speed: unknown setting; allowed: suite, encoder, ssl, bootstrap")]
    [InlineData("evaluation: { bootstrap: 5 }", "evaluation.bootstrap: 5 is not allowed; give at least 10 resamples")]
    [InlineData("evaluation: { transfer: { steps: 0 } }", "evaluation.transfer.steps: 0 is not allowed")]
    [InlineData("evaluation: { transfer: { steps: -3 } }", "evaluation.transfer.steps: -3 is not allowed")] // issue 12 item 5
    [InlineData("evaluation: { knn: { images_per_class: [-2, 4] } }", "evaluation.knn.images_per_class: -2 is not allowed")]
    [InlineData("evaluation: { ssl: { batch_size: 1 } }", "evaluation.ssl.batch_size: 1 is not allowed")]
    [InlineData("executor: { gpus: -1 }", "executor.gpus: -1 is not allowed")]
    [InlineData("evaluation: { corruptions: [fgo] }", "evaluation.corruptions: 'fgo' is not allowed")]
    [InlineData("executor: { kind: kubernetes }", "executor.kind: 'kubernetes' is not an executor; use one of local, local-threads, slurm")]
    [InlineData("world: { profile: huge }", "profile")]
    [InlineData("reference_shift: gold", "reference_shift 'gold' is not one of the shifts")]
    public void ABadFieldIsAnErrorNamingIt(string line, string expected)
    {
        // A repeated top-level key replaces the minimal one: YAML forbids duplicates, so rebuild the text.
        var key = line.Split(':')[0];
        var lines = Minimal.Split('\n').Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)).Append(line);
        var error = Assert.Throws<SelectBenchException>(() => RunConfig.Parse(string.Join('\n', lines), "my.yaml"));
        Assert.Contains("my.yaml", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AMissingIncludedFileAndAMissingConfigFileAreNamed()
    {
        var e = Assert.ThrowsAny<SelectBenchException>(() => RunConfig.Parse("name: t\ncuration: { config: nowhere.yaml }", "my.yaml"));
        Assert.Contains("nowhere.yaml", e.Message);
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.yaml");
        Assert.Contains(missing, Assert.ThrowsAny<SelectBenchException>(() => RunConfig.Load(missing)).Message);
        Assert.Contains("'huge' is not a built-in profile", Assert.ThrowsAny<SelectBenchException>(() => RunProfiles.Load("huge")).Message);
    }

    [Fact]
    public void EachCurateJobSeesOnlyItsOwnShift()
    {
        var config = RunConfig.Parse(Minimal, "test");
        var json = config.CurationJson("crowd-schema");
        Assert.Contains("crowd-schema", json);
        Assert.DoesNotContain("embedding-search", json);
        Assert.Contains("\"target_size\":\"50\"", json);
    }

    [Fact]
    public void ADuplicateNameIsRefusedNamingBothLines()
    {
        var e = Assert.Throws<SelectBenchException>(() => RunConfig.Parse(Minimal + "\nname: other", "dup.yaml"));
        Assert.Contains("dup.yaml", e.Message);
        Assert.Contains("'name'", e.Message);
        Assert.Contains("first on line 1", e.Message);
        Assert.Contains("line 7", e.Message);
    }

    [Fact]
    public void TwoShiftsNamedExpertAreRefused()
    {
        // The second 'expert' used to replace the first, so the reference shift silently ran as crowd-schema.
        const string yaml = """
            name: t
            world: { profile: tiny }
            curation:
              target_size: 50
              shifts:
                expert: { strategy: expert, settings: { source: E } }
                expert: { strategy: crowd-schema }
            """;
        var e = Assert.Throws<SelectBenchException>(() => RunConfig.Parse(yaml, "shifts.yaml"));
        Assert.Contains("shifts.yaml", e.Message);
        Assert.Contains("'expert'", e.Message);
        Assert.Contains("line 7", e.Message);
        Assert.Contains("first on line 6", e.Message);
    }

    [Fact]
    public void EveryShippedConfigHasNoDuplicateKeys()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "SelectBench.sln"))) root = root.Parent!;
        var files = Directory.GetFiles(Path.Combine(root.FullName, "configs"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.NotNull(SafeYaml.ParseMapping(File.ReadAllText(file), file));
    }
}
