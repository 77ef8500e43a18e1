using System.Diagnostics;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>What one suite run produced: every metric's values, the seconds each family took, and each metric's details.</summary>
public sealed record SuiteResult(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>Each metric's details, by metric name: the metric's own record when it ran now, stored JSON when it resumed.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();

    /// <summary>A metric's details as its typed record (e.g. <see cref="BaseAccuracyDetails"/>), or null when the metric did not run.</summary>
    public T? DetailsOf<T>(string metric) where T : class => Details.GetValueOrDefault(metric) switch
    {
        T typed => typed,
        JsonElement stored => stored.Deserialize<T>(Json.Options),
        _ => null,
    };
}

/// <summary>
/// Runs metrics over one set of inputs. Each metric writes its exports into
/// <c>&lt;out&gt;/&lt;metric&gt;/</c> and its values into <c>&lt;out&gt;/&lt;metric&gt;/result.json</c>; the
/// merged values go to <c>&lt;out&gt;/metrics.json</c>. A metric whose result file exists is not run again,
/// so an interrupted evaluation resumes where it stopped. Every metric's required inputs
/// (<see cref="MetricDeclaration.Requires"/>) are checked before any metric runs.
/// </summary>
public static class EvalSuite
{
    private sealed record StoredResult(string Metric, double Seconds, IReadOnlyDictionary<string, Interval> Values, object? Details);

    /// <summary>Runs registered metrics by name, each with its default settings.</summary>
    public static SuiteResult Run(IReadOnlyList<string> metrics, EvalInputs inputs, string outputFolder, bool force = false,
        CancellationToken cancellationToken = default, Action<string>? onNote = null)
    {
        if (metrics.Count == 0) throw new SelectBenchException($"No metrics to run. Known metrics: {string.Join(", ", EvalMetrics.Names)}.");
        return Run(metrics.Distinct().Select(EvalMetrics.Create).ToList(), inputs, outputFolder, force, cancellationToken, onNote);
    }

    /// <summary>Runs registered metrics, each with the settings it was created with.</summary>
    /// <param name="onNote">Receives how eval sets are fitted to the classifier (a resize); null prints them.</param>
    public static SuiteResult Run(IReadOnlyList<IEvalMetric> metrics, EvalInputs inputs, string outputFolder, bool force = false,
        CancellationToken cancellationToken = default, Action<string>? onNote = null)
    {
        if (metrics.Count == 0) throw new SelectBenchException($"No metrics to run. Known metrics: {string.Join(", ", EvalMetrics.Names)}.");
        foreach (var note in CheckClassifierInputs(inputs))
            (onNote ?? (n => Console.WriteLine($"input:  {n}")))(note);
        var instances = metrics.Select(m => (Name: EvalMetrics.NameOf(m), Metric: m)).DistinctBy(m => m.Name).ToList();
        foreach (var (name, metric) in instances)
            SuiteInputs.Check(inputs, metric.Declaration.Requires, name);
        Directory.CreateDirectory(outputFolder);
        inputs = inputs with
        {
            Classifier = MemoizingClassifier.Wrap(inputs.Classifier),
            ReferenceClassifier = MemoizingClassifier.Wrap(inputs.ReferenceClassifier),
        };
        var values = new Dictionary<string, Interval>();
        var seconds = new Dictionary<string, double>();
        var details = new Dictionary<string, object?>();
        foreach (var (name, metric) in instances)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = Path.Combine(outputFolder, name);
            var resultPath = Path.Combine(folder, "result.json");
            StoredResult stored;
            if (!force && File.Exists(resultPath))
            {
                stored = Json.Read<StoredResult>(resultPath);
            }
            else
            {
                Directory.CreateDirectory(folder);
                var clock = Stopwatch.StartNew();
                var result = metric.Compute(inputs, folder, cancellationToken);
                stored = new StoredResult(name, clock.Elapsed.TotalSeconds, result.Values, result.Details);
                AtomicFile.WriteJson(resultPath, stored);
            }
            foreach (var (key, value) in stored.Values) values[key] = value;
            seconds[name] = stored.Seconds;
            details[name] = stored.Details;
        }
        AtomicFile.WriteJson(Path.Combine(outputFolder, "metrics.json"), new { values, seconds });
        return new SuiteResult(values, seconds) { Details = details };
    }

    /// <summary>
    /// Every set a classifier of the inputs is fed, checked against what it takes (<see cref="ClassifierInput"/>):
    /// a channel mismatch is refused before any metric runs; the notes say which sets are resized.
    /// </summary>
    private static List<string> CheckClassifierInputs(EvalInputs inputs)
    {
        var notes = new List<string?> { ClassifierInput.Check(inputs.Classifier, inputs.BaseSet, "base set") };
        foreach (var natural in inputs.NaturalSets)
            notes.Add(ClassifierInput.Check(inputs.Classifier, natural.Images, $"natural set '{natural.Name}'"));
        notes.Add(ClassifierInput.Check(inputs.ReferenceClassifier, inputs.Shift, "shift (scored by the reference classifier)"));
        return notes.OfType<string>().ToList();
    }
}
