using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Strategies;

namespace SelectBench.Tests.Curation;

public class StrategyRegistryTests
{
    [Fact]
    public void TheFiveStrategyFamiliesImportAndTheSelectionStrategiesAreRegisteredByName()
    {
        // The library's own strategies; a test may register more (Architecture/RegistryConformanceTests).
        var library = ShiftStrategies.Registry.Entries.Where(e => e.Implementation.Assembly == typeof(ShiftCurator).Assembly).Select(e => e.Name);
        Assert.Equal(["class-query-search", "crowd-schema", "el2n-pruning", "embedding-consensus", "embedding-search", "expert", "import",
                      "kcenter-coreset", "label-cleaning", "prototype-pruning", "semdedup", "synthetic", "web-labels"], library.Order(StringComparer.Ordinal));
        Assert.IsType<EmbeddingSearch>(ShiftStrategies.Registry.Create("embedding-search"));
        var e = Assert.Throws<SelectBenchException>(() => ShiftStrategies.Registry.Create("laion-magic"));
        Assert.Contains("expert", e.Message);
    }

    [Fact]
    public void YamlSectionsBindToSettingsRecords()
    {
        var section = SettingsBinder.ParseYaml("""
            neighbours_per_query: 2
            similarity_floor: 0.25
            exclusive: false
            pool: web
            """, "shifts.la");
        var strategy = (EmbeddingSearch)ShiftStrategies.Registry.Create("embedding-search", section, "shifts.la.settings");
        Assert.Equal(new EmbeddingSearchSettings(Pool: "web", NeighboursPerQuery: 2, SimilarityFloor: 0.25, Exclusive: false), strategy.Settings);
    }

    [Fact]
    public void JsonSectionsBindToo()
    {
        var section = SettingsBinder.ParseJson("""{ "aggregation": "majority", "tie_break": "drop", "max_images": 50 }""", "x");
        var strategy = (CrowdSchema)ShiftStrategies.Registry.Create("crowd-schema", section, "x");
        Assert.Equal(new CrowdSchemaSettings(Aggregation: "majority", TieBreak: "drop", MaxImages: 50), strategy.Settings);
    }

    [Theory]
    [InlineData("neighbours_per_query: 0", "shifts.la.settings.neighbours_per_query: 0 is not allowed; give a positive integer")]
    [InlineData("similarity_floor: 1.5", "shifts.la.settings.similarity_floor: 1.5 is not allowed; give a number in [-1, 1]")]
    [InlineData("neighbours_per_query: many", "shifts.la.settings.neighbours_per_query: 'many' is not allowed; give an integer")]
    [InlineData("neighbors: 3", "shifts.la.settings.neighbors: unknown setting; allowed: queries, pool, neighbours_per_query")]
    public void BadSettingsNameTheFieldTheValueAndWhatIsAllowed(string yaml, string expected)
    {
        var section = SettingsBinder.ParseYaml(yaml, "shifts.la");
        var e = Assert.Throws<SelectBenchException>(() => ShiftStrategies.Registry.Create("embedding-search", section, "shifts.la.settings"));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void EnumLikeSettingsListTheAllowedValues()
    {
        var e = Assert.Throws<SelectBenchException>(() => ShiftStrategies.Registry.Create("crowd-schema",
            SettingsBinder.ParseYaml("aggregation: glad", "c"), "c"));
        Assert.Equal("c.aggregation: 'glad' is not allowed; use one of 'dawid-skene', 'majority'.", e.Message);
    }

    [Fact]
    public void ShiftSpecsReadStrategySettingsAndPostSteps()
    {
        var section = SettingsBinder.ParseYaml("""
            strategy: class-query-search
            settings:
              threshold: 0.7
              shots: 5
            post_steps:
              near_duplicate_threshold: 0.98
              leakage_threshold: 0.95
              leakage_eval_sets: [test, fresh]
            """, "shifts.txt");
        var spec = ShiftSpec.FromSection("txt", section, "shifts.txt");
        Assert.Equal("class-query-search", spec.Strategy);
        Assert.Equal(0.98, spec.PostSteps.NearDuplicateThreshold);
        Assert.Equal(["test", "fresh"], spec.PostSteps.LeakageEvalSets!);
        var e = Assert.Throws<SelectBenchException>(() => ShiftSpec.FromSection("t", SettingsBinder.ParseYaml("strategy: expert\npost_steps:\n  leakage_threshold: 0.9", "s"), "s"));
        Assert.Contains("s.post_steps.leakage_eval_sets", e.Message);
    }

    [Fact]
    public void CostModelRejectsNegativeCostsAndDerivesDollarCosts()
    {
        var costs = new CostModel(GeneratedImageGpuSeconds: 3, GpuSecondDollars: 0.5, EmbeddingGpuSeconds: 0.1);
        Assert.Equal(1.5, costs.GeneratedImage, 12);
        Assert.Equal(0.05, costs.Embedding, 12);
        var e = Assert.Throws<SelectBenchException>(() => new CostModel(CrowdVote: -1).Validate("costs"));
        Assert.StartsWith("costs.crowd_vote: -1", e.Message);
        var bound = SettingsBinder.Bind<CostModel>(SettingsBinder.ParseYaml("expert_label: 0.25", "costs"), "costs");
        Assert.Equal(0.25, bound.ExpertLabel);
        Assert.Equal(0.012, bound.CrowdVote);
    }
}
