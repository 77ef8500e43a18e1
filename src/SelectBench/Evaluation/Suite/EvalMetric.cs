using System.Reflection;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Marks an <see cref="IEvalMetric"/> with the name the suite, the config and the CLI use.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EvalMetricAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// One metric family of the eval suite (DESIGN section 5). It reads what it needs from
/// <see cref="EvalInputs"/>, writes raw exports into its own folder, and returns named values with
/// intervals. Values use the stable snake_case names of the results contract (DESIGN section 7).
/// </summary>
public interface IEvalMetric
{
    /// <summary>What the metric needs, checked before it runs so a missing input is a clear error.</summary>
    IReadOnlyList<string> Requires { get; }
    MetricResult Evaluate(EvalInputs inputs, string folder);
}

/// <summary>A metric family's values (keyed by contract name) plus details written beside them.</summary>
public sealed record MetricResult(IReadOnlyDictionary<string, Interval> Values, object? Details = null);

/// <summary>The registered metrics, found by their <see cref="EvalMetricAttribute"/>.</summary>
public static class EvalMetrics
{
    private static readonly Lazy<IReadOnlyDictionary<string, Type>> Registered = new(() =>
        typeof(EvalMetrics).Assembly.GetTypes()
            .Select(t => (Type: t, Attr: t.GetCustomAttribute<EvalMetricAttribute>()))
            .Where(x => x.Attr != null && typeof(IEvalMetric).IsAssignableFrom(x.Type))
            .ToDictionary(x => x.Attr!.Name, x => x.Type));

    public static IReadOnlyCollection<string> Names => Registered.Value.Keys.Order(StringComparer.Ordinal).ToArray();

    public static IEvalMetric Create(string name) =>
        Registered.Value.TryGetValue(name, out var type)
            ? (IEvalMetric)Activator.CreateInstance(type)!
            : throw new SelectBenchException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", Names)}.");
}
