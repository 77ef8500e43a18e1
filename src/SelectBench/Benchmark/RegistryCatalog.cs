using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.PostSteps;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Suite;
using SelectBench.Models;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>One registered name as <c>selectbench list</c> shows it: description, older names and settings fields.</summary>
public sealed record CatalogEntry(string Name, string Description, IReadOnlyList<string> Aliases, IReadOnlyList<SettingField> Settings);

/// <summary>One registry: the word <c>selectbench list</c> takes ("strategies") and the registry.</summary>
public sealed record CatalogSection(string Name, IRegistry Registry)
{
    /// <summary>What one entry is called in messages ("strategy").</summary>
    public string Kind => Registry.Kind;

    /// <summary>Read when asked, so names a test or plug-in registered later are listed too.</summary>
    public IReadOnlyList<CatalogEntry> Entries() =>
        Registry.Entries.Select(e => new CatalogEntry(e.Name, e.Description, e.Aliases,
            e.Settings == null ? [] : SettingsSchema.Fields(e.Settings))).ToList();
}

/// <summary>
/// Every registry of SelectBench in one list (docs/architecture.md#registries), for <c>selectbench list</c> and
/// for tests that check every registered name. It lives in Benchmark/ because it reaches into every layer.
/// </summary>
public static class RegistryCatalog
{
    public static IReadOnlyList<CatalogSection> Sections { get; } =
    [
        new("strategies", ShiftStrategies.Registry),
        new("post-steps", ShiftPostSteps.Registry),
        new("models", ModelArchitectures.Registry),
        new("encoders", EncoderKinds.Registry),
        new("readers", ImageSetReaders.Registry),
        new("metrics", EvalMetrics.Registry),
        new("jobs", JobKinds.Registry),
        new("executors", Executors.Registry),
    ];

    public static IReadOnlyList<string> Names => Sections.Select(s => s.Name).ToList();

    /// <summary>The section of that name; an unknown name is an error that lists the names and suggests the nearest.</summary>
    public static CatalogSection Get(string name)
    {
        if (Sections.FirstOrDefault(s => s.Name == name) is { } section) return section;
        var hint = Suggest.Nearest(name, Names) is { } near ? $"did you mean '{near}'? " : "";
        throw new SelectBenchException($"'{name}' is not a registry; {hint}use one of {string.Join(", ", Names)}.");
    }
}
