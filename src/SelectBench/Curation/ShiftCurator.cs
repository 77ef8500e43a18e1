using SelectBench.Common;
using SelectBench.Curation.PostSteps;

namespace SelectBench.Curation;

/// <summary>One shift to build: its name, the strategy, the strategy's settings section and the post-steps.</summary>
public sealed record ShiftSpec(string Name, string Strategy, IReadOnlyDictionary<string, object?> Settings, PostStepSettings PostSteps)
{
    /// <summary>
    /// Reads a config section such as
    /// <c>{ strategy: embedding-search, settings: { neighbours_per_query: 2 }, post_steps: { near_duplicate_threshold: 0.98 } }</c>.
    /// </summary>
    public static ShiftSpec FromSection(string name, IReadOnlyDictionary<string, object?> section, string where)
    {
        string[] allowed = ["strategy", "settings", "post_steps"];
        foreach (var key in section.Keys)
            if (!allowed.Contains(key))
                throw new SelectBenchException($"{where}.{key}: unknown key; allowed: {string.Join(", ", allowed)}.");
        if (!section.TryGetValue("strategy", out var s) || s is not string strategy || strategy.Length == 0)
            throw new SelectBenchException($"{where}.strategy: missing; use one of {string.Join(", ", ShiftStrategies.Registry.Names)}.");
        var settings = section.TryGetValue("settings", out var st) && st is IReadOnlyDictionary<string, object?> map
            ? map : new Dictionary<string, object?>();
        var post = section.TryGetValue("post_steps", out var ps) && ps is IReadOnlyDictionary<string, object?> postMap
            ? SettingsBinder.Bind<PostStepSettings>(postMap, $"{where}.post_steps") : new PostStepSettings();
        post.Validate($"{where}.post_steps");
        // Bind now so a bad setting fails at config load, not midway through a run.
        ShiftStrategies.Registry.Create(strategy, settings, $"{where}.settings");
        return new ShiftSpec(name, strategy, settings, post);
    }
}

/// <summary>Builds a shift: the named strategy, then the post-steps.</summary>
public static class ShiftCurator
{
    public static Shift Build(ShiftSpec spec, CurationContext context)
    {
        var strategy = ShiftStrategies.Registry.Create(spec.Strategy, spec.Settings, $"shifts.{spec.Name}.settings");
        var shift = strategy.Build(context) with { Name = spec.Name };
        return PostStepPipeline.Apply(shift, spec.PostSteps, context);
    }
}
