using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// The registered metrics (docs/metrics.md#adding-a-metric): every <see cref="IEvalMetric"/> marked
/// <c>[Registered]</c> in this assembly, plus any added with <c>Registry.AddFrom</c> (a test assembly, a plug-in).
/// Everything that used to list metric names by hand derives from here: the default suite, which metrics run per
/// model or per shift, the run config's evaluation keys, the inputs a run prepares, the report's families and
/// columns, the rank-agreement table and the console leaderboard.
/// </summary>
/// <remarks>
/// A metric's settings record binds from the <c>evaluation:</c> section of a run config: its fields, in snake_case,
/// are the keys it reads there (the transfer metric's <c>transfer</c>, the base metric's <c>bootstrap</c>). Two
/// metrics may read the same key (<c>bootstrap</c>, <c>quality</c>) when they give it the same type and default.
/// </remarks>
public static class EvalMetrics
{
    public static Registry<IEvalMetric> Registry { get; } = new("metric");

    private static readonly ConcurrentDictionary<Type, MetricDeclaration> Declared = new();

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => Registry.Names;

    /// <summary>A metric with its default settings; an unknown name is an error listing the known ones.</summary>
    public static IEvalMetric Create(string name) => Registry.Create(name);

    /// <summary>A metric with the settings its keys of an evaluation section give (see <see cref="BindSection"/>).</summary>
    public static IEvalMetric Create(string name, JsonObject? section, string where) =>
        Registry.Create(name, BindSettings(name, section, where), where);

    /// <summary>The declaration of a registered name (read once from an instance with default settings).</summary>
    public static MetricDeclaration Declaration(string name)
    {
        var entry = Registry.Get(name);
        return Declared.GetOrAdd(entry.Implementation, _ => Registry.Create(entry.Name).Declaration);
    }

    /// <summary>The registered name of a metric instance.</summary>
    public static string NameOf(IEvalMetric metric) =>
        Registry.Entries.FirstOrDefault(e => e.Implementation == metric.GetType())?.Name
        ?? throw new SelectBenchException($"{metric.GetType().Name} is not a registered metric; mark it [Registered(\"name\")] and add its assembly with EvalMetrics.Registry.AddFrom.");

    /// <summary>Every registered metric with its declaration, in report order (<see cref="MetricDeclaration.Order"/>, then name).</summary>
    public static IReadOnlyList<(string Name, MetricDeclaration Declaration)> All =>
        Registry.Names.Select(n => (Name: n, Declaration: Declaration(n)))
            .OrderBy(m => m.Declaration.Order).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();

    /// <summary>What a run config without <c>evaluation.suite</c> runs, in report order.</summary>
    public static IReadOnlyList<string> DefaultSuite => All.Where(m => m.Declaration.InDefaultSuite).Select(m => m.Name).ToList();

    /// <summary>The names of <paramref name="suite"/> with the given scope, in the suite's order.</summary>
    public static IReadOnlyList<string> OfScope(IEnumerable<string> suite, MetricScope scope) =>
        suite.Where(n => Declaration(n).Scope == scope).ToList();

    /// <summary>Whether any metric of <paramref name="suite"/> reads <paramref name="input"/> (required or when present).</summary>
    public static bool AnyReads(IEnumerable<string> suite, MetricInputs input) =>
        suite.Any(n => (Declaration(n).Reads & input) != 0);

    /// <summary>Refuses a metric that needs an input <paramref name="provided"/> lacks, e.g. a shift metric that needs a model.</summary>
    public static void CheckProvided(string name, MetricInputs provided, string where)
    {
        var missing = Declaration(name).Requires & ~provided;
        if (missing != MetricInputs.None)
            throw new SelectBenchException(
                $"{where}: metric '{name}' needs {missing}, which a {Declaration(name).Scope.ToString().ToLowerInvariant()} evaluation here does not have (it has {provided}).");
    }

    /// <summary>The evaluation keys a metric's settings record reads: its constructor's parameters in snake_case.</summary>
    public static IReadOnlyList<string> SettingsKeys(string name) =>
        Registry.Get(name).Settings is { } type ? KeysOf(type) : [];

    /// <summary>The evaluation keys of every registered metric, in report order, each once.</summary>
    public static IReadOnlyList<string> AllSettingsKeys => All.SelectMany(m => SettingsKeys(m.Name)).Distinct().ToList();

    /// <summary>
    /// Binds and validates every registered metric's settings from the metric keys of an evaluation section
    /// (values as parsed from YAML or JSON) and returns them as one section with every default written out, the
    /// form a job's settings carry (so a changed default changes the job's key). An unknown key is an error naming
    /// it and listing the allowed keys.
    /// </summary>
    /// <param name="otherKeys">Keys the caller reads itself (suite, encoder, ...), listed as allowed in the error.</param>
    public static JsonObject BindSection(IReadOnlyDictionary<string, object?> section, string where, IReadOnlyList<string>? otherKeys = null)
    {
        var known = AllSettingsKeys;
        foreach (var key in section.Keys)
            if (!known.Contains(key))
                throw new SelectBenchException($"{where}.{key}: unknown setting; allowed: {string.Join(", ", (otherKeys ?? []).Concat(known))}.");
        var result = new JsonObject();
        foreach (var (name, _) in All)
        {
            if (Registry.Get(name).Settings is not { } type) continue;
            var keys = KeysOf(type);
            var own = section.Where(kv => keys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            result = With(result, Registry.BindSettings(name, own, where)!);
        }
        return result;
    }

    /// <summary>A metric's settings from a section written by <see cref="BindSection"/> or <see cref="With"/> (absent keys keep their defaults).</summary>
    public static ISettings? BindSettings(string name, JsonObject? section, string where)
    {
        var entry = Registry.Get(name, where);
        return entry.Settings is { } type ? Registry.BindSettings(entry.Name, Subsection(type, section, where), where) : null;
    }

    /// <summary>A settings record from the keys of a section it reads (absent keys keep their defaults), validated.</summary>
    public static T BindSettings<T>(JsonObject? section, string where) where T : ISettings
    {
        var settings = (T)SettingsBinder.Bind(typeof(T), Subsection(typeof(T), section, where), where);
        settings.Validate(where);
        return settings;
    }

    /// <summary>A copy of <paramref name="section"/> with the fields of <paramref name="settings"/> written in (a null field removes its key).</summary>
    public static JsonObject With(JsonObject? section, ISettings settings)
    {
        var result = section?.DeepClone().AsObject() ?? new JsonObject();
        var written = JsonSerializer.SerializeToNode(settings, settings.GetType(), Json.Options)?.AsObject() ?? new JsonObject();
        foreach (var key in KeysOf(settings.GetType()))
        {
            result.Remove(key);
            if (written[key] is { } value) result[key] = value.DeepClone();
        }
        return result;
    }

    private static IReadOnlyList<string> KeysOf(Type settings) =>
        settings.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First()
            .GetParameters().Select(p => SettingsBinder.SnakeCase(p.Name!)).ToList();

    private static IReadOnlyDictionary<string, object?> Subsection(Type settings, JsonObject? section, string where)
    {
        var own = new JsonObject();
        if (section != null)
            foreach (var key in KeysOf(settings))
                if (section.TryGetPropertyValue(key, out var value))
                    own[key] = value?.DeepClone();
        return SettingsBinder.ParseJson(own.ToJsonString(), where);
    }
}
