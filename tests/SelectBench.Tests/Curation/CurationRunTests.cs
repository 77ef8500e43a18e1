using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Tests.Worlds;
using Xunit;

namespace SelectBench.Tests.Curation;

/// <summary>The six shifts of configs/curation-quick.yaml at N = 100 on the tiny world, built once.</summary>
public sealed class TinyCurationFixture
{
    public const int N = 100;
    private (IReadOnlyList<CuratedShift>, IReadOnlyList<CuratedShift>, string)? _result;
    private readonly object _gate = new();

    public (IReadOnlyList<CuratedShift> First, IReadOnlyList<CuratedShift> Again, string Out) Runs(TinyWorldFixture world)
    {
        lock (_gate)
        {
            if (_result is { } r) return r;
            var config = CurationConfig.Load(ConfigPath("curation-quick.yaml"), targetSize: N);
            var outDir = Path.Combine(world.Folder, "curation-test");
            var first = CurationRun.Build(world.World.CurationSources(), config, outDir);
            var again = CurationRun.Build(world.World.CurationSources(), config, outDir);
            _result = (first, again, outDir);
            return _result.Value;
        }
    }

    /// <summary>The shipped config: configs/ at the repository root, found by walking up from the test binaries.</summary>
    public static string ConfigPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "configs", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"configs/{name} not found above {AppContext.BaseDirectory}");
    }
}

[Collection(TinyWorldCollection.Name)]
public sealed class CurationRunTests(TinyWorldFixture world, TinyCurationFixture curation) : IClassFixture<TinyCurationFixture>
{
    private static readonly string[] SixShifts =
        ["expert", "embedding-search", "class-query-search", "crowd-schema", "synthetic-txt2img", "synthetic-img2img"];

    private (IReadOnlyList<CuratedShift> First, IReadOnlyList<CuratedShift> Again, string Out) Runs() => curation.Runs(world);

    [Fact]
    public void Six_shifts_have_the_target_size_provenance_and_cost()
    {
        var runs = Runs();
        Assert.Equal(SixShifts, runs.First.Select(s => s.Name).ToArray());
        foreach (var r in runs.First)
        {
            var shift = r.Shift;
            int removed = shift.Report.Removed.Sum(x => x.Count);
            if (r.Name == "class-query-search")
                Assert.InRange(shift.Images.Count, 0, TinyCurationFixture.N); // per-class cap, no floor
            else
                Assert.Equal(TinyCurationFixture.N, shift.Images.Count + removed); // the strategy made N; post-steps account for the rest
            Assert.Equal(shift.Images.Count, shift.Provenance.Length);
            Assert.True(shift.TotalCost > 0, $"{r.Name}: no cost");
            Assert.True(ShiftStore.Exists(r.Folder));
        }
        var byName = runs.First.ToDictionary(r => r.Name, r => r.Shift);
        // Expert labels are truth, each costs one expert label (configs/curation-quick.yaml: $0.10).
        Assert.All(byName["expert"].Provenance, p => Assert.Equal(0.10, p.Cost, 12));
        Assert.Equal(0, runs.First.Single(r => r.Name == "expert").Audit.NoiseRate);
        Assert.All(byName["embedding-search"].Provenance, p => Assert.Equal("pool:pool", p.Source));
        Assert.All(byName["embedding-search"].Provenance, p => Assert.StartsWith("train/", p.QueryId));
        Assert.All(byName["crowd-schema"].Provenance, p => Assert.True(p.Simulated));
        Assert.All(byName["synthetic-txt2img"].Provenance, p => Assert.True(p.Simulated && p.GeneratorSeed != null));
        Assert.All(byName["synthetic-img2img"].Provenance, p => Assert.StartsWith("train/", p.QueryId));
        Assert.NotNull(byName["crowd-schema"].Report.WorkerAccuracies);
    }

