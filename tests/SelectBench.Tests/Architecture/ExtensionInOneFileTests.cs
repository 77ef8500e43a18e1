using System.Globalization;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.PostSteps;
using SelectBench.Data;
using SelectBench.Tests.Curation;
using SelectBench.Tests.Data;

namespace SelectBench.Tests.Architecture;

// A new strategy and a new data format, each defined in this one file outside the library, registered at run
// time and then used by name exactly as the built-in ones are (docs/extending.md shows the same code).

/// <param name="Source">Labelled set to take from.</param>
/// <param name="PerClass">Images per class, the first ones in set order.</param>
public sealed record FirstPerClassSettings(string Source = "baseline", int PerClass = 1) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "source", Source);
        SettingRules.Positive(where, "per_class", PerClass);
    }
}

/// <summary>The first images of each class of a labelled set: a deterministic stand-in for an expert sample.</summary>
[Registered("first-per-class", Settings = typeof(FirstPerClassSettings),
    Description = "The first per_class images of each class of a labelled set, in set order")]
public sealed class FirstPerClass(FirstPerClassSettings settings) : IShiftStrategy
{
    public string Name => "first-per-class";

    public Shift Build(CurationContext context)
    {
        var source = context.RequireSet(settings.Source, "first-per-class source");
        var picked = ClassCap.Keep(source.Labels, context.Labels.Count, settings.PerClass);
        var provenance = picked.Select(i => new SampleProvenance($"set:{settings.Source}", source.Ids[i], Cost: context.Costs.ExpertLabel)).ToArray();
        return ShiftAssembly.Create(Name, context, source.Select(picked), provenance, 0,
            [$"first {settings.PerClass} per class of '{settings.Source}'"], []);
    }
}

/// <summary>
/// A toy text format, "*.tinyset": one 1 x 2 x 2 grey image per line, "class p0 p1 p2 p3". Classes are the
/// sorted distinct names unless the options give a label set.
/// </summary>
[Registered("tinyset", Description = "*.tinyset text files: one 'class p0 p1 p2 p3' line per 1 x 2 x 2 grey image")]
public sealed class TinySetReader : IImageSetReader
{
    public bool CanRead(SourceSpec spec) => spec.IsFile && spec.FileName.EndsWith(".tinyset", StringComparison.Ordinal);

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token) =>
        DataSources.Cached(new ResolvedSource("tinyset", $"tinyset {spec.Path}", [spec.Path], o => (Parse(spec.Path, o.LabelSet), [])), options);

    private static ImageSet Parse(string path, LabelSet? given)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(' ')).ToArray();
        var labels = given ?? new LabelSet(rows.Select(r => r[0]).Distinct().Order(StringComparer.Ordinal).ToArray());
        var pixels = rows.SelectMany(r => r[1..].Select(p => byte.Parse(p, CultureInfo.InvariantCulture))).ToArray();
        var ids = rows.Select((_, i) => $"{Path.GetFileName(path)}/{i}").ToArray();
        return new ImageSet(pixels, rows.Select(r => labels.IndexOf(r[0])).ToArray(), labels, 1, 2, 2, ids);
    }
}

public class ExtensionInOneFileTests
{
    [Fact]
    public void A_strategy_defined_in_one_file_is_used_by_name_from_a_curation_config()
    {
        ShiftStrategies.Registry.Add(typeof(FirstPerClass));
        var config = CurationConfig.Parse("""
            target_size: 4
            shifts:
              first: { strategy: first-per-class, settings: { per_class: 2 }, post_steps: { class_cap: 1 } }
            """);
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 5), [0, 1, 0, 0, 1], Enumerable.Range(0, 5).Select(i => TinyWorld.At(10 * i)).ToArray());

        var shift = ShiftCurator.Build(config.Shifts.Single(), world.Context(config.TargetSize));

        Assert.Equal("first-per-class", shift.Strategy);
        Assert.Equal(["e0", "e1"], shift.Images.Ids); // first two per class (e0 e2 | e1 e4), then the class cap of 1
        Assert.Equal(new RemovedCount("class cap 1", 2), shift.Report.Removed.Single());
        Assert.Contains("first-per-class", ShiftStrategies.Registry.Names);
        var e = Assert.Throws<SelectBenchException>(() => CurationConfig.Parse("shifts:\n  f: { strategy: first-per-class, settings: { per_class: 0 } }"));
        Assert.StartsWith("config: shifts.f.settings.per_class: 0 is not allowed", e.Message);
    }

    [Fact]
    public void A_reader_defined_in_one_file_is_found_by_data_sources()
    {
        ImageSetReaders.Registry.AddFrom(typeof(TinySetReader).Assembly);
        using var tmp = new TempFolder();
        var path = tmp.File("two.tinyset");
        File.WriteAllLines(path, ["cat 1 2 3 4", "dog 5 6 7 8", "cat 9 9 9 9"]);

        Assert.IsType<TinySetReader>(DataSources.Resolve(SourceSpec.Parse(path)));
        var loaded = DataSources.Load(path, new DataLoadOptions(UseCache: false));

        Assert.Equal($"tinyset {path}", loaded.Description);
        Assert.Equal(["cat", "dog"], loaded.Images.LabelSet.Names);
        Assert.Equal([0, 1, 0], loaded.Images.Labels);
        Assert.Equal([5, 6, 7, 8], loaded.Images.Image(1).ToArray());
        // Other specs still go to the built-in readers.
        Assert.IsType<ImageFolderReader>(DataSources.Resolve(SourceSpec.Parse(Fixtures.WriteImageFolder(tmp.File("tree")))));
    }
}