    [Fact]
    public void A_rerun_with_the_same_inputs_loads_every_shift_from_the_cache()
    {
        var runs = Runs();
        Assert.All(runs.Again, r => Assert.True(r.FromCache, r.Name));
        Assert.Equal(runs.First.Select(r => r.Shift.Images.Ids), runs.Again.Select(r => r.Shift.Images.Ids));
        Assert.Equal(runs.First.Select(r => r.Fingerprint), runs.Again.Select(r => r.Fingerprint));
        Assert.Equal(SixShifts.Length, runs.First.Select(r => r.Fingerprint).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(runs.Out, "curation.json")));
    }

    [Fact]
    public void A_changed_config_section_rebuilds_only_that_shift()
    {
        var config = CurationConfig.Load(TinyCurationFixture.ConfigPath("curation-quick.yaml"), TinyCurationFixture.N);
        var changed = CurationConfig.Parse(File.ReadAllText(TinyCurationFixture.ConfigPath("curation-quick.yaml"))
            .Replace("strength: 0.75", "strength: 0.5"), "changed", TinyCurationFixture.N);
        foreach (var name in SixShifts)
        {
            var same = CurationRun.CacheKey(config, name, "w", "e") == CurationRun.CacheKey(changed, name, "w", "e");
            Assert.Equal(name != "synthetic-img2img", same);
        }
        Assert.NotEqual(CurationRun.CacheKey(config, "expert", "world-a", "e"), CurationRun.CacheKey(config, "expert", "world-b", "e"));
    }

    [Fact]
    public void The_search_section_picks_the_backend_and_changes_the_keys_only_when_given()
    {
        var yaml = File.ReadAllText(TinyCurationFixture.ConfigPath("curation-quick.yaml"));
        var config = CurationConfig.Parse(yaml, "quick", TinyCurationFixture.N);
        var defaults = CurationConfig.Parse(yaml + "\nsearch: {}\n", "defaults", TinyCurationFixture.N);
        var hnsw = CurationConfig.Parse(yaml + "\nsearch: { backend: usearch, threads: 1, storage: float32, expansion_add: 32 }\n", "hnsw", TinyCurationFixture.N);
        Assert.Equal(new CurationSearchSettings(), config.Search);
        Assert.Equal(SelectBench.Search.SearchBackend.Auto, config.Search.Options().Backend);
        var options = hnsw.Search.Options();
        Assert.Equal(SelectBench.Search.SearchBackend.USearch, options.Backend);
        Assert.Equal(new SelectBench.Search.USearchSettings(32, 32, 1024, 1, SelectBench.Search.USearchStorage.Float32), options.USearch);
        foreach (var name in SixShifts)
        {
            // No section: the keys of shifts cached before the section existed. A section, even an empty one: new keys.
            Assert.NotEqual(CurationRun.CacheKey(config, name, "w", "e"), CurationRun.CacheKey(hnsw, name, "w", "e"));
            Assert.NotEqual(CurationRun.CacheKey(config, name, "w", "e"), CurationRun.CacheKey(defaults, name, "w", "e"));
        }
        Assert.DoesNotContain("\"search\":", config.CommonKey);
        Assert.Contains("\"search\":", hnsw.CommonKey);
        var bad = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse(yaml + "\nsearch: { storage: float8 }\n", "bad"));
        Assert.Contains("search.storage", bad.Message);

        // The embedding search of the tiny world through USearch on one thread: the same shift twice (a one-thread
        // build is reproducible), and nearly the exact search's shift.
        var sources = world.World.CurationSources();
        var viaHnsw = CurationRun.Build(sources, hnsw, Path.Combine(world.Folder, "curation-usearch-a"), ["embedding-search"]).Single();
        var again = CurationRun.Build(sources, hnsw, Path.Combine(world.Folder, "curation-usearch-b"), ["embedding-search"]).Single();
        var exact = Runs().First.Single(s => s.Name == "embedding-search");
        Assert.Equal(viaHnsw.Shift.Images.Ids, again.Shift.Images.Ids);
        Assert.True(viaHnsw.Shift.Images.Ids.Intersect(exact.Shift.Images.Ids).Count() >= 0.9 * exact.Shift.Images.Count,
            "USearch and exact search should pick nearly the same images");
    }

    [Fact]
    public void An_unknown_strategy_or_setting_is_an_error_naming_it()
    {
        var strategy = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("shifts:\n  x: { strategy: magic-search }"));
        Assert.Contains("magic-search", strategy.Message);
        Assert.Contains("embedding-search", strategy.Message); // lists the known ones
        var field = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("shifts:\n  x: { strategy: expert, settings: { sauce: E } }"));
        Assert.Contains("shifts.x.settings.sauce", field.Message);
        var top = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("target_sise: 5\nshifts:\n  x: { strategy: expert }"));
        Assert.Contains("target_sise", top.Message);
        var cost = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("costs: { gold_label: 1 }\nshifts:\n  x: { strategy: expert }"));
        Assert.Contains("gold_label", cost.Message);
    }

    [Fact]
    public void A_missing_world_or_config_is_an_error_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-world-{Guid.NewGuid():N}");
        var e = Assert.Throws<BadInputException>(() => SelectBench.Worlds.FashionMnistPlus.FashionMnistPlusWorld.Load(missing));
        Assert.Contains(missing, e.Message);
        var c = Assert.Throws<BadInputException>(() => CurationConfig.Load(missing + ".yaml"));
        Assert.Contains(missing + ".yaml", c.Message);
        var config = CurationConfig.Parse("shifts:\n  a: { strategy: expert }");
        var s = Assert.Throws<BadInputException>(() => config.Select(["b"]));
        Assert.StartsWith("b:", s.Message);
    }
}
